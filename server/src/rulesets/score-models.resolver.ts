import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/actor';
import type { GraphQLContext } from '../graphql/context';
import { RULE_SET_ROLES } from './ruleset-roles';
import { RuleSet } from './ruleset.types';
import type { RuleSetWorkflowService } from './ruleset-workflow.service';
import { CreateScoreModelInput, ScoreModel, ScoreSubjectEnum } from './score-models.types';

@Resolver(() => ScoreModel)
export class ScoreModelResolver {
  constructor(private readonly workflow: RuleSetWorkflowService) {}

  @Authorized(...RULE_SET_ROLES.view, 'scores:read')
  @Query(() => [ScoreModel], { description: 'Score models (of one subject when given), the default ones first.' })
  scoreModels(@Arg('subject', () => ScoreSubjectEnum, { nullable: true }) subject: ScoreSubjectEnum | null): Promise<ScoreModel[]> {
    return this.workflow.scoreModels.list(subject) as Promise<ScoreModel[]>;
  }

  @Authorized(...RULE_SET_ROLES.view, 'scores:read')
  @Query(() => ScoreModel, { nullable: true, description: 'A score model by key (null when there is none).' })
  scoreModel(@Arg('key', () => String) key: string): Promise<ScoreModel | null> {
    return this.workflow.scoreModels.get(key) as Promise<ScoreModel | null>;
  }

  @Authorized(...RULE_SET_ROLES.edit)
  @Mutation(() => ScoreModel, {
    description: 'A new score model, without rule sets: create its first rule set with createRuleSet(input: {model}).',
  })
  createScoreModel(
    @Arg('input', () => CreateScoreModelInput) input: CreateScoreModelInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ScoreModel> {
    return this.workflow.scoreModels.create(actorOf(ctx.principal, ctx.requestId), input) as Promise<ScoreModel>;
  }

  @FieldResolver(() => [RuleSet], { description: "The model's rule sets (not archived), its default first." })
  async ruleSets(@Root() model: ScoreModel): Promise<RuleSet[]> {
    return (await this.workflow.listRuleSets()).filter((ruleSet) => ruleSet.model === model.key);
  }
}
