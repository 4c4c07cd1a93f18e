import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

/** A rule's dimension (engine `Dimension`) as GraphQL shows it; scores and backtests reuse it. */
export enum DimensionEnum {
  FIT = 'fit',
  ENGAGEMENT = 'engagement',
}
registerEnumType(DimensionEnum, { name: 'Dimension', description: 'What a rule awards points to: explicit fit or implicit engagement.' });

@ObjectType({ description: 'A published rule set version currently used for scoring.' })
export class ActiveRuleSet {
  @Field(() => ID) ruleSetId: string;
  @Field(() => String) key: string;
  @Field(() => String, { description: 'The score model it scores for.' }) model: string;
  @Field(() => String) name: string;
  @Field(() => Boolean, { description: 'Scores every lead whose segment no other rule set claims.' }) isDefault: boolean;
  @Field(() => [String]) segments: string[];
  @Field(() => ID) versionId: string;
  @Field(() => Int) version: number;
  @Field(() => String, { description: 'sha256 of the canonical definition.' }) checksum: string;
  @Field(() => GraphQLJSONObject, { description: 'The rule set document (rules/ruleset.schema.json).' }) definition: object;
}

export enum ProblemSeverity {
  ERROR = 'error',
  WARNING = 'warning',
}
registerEnumType(ProblemSeverity, {
  name: 'ProblemSeverity',
  description: 'ERROR: the rule set is refused until it is fixed. WARNING: shown, but the rule set stays valid.',
});

@ObjectType({ description: 'Something wrong with an input, located by its path (e.g. rules[3].conditions.all[1].value).' })
export class Problem {
  @Field(() => String, { description: 'Where, for tools: a JSON path into the input.' }) path: string;
  @Field(() => String, { description: 'What is wrong, in a sentence for people.' }) message: string;
  @Field(() => ProblemSeverity) severity: ProblemSeverity;
  @Field(() => String, { nullable: true, description: 'The value to put in place of the one at path ("did you mean"), if there is one.' })
  suggestion?: string | null;
}

@ObjectType()
export class ValidationResult {
  @Field(() => Boolean) valid: boolean;
  @Field(() => [Problem]) problems: Problem[];
}

@ObjectType({ description: 'A sign-off or a request for changes by the marketing or the sales side.' })
export class RuleSetReview {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'marketing or sales' }) side: string;
  @Field(() => String, { description: 'approved or changes_requested' }) decision: string;
  @Field(() => String) reviewer: string;
  @Field(() => String) comment: string;
  @Field(() => Int, { description: 'The revision reviewed.' }) revision: number;
  @Field(() => Boolean, { description: 'Voided by a later edit.' }) voided: boolean;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@ObjectType({ description: 'One numbered version of a rule set: a draft until published, immutable once published.' })
export class RuleSetVersion {
  @Field(() => ID) id: string;
  @Field(() => ID) ruleSetId: string;
  @Field(() => String) ruleSetKey: string;
  @Field(() => Int) version: number;
  @Field(() => String, { description: 'draft, in_review, approved, published (active) or retired' }) status: string;
  @Field(() => GraphQLJSONObject) definition: object;
  @Field(() => String) checksum: string;
  @Field(() => Int, { description: 'Pass it as expectedRevision when saving (optimistic concurrency).' }) revision: number;
  @Field(() => String, { nullable: true }) createdBy: string | null;
  @Field(() => [String], { description: 'Everyone who edited it; none of them may approve it.' }) editors: string[];
  @Field(() => String) note: string;
  @Field(() => ID, { nullable: true }) basedOnVersionId: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime) updatedAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) submittedAt: Date | null;
  @Field(() => String, { nullable: true }) submittedBy: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) approvedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) publishedAt: Date | null;
  @Field(() => String, { nullable: true }) publishedBy: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) retiredAt: Date | null;
}

@ObjectType({ description: 'A scoring model: a key, and its numbered versions, one of them active.' })
export class RuleSet {
  @Field(() => ID) id: string;
  @Field(() => String) key: string;
  @Field(() => String, { description: 'The score model it scores for (ScoreModel.key).' }) model: string;
  @Field(() => String) name: string;
  @Field(() => String) description: string;
  @Field(() => Boolean) isDefault: boolean;
  @Field(() => [String], { description: 'Lead segments this rule set scores.' }) segments: string[];
  @Field(() => ID, { nullable: true }) activeVersionId: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) archivedAt: Date | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime) updatedAt: Date;
}

@ObjectType({ description: 'Differences between two rule set definitions.' })
export class RuleSetDiff {
  @Field(() => Boolean) identical: boolean;
  @Field(() => [String], { description: 'One readable line per change.' }) summary: string[];
  @Field(() => GraphQLJSONObject, {
    description: 'Structured changes: rules added/removed/changed (condition by condition), facts, thresholds, cells, decay.',
  })
  changes: object;
}

@ObjectType({ description: 'A condition that evaluated false (or, inside not, true) and so kept a rule from firing.' })
export class FailedCondition {
  @Field(() => String) path: string;
  @Field(() => String) fact: string;
  @Field(() => String) operator: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value the rule expects.' }) value: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value of the fact that was seen.' }) factValue: unknown;
  @Field(() => Boolean, { description: 'True when the condition held inside a `not` (and so failed it).' }) negated: boolean;
  @Field(() => String, { nullable: true }) note?: string;
  @Field(() => String, { nullable: true, description: 'The shared condition it comes from, if any.' }) sharedCondition?: string;
}

@ObjectType({ description: "One rule's outcome in a simulation." })
export class RuleOutcome {
  @Field(() => String) rule: string;
  @Field(() => String) label: string;
  @Field(() => DimensionEnum) dimension: DimensionEnum;
  @Field(() => Int) points: number;
  @Field(() => Boolean) fired: boolean;
  @Field(() => Boolean, { description: 'False when the engine skipped the rule.' }) evaluated: boolean;
  @Field(() => [FailedCondition]) failedConditions: FailedCondition[];
  @Field(() => GraphQLJSON, { description: 'The evaluated condition tree with each node’s result.' }) conditions: unknown;
}

@ObjectType()
export class SimulatedScore {
  @Field(() => Int) total: number;
  @Field(() => Int) fit: number;
  @Field(() => Int) engagement: number;
  @Field(() => String) fitGrade: string;
  @Field(() => Int) engagementLevel: number;
  @Field(() => String) cell: string;
  @Field(() => String) band: string;
  @Field(() => Boolean) qualified: boolean;
  @Field(() => String) action: string;
  @Field(() => String) actionLabel: string;
}

@ObjectType({ description: 'What one rule set version makes of the lead or facts.' })
export class SimulationSide {
  @Field(() => String) ruleSetKey: string;
  @Field(() => Int, { nullable: true, description: 'Null for an unsaved definition.' }) version: number | null;
  @Field(() => ID, { nullable: true }) versionId: string | null;
  @Field(() => GraphQLJSONObject) facts: object;
  @Field(() => Int) daysInactive: number;
  @Field(() => SimulatedScore) score: SimulatedScore;
  @Field(() => [RuleOutcome]) rules: RuleOutcome[];
}

@ObjectType()
export class Simulation {
  @Field(() => SimulationSide) candidate: SimulationSide;
  @Field(() => SimulationSide, { description: 'The active version, for comparison.' }) active: SimulationSide;
}

@InputType({ description: 'Simulate a version (versionId) or an unsaved definition, on a lead or on facts typed by hand.' })
export class SimulateInput {
  @Field(() => ID, { nullable: true }) versionId?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) definition?: object | null;
  @Field(() => ID, { nullable: true }) leadId?: string | null;
  @Field(() => String, { nullable: true }) leadExternalId?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) facts?: Record<string, unknown> | null;
  @Field(() => Int, { nullable: true, description: 'Days without activity, for decay, with typed facts.' }) daysInactive?: number | null;
}

@InputType()
export class CreateRuleSetInput {
  @Field(() => String) key: string;
  @Field(() => String, {
    nullable: true,
    description: 'The score model (ScoreModel.key) it scores for; "default" when omitted. The first rule set of a model is its default.',
  })
  model?: string | null;
  @Field(() => String) name: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) segments?: string[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The first draft; a copy of the default model when omitted.' })
  definition?: object | null;
}

@InputType()
export class CreateDraftInput {
  @Field(() => String) ruleSetKey: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'A definition (from scratch or a file).' }) definition?: object | null;
  @Field(() => ID, { nullable: true, description: 'Or copy this version.' }) copyOfVersionId?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@InputType()
export class SaveDraftInput {
  @Field(() => ID) versionId: string;
  @Field(() => GraphQLJSONObject) definition: object;
  @Field(() => Int, { description: 'The revision you loaded; a save on a newer revision is a CONFLICT.' }) expectedRevision: number;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@InputType()
export class ReviewInput {
  @Field(() => ID) versionId: string;
  @Field(() => String, { nullable: true }) comment?: string | null;
}

/** Its `rescoreJob` field is resolved by scoring/rescore/rescore.resolver.ts. */
@ObjectType()
export class SetSegmentsResult {
  @Field(() => RuleSet) ruleSet: RuleSet;
  rescoreJobId: string | null;
}

/** Its `rescoreJob` field is resolved by scoring/rescore/rescore.resolver.ts. */
@ObjectType()
export class PublishResult {
  @Field(() => RuleSetVersion) version: RuleSetVersion;
  rescoreJobId: string;
}
