import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import { diffDefinitions } from './ruleset-diff';
import { isError } from './ruleset-validation';
import { NESTED_TOO_DEEPLY, tooDeeplyNested } from './validation/limits';
import { RuleSetErrorCode } from './ruleset.errors';
import { RULE_SET_ROLES } from './ruleset-roles';
import type { RuleSetSimulationService } from './ruleset-simulation.service';
import type { RuleSetWorkflowService } from './ruleset-workflow.service';
import type { RuleSetService } from './ruleset.service';
import {
  ActiveRuleSet,
  CreateDraftInput,
  CreateRuleSetInput,
  PublishResult,
  ReviewInput,
  RuleSet,
  RuleSetDiff,
  RuleSetReview,
  RuleSetVersion,
  SaveDraftInput,
  SetSegmentsResult,
  SimulateInput,
  Simulation,
  ProblemSeverity,
  ValidationResult,
} from './ruleset.types';
import type { RuleSetDefinition } from '../engine/ruleset-definition';

@Resolver(() => RuleSet)
export class RuleSetResolver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ruleSetService: RuleSetService,
    private readonly workflow: RuleSetWorkflowService,
    private readonly simulation: RuleSetSimulationService,
  ) {}

  @Authorized(...RULE_SET_ROLES.view, 'scores:read')
  @Query(() => [ActiveRuleSet], { description: 'The rule sets scoring leads now, each at its active version.' })
  async activeRuleSets(): Promise<ActiveRuleSet[]> {
    const active = await this.ruleSetService.activeRuleSets(this.dataSource.manager);
    return active.map((ruleSet) => ({ ...ruleSet, name: ruleSet.definition.name }));
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => [RuleSet], { description: 'Rule sets (archived ones with includeArchived).' })
  ruleSets(@Arg('includeArchived', () => Boolean, { nullable: true }) includeArchived: boolean | null): Promise<RuleSet[]> {
    return this.workflow.listRuleSets(includeArchived ?? false);
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => RuleSet)
  ruleSet(@Arg('key', () => String) key: string): Promise<RuleSet> {
    return this.workflow.getRuleSet(key);
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => RuleSetVersion)
  ruleSetVersion(@Arg('id', () => ID) id: string): Promise<RuleSetVersion> {
    return this.workflow.getVersion(id);
  }

  @FieldResolver(() => [RuleSetVersion], { description: 'Every version, newest first.' })
  versions(@Root() ruleSet: RuleSet): Promise<RuleSetVersion[]> {
    return this.workflow.versionsOf(ruleSet.id);
  }

  @FieldResolver(() => RuleSetVersion, { nullable: true })
  async activeVersion(@Root() ruleSet: RuleSet): Promise<RuleSetVersion | null> {
    return ruleSet.activeVersionId ? this.workflow.getVersion(ruleSet.activeVersionId) : null;
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => ValidationResult, { description: 'Validates a definition without saving it (schema, meaning, attribute catalog).' })
  async validateRuleSet(
    @Arg('definition', () => GraphQLJSONObject) definition: object,
    @Arg('ruleSetKey', () => String, { nullable: true }) ruleSetKey: string | null,
  ): Promise<ValidationResult> {
    const problems = await this.workflow.validate(definition, ruleSetKey ?? undefined);
    return {
      valid: problems.every((problem) => !isError(problem)),
      problems: problems.map((problem) => ({ ...problem, severity: isError(problem) ? ProblemSeverity.ERROR : ProblemSeverity.WARNING })),
    };
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => RuleSetDiff, { description: 'What changed from one version to another (or to an unsaved definition).' })
  async ruleSetDiff(
    @Arg('fromVersionId', () => ID) fromVersionId: string,
    @Arg('toVersionId', () => ID, { nullable: true }) toVersionId: string | null,
    @Arg('toDefinition', () => GraphQLJSONObject, { nullable: true }) toDefinition: object | null,
  ): Promise<RuleSetDiff> {
    const from = await this.workflow.getVersion(fromVersionId);
    const to = toVersionId != null ? (await this.workflow.getVersion(toVersionId)).definition : (toDefinition as RuleSetDefinition | null);
    if (!to) throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, 'toVersionId', 'give toVersionId or toDefinition');
    // The diff walks both documents recursively; an unsaved one is not validated first.
    const deep = tooDeeplyNested(to);
    if (deep)
      throw InvalidInputError.field(RuleSetErrorCode.InvalidRuleSet, `toDefinition.${deep}`.replace(/\.\(root\)$/, ''), NESTED_TOO_DEEPLY);
    const diff = diffDefinitions(from.definition, to);
    return { identical: diff.identical, summary: diff.summary, changes: diff };
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => Simulation, {
    description: 'Scores a lead or typed facts under a version or an unsaved definition, beside the active version.',
  })
  simulateRuleSet(@Arg('input', () => SimulateInput) input: SimulateInput): Promise<Simulation> {
    return this.simulation.simulate(input) as Promise<Simulation>;
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Query(() => [RuleSetReview])
  ruleSetReviews(@Arg('versionId', () => ID) versionId: string): Promise<RuleSetReview[]> {
    return this.workflow.reviewsOf(versionId);
  }

  @Authorized(...RULE_SET_ROLES.edit)
  @Mutation(() => RuleSet, { description: 'A new rule set with a first draft.' })
  async createRuleSet(@Arg('input', () => CreateRuleSetInput) input: CreateRuleSetInput, @Ctx() ctx: GraphQLContext): Promise<RuleSet> {
    return (await this.workflow.createRuleSet(actorOf(ctx.principal, ctx.requestId), input)).ruleSet;
  }

  @Authorized(...RULE_SET_ROLES.edit)
  @Mutation(() => RuleSetVersion, { description: 'A new draft from a definition (from scratch or a file) or as a copy of any version.' })
  createDraft(@Arg('input', () => CreateDraftInput) input: CreateDraftInput, @Ctx() ctx: GraphQLContext): Promise<RuleSetVersion> {
    return this.workflow.createDraft(actorOf(ctx.principal, ctx.requestId), input);
  }

  @Authorized(...RULE_SET_ROLES.edit)
  @Mutation(() => RuleSetVersion, {
    description: 'Saves a draft if expectedRevision is current (else CONFLICT). Editing a reviewed version sends it back to draft.',
  })
  saveDraft(@Arg('input', () => SaveDraftInput) input: SaveDraftInput, @Ctx() ctx: GraphQLContext): Promise<RuleSetVersion> {
    return this.workflow.saveDraft(actorOf(ctx.principal, ctx.requestId), input);
  }

  @Authorized(...RULE_SET_ROLES.edit)
  @Mutation(() => RuleSetVersion)
  submitForReview(@Arg('versionId', () => ID) versionId: string, @Ctx() ctx: GraphQLContext): Promise<RuleSetVersion> {
    return this.workflow.submitForReview(actorOf(ctx.principal, ctx.requestId), versionId);
  }

  @Authorized(...RULE_SET_ROLES.review)
  @Mutation(() => RuleSetVersion, { description: "Signs off for the caller's side (marketing or sales). Approved once both sides have." })
  approveVersion(@Arg('input', () => ReviewInput) input: ReviewInput, @Ctx() ctx: GraphQLContext): Promise<RuleSetVersion> {
    return this.workflow.review(actorOf(ctx.principal, ctx.requestId), { ...input, approve: true });
  }

  @Authorized(...RULE_SET_ROLES.review)
  @Mutation(() => RuleSetVersion, { description: 'Sends a version in review back to draft with a comment.' })
  requestChanges(@Arg('input', () => ReviewInput) input: ReviewInput, @Ctx() ctx: GraphQLContext): Promise<RuleSetVersion> {
    return this.workflow.review(actorOf(ctx.principal, ctx.requestId), { ...input, approve: false });
  }

  // Which roles may publish is configuration (PUBLISH_ROLES); the workflow service checks it.
  @Authorized(...RULE_SET_ROLES.publish)
  @Mutation(() => PublishResult, { description: 'Publishes an approved version and starts re-scoring every lead.' })
  async publishVersion(@Arg('versionId', () => ID) versionId: string, @Ctx() ctx: GraphQLContext): Promise<PublishResult> {
    const { version, jobId } = await this.workflow.publish(actorOf(ctx.principal, ctx.requestId), versionId);
    return { version, rescoreJobId: jobId };
  }

  @Authorized(...RULE_SET_ROLES.publish)
  @Mutation(() => PublishResult, { description: "Republishes an earlier version's definition as a new release." })
  async rollbackRuleSet(
    @Arg('ruleSetKey', () => String) ruleSetKey: string,
    @Arg('toVersionId', () => ID) toVersionId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PublishResult> {
    const { version, jobId } = await this.workflow.rollback(actorOf(ctx.principal, ctx.requestId), { ruleSetKey, toVersionId });
    return { version, rescoreJobId: jobId };
  }

  @Authorized(...RULE_SET_ROLES.edit)
  @Mutation(() => SetSegmentsResult, {
    description:
      'Sets the lead segments a rule set scores (marketing or admin; audited). A segment another rule set claims is refused, and the default rule set takes none. When the rule set is active, a job re-scores the leads of every segment that changed hands, each by the rule set that now scores it.',
  })
  async setRuleSetSegments(
    @Arg('key', () => String) key: string,
    @Arg('segments', () => [String]) segments: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<SetSegmentsResult> {
    const { ruleSet, jobId } = await this.workflow.setSegments(actorOf(ctx.principal, ctx.requestId), { key, segments });
    return { ruleSet, rescoreJobId: jobId };
  }

  @Authorized(...RULE_SET_ROLES.archive)
  @Mutation(() => RuleSet)
  archiveRuleSet(@Arg('key', () => String) key: string, @Ctx() ctx: GraphQLContext): Promise<RuleSet> {
    return this.workflow.archiveRuleSet(actorOf(ctx.principal, ctx.requestId), key);
  }
}
