import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { ScoreModelErrorCode } from '../rulesets/score-models.errors';
import type { ScoreModelService } from '../rulesets/score-models';
import { toModelScore } from '../scoring/models/model-score-loaders';
import { readModelScoreHistory } from '../scoring/models/model-score-store';
import { ModelScore, ModelScoreChange } from '../scoring/models/model-score.types';
import type { StoredScore } from '../scoring/stored-score';
import { Lead } from './lead.types';

/** The default lead model's key: its scores are lead_score's (Lead.score). */
const DEFAULT_LEAD_MODEL = 'default';
const LEAD_MODEL_HISTORY = { default: 20, max: 200 } as const;

/** The default model's score (lead_score) in the shape of every model's. */
const defaultModelScore = (score: StoredScore): ModelScore => toModelScore({ ...score, model: DEFAULT_LEAD_MODEL });

/** A lead's scores in every lead score model (the default one's is Lead.score as well). */
@Resolver(() => Lead)
export class LeadModelScoresResolver {
  constructor(
    private readonly models: ScoreModelService,
    private readonly dataSource: DataSource,
  ) {}

  @FieldResolver(() => [ModelScore], { description: 'Every lead model the lead has a score in, the default model first.' })
  async scores(@Root() lead: Lead, @Ctx() ctx: GraphQLContext): Promise<ModelScore[]> {
    const [score, others] = await Promise.all([ctx.loaders.score.load(lead.id), ctx.loaders.leadModelScores.load(lead.id)]);
    return [...(score ? [defaultModelScore(score)] : []), ...others.map(toModelScore)];
  }

  @FieldResolver(() => ModelScore, {
    nullable: true,
    description: 'The score in one lead model (ScoreModel.key); null while the lead has none there.',
  })
  async modelScore(@Root() lead: Lead, @Arg('model', () => String) model: string, @Ctx() ctx: GraphQLContext): Promise<ModelScore | null> {
    await this.requireLeadModel(model);
    if (model === DEFAULT_LEAD_MODEL) {
      const score = await ctx.loaders.score.load(lead.id);
      return score ? defaultModelScore(score) : null;
    }
    const score = (await ctx.loaders.leadModelScores.load(lead.id)).find((row) => row.model === model);
    return score ? toModelScore(score) : null;
  }

  @FieldResolver(() => [ModelScoreChange], {
    description: `Changes of the lead's score in one lead model (\`default\` too), newest first; first: default ${LEAD_MODEL_HISTORY.default}, at most ${LEAD_MODEL_HISTORY.max}.`,
  })
  async modelHistory(
    @Root() lead: Lead,
    @Arg('model', () => String) model: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null | undefined,
  ): Promise<ModelScoreChange[]> {
    await this.requireLeadModel(model);
    const limit = first ?? LEAD_MODEL_HISTORY.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > LEAD_MODEL_HISTORY.max)
      throw InvalidInputError.field(
        ScoreModelErrorCode.InvalidScoreModel,
        'first',
        `must be between 1 and ${LEAD_MODEL_HISTORY.max}, got ${first}`,
      );
    return readModelScoreHistory(this.dataSource.manager, model, lead.id, limit);
  }

  private async requireLeadModel(model: string): Promise<void> {
    // The cache may predate a model created a moment ago: ask the database before refusing.
    const found = (await this.models.cached()).get(model) ?? (model.length <= 63 ? await this.models.get(model) : null);
    if (found?.subject !== 'lead')
      throw InvalidInputError.field(
        ScoreModelErrorCode.ScoreModelNotFound,
        'model',
        found ? `"${model}" scores accounts, not leads` : `no score model "${model.slice(0, 63)}"`,
      );
  }
}
