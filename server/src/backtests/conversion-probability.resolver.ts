import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import type { StoredScore } from '../scoring/stored-score';
import { ConversionProbability, Score } from '../scoring/score.types';
import { conversionProbability } from './conversion-probability';

@Resolver(() => Score)
export class ScoreConversionProbabilityResolver {
  @FieldResolver(() => ConversionProbability, {
    description:
      'Estimated probability of converting for this score, from the latest accepted backtest of its version; a missing or stale calibration is said in `reason`.',
  })
  async conversionProbability(@Root() score: Score, @Ctx() ctx: GraphQLContext): Promise<ConversionProbability> {
    // Scores are resolved from StoredScore rows, which carry their version's id.
    const { ruleSetVersionId } = score as unknown as StoredScore;
    const calibration = await ctx.loaders.calibration.load(ruleSetVersionId);
    return conversionProbability(score.total, { ruleSetKey: score.ruleSetKey, version: score.ruleSetVersion }, calibration);
  }
}
