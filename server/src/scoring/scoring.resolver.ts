import { Arg, Authorized, GraphQLISODateTime, Int, Mutation, Query, Resolver } from 'type-graphql';
import { DecayPreview } from './decay-preview.types';
import type { ScorePassService } from './score-pass.service';
import { ScorePassResult } from './score.types';
import { SCORING_ROLES } from './scoring-roles';

@Resolver()
export class ScoringResolver {
  constructor(private readonly scorePass: ScorePassService) {}

  @Authorized(...SCORING_ROLES.runDecayPass)
  @Mutation(() => ScorePassResult, {
    description:
      'Runs the daily decay pass now: re-scores every lead as of `asOf` (default now; not in the future, see decayPreview). The scheduler runs it every day.',
  })
  runDecayPass(@Arg('asOf', () => GraphQLISODateTime, { nullable: true }) asOf: Date | null): Promise<ScorePassResult> {
    return this.scorePass.runDecayPass(asOf ?? undefined);
  }

  @Authorized(...SCORING_ROLES.previewDecay)
  @Query(() => DecayPreview, {
    description:
      'What the decay pass as of `asOf` (e.g. a future date) would change, by the same scoring code, writing nothing. Pages walk the leads in id order; each examines at most 10,000 leads and lists at most `first` (default 20, at most 200) changes.',
  })
  async decayPreview(
    @Arg('asOf', () => GraphQLISODateTime) asOf: Date,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<DecayPreview> {
    const page = await this.scorePass.previewDecay(asOf, first, after);
    return {
      asOf: page.asOf,
      changes: page.changes,
      summary: page.summary,
      // Its cursor marks where the next page starts, not an edge: no start cursor, forward only.
      pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: null },
    };
  }
}
