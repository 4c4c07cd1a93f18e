import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, Float, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import { RuleSetVersion } from '../rulesets/ruleset.types';
import type { VersionRow } from '../rulesets/ruleset-workflow.service';
import type { ApplySuggestionsService, VersionEvidence as EvidenceRow } from './apply-suggestions.service';
import { BACKTEST_ROLES } from './backtest-roles';
import { BacktestHoldoutSummary } from './backtest-suggestion.types';

@InputType({ description: 'How many leads the re-tuned qualification threshold should let through: give exactly one.' })
export class SuggestionTargetInput {
  @Field(() => Boolean, { nullable: true, description: 'Keep the share of the cohort that qualifies today.' }) keepMqlShare?:
    | boolean
    | null;
  @Field(() => Int, { nullable: true, description: 'Sales can take this many MQLs a week (given the cohort’s leads per week).' })
  mqlsPerWeek?: number | null;
}

@InputType()
export class ApplyBacktestSuggestionsInput {
  @Field(() => ID) runId: string;
  @Field(() => [String], { nullable: true, description: 'Rules whose suggested points to apply; omitted: every rule with a suggestion.' })
  rules?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Candidate rules to add (by name); omitted: none.' }) candidates?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Add every candidate rule with suggested points.' }) allCandidates?: boolean | null;
  @Field(() => SuggestionTargetInput) target: SuggestionTargetInput;
}

@ObjectType()
export class EvidenceRuleChange {
  @Field(() => String) rule: string;
  @Field(() => Int) from: number;
  @Field(() => Int) to: number;
}

@ObjectType()
export class EvidenceAddedRule {
  @Field(() => String) rule: string;
  @Field(() => String) label: string;
  @Field(() => Int) points: number;
}

@ObjectType()
export class EvidenceBandThreshold {
  @Field(() => String) band: string;
  @Field(() => Int, { nullable: true }) before: number | null;
  @Field(() => Int, { nullable: true }) after: number | null;
}

@ObjectType({ description: 'Thresholds before and after re-tuning (grades, levels and bands keep their share of the cohort).' })
export class EvidenceThresholds {
  @Field(() => Int) qualificationBefore: number;
  @Field(() => Int) qualificationAfter: number;
  @Field(() => GraphQLJSONObject, { description: '{ before: { A, B, C }, after: { A, B, C } }' }) grades: object;
  @Field(() => GraphQLJSONObject, { description: '{ before: { 1, 2, 3 }, after: { 1, 2, 3 } }' }) levels: object;
  @Field(() => [EvidenceBandThreshold]) bands: EvidenceBandThreshold[];
}

@ObjectType({ description: 'The active version and this draft on the backtest’s holdout part (leads the fit never saw).' })
export class EvidenceHoldout {
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => ID) activeVersionId: string;
  @Field(() => Int) activeVersion: number;
  @Field(() => BacktestHoldoutSummary) active: BacktestHoldoutSummary;
  @Field(() => BacktestHoldoutSummary) draft: BacktestHoldoutSummary;
}

@ObjectType({ description: 'What a version made from backtest suggestions rests on, for its reviewers.' })
export class RuleSetVersionEvidence {
  @Field(() => ID) backtestRunId: string;
  @Field(() => Boolean, {
    description:
      'The version was edited after the suggestions were applied: the figures describe the definition as applied, not as it is now.',
  })
  stale: boolean;
  @Field(() => GraphQLJSONObject, { description: '{ keepMqlShare: true } or { mqlsPerWeek: N }' }) target: object;
  @Field(() => [EvidenceRuleChange]) appliedRules: EvidenceRuleChange[];
  @Field(() => [EvidenceAddedRule]) addedCandidates: EvidenceAddedRule[];
  @Field(() => [String]) notes: string[];
  @Field(() => EvidenceThresholds) thresholds: EvidenceThresholds;
  @Field(() => Float, { description: 'Share of the cohort qualified by the version the suggestions were fitted for.' })
  mqlShareBefore: number;
  @Field(() => Float, { description: '...and by this version.' }) mqlShareAfter: number;
  @Field(() => Float, { nullable: true }) mqlsPerWeekBefore: number | null;
  @Field(() => Float, { nullable: true }) mqlsPerWeekAfter: number | null;
  @Field(() => EvidenceHoldout) holdout: EvidenceHoldout;
}

@ObjectType()
export class ApplyBacktestSuggestionsPayload {
  @Field(() => RuleSetVersion, { description: 'The new draft (submit it for review as any draft).' }) version: RuleSetVersion;
  @Field(() => RuleSetVersionEvidence) evidence: RuleSetVersionEvidence;
}

function toEvidence(row: EvidenceRow, currentChecksum: string): RuleSetVersionEvidence {
  return { ...row, stale: row.definitionChecksum !== currentChecksum };
}

@Resolver(() => RuleSetVersion)
export class ApplySuggestionsResolver {
  constructor(private readonly service: ApplySuggestionsService) {}

  @Authorized(...BACKTEST_ROLES.applySuggestions)
  @Mutation(() => ApplyBacktestSuggestionsPayload, {
    description:
      'Turns a backtest’s chosen suggestions into a new draft of the backtested rule set, with grade, level, band and qualification thresholds re-tuned on the cohort to the target, and keeps the holdout comparison with the active version on it (RuleSetVersion.evidence).',
  })
  async applyBacktestSuggestions(
    @Arg('input', () => ApplyBacktestSuggestionsInput) input: ApplyBacktestSuggestionsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ApplyBacktestSuggestionsPayload> {
    const { version, evidence } = await this.service.apply(actorOf(ctx.principal, ctx.requestId), input);
    return { version: version as RuleSetVersion & VersionRow, evidence: toEvidence(evidence, version.checksum) };
  }

  @FieldResolver(() => RuleSetVersionEvidence, {
    nullable: true,
    description:
      'For a version made from backtest suggestions: the holdout comparison with the then active version, and the re-tuned thresholds.',
  })
  async evidence(@Root() version: RuleSetVersion): Promise<RuleSetVersionEvidence | null> {
    const row = await this.service.evidenceOf(version.id);
    return row ? toEvidence(row, version.checksum) : null;
  }
}
