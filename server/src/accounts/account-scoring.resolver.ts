import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import type { ScoreModelService } from '../rulesets/score-models';
import { readModelScoreHistory } from '../scoring/models/model-score-store';
import { toModelScore } from '../scoring/models/model-score-loaders';
import { ModelScore, ModelScoreChange } from '../scoring/models/model-score.types';
import { AccountScoringErrorCode } from './account-scoring.errors';
import { DEFAULT_ACCOUNT_MODEL } from './account-scoring.service';
import { Account } from './account.types';

export const ACCOUNT_HISTORY_LIMITS = { default: 20, max: 200 } as const;

/** Account.score, Account.scores and Account.history: the account's scores in the account models. */
@Resolver(() => Account)
export class AccountScoringResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly models: ScoreModelService,
  ) {}

  @FieldResolver(() => ModelScore, {
    nullable: true,
    description: 'The score in one account model (default: the default account model); null while the account has none there.',
  })
  async score(
    @Root() account: Account,
    @Arg('model', () => String, { nullable: true }) model: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelScore | null> {
    const key = await this.accountModel(model);
    const found = (await ctx.loaders.accountModelScores.load(account.id)).find((row) => row.model === key);
    return found ? toModelScore(found) : null;
  }

  @FieldResolver(() => [ModelScore], { description: 'Every account model the account has a score in, the default account model first.' })
  async scores(@Root() account: Account, @Ctx() ctx: GraphQLContext): Promise<ModelScore[]> {
    return (await ctx.loaders.accountModelScores.load(account.id)).map(toModelScore);
  }

  @FieldResolver(() => [ModelScoreChange], {
    description: `Changes of the score in one account model (default: the default account model), newest first; first: default ${ACCOUNT_HISTORY_LIMITS.default}, at most ${ACCOUNT_HISTORY_LIMITS.max}.`,
  })
  async history(
    @Root() account: Account,
    @Arg('model', () => String, { nullable: true }) model: string | null | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | null | undefined,
  ): Promise<ModelScoreChange[]> {
    const limit = first ?? ACCOUNT_HISTORY_LIMITS.default;
    if (!Number.isInteger(limit) || limit < 1 || limit > ACCOUNT_HISTORY_LIMITS.max)
      throw InvalidInputError.field(
        AccountScoringErrorCode.InvalidHistoryPage,
        'first',
        `must be between 1 and ${ACCOUNT_HISTORY_LIMITS.max}, got ${first}`,
      );
    const key = await this.accountModel(model);
    return readModelScoreHistory(this.dataSource.manager, key, account.id, limit);
  }

  /** The account model a `model` argument names (default: the default account model), else BAD_USER_INPUT on `model`. */
  private async accountModel(model: string | null | undefined): Promise<string> {
    if (model == null) return DEFAULT_ACCOUNT_MODEL;
    // The cache may predate a model created a moment ago: ask the database before refusing.
    const found = (await this.models.cached()).get(model) ?? (model.length <= 63 ? await this.models.get(model) : null);
    if (found?.subject !== 'account')
      throw InvalidInputError.field(
        AccountScoringErrorCode.NotAnAccountModel,
        'model',
        found ? `"${model}" scores leads, not accounts` : `no score model "${model.slice(0, 63)}" (see scoreModels)`,
      );
    return model;
  }
}
