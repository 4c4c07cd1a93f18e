import { Arg, Authorized, GraphQLISODateTime, Mutation, Resolver } from 'type-graphql';
import type { ScorePassService } from './score-pass.service';
import { ScorePassResult } from './score.types';

@Resolver()
export class ScoringResolver {
  constructor(private readonly scorePass: ScorePassService) {}

  @Authorized('admin')
  @Mutation(() => ScorePassResult, {
    description: 'Runs the daily decay pass now: re-scores every lead as of `asOf` (default now). The scheduler runs it every day.',
  })
  runDecayPass(@Arg('asOf', () => GraphQLISODateTime, { nullable: true }) asOf: Date | null): Promise<ScorePassResult> {
    return this.scorePass.runDecayPass(asOf ?? new Date());
  }
}
