import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLISODateTime } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';
import { DimensionEnum } from '../rulesets/ruleset.types';

@ObjectType({
  description: 'Why the score has the points it has: a rule that fired, or a cap or decay adjustment (rule names starting with $).',
})
export class ScoreReason {
  @Field(() => String, { description: 'Rule name, or $cap.fit / $cap.engagement / $decay for adjustments.' })
  rule: string;

  @Field(() => String, { description: 'What sales reads.' })
  label: string;

  @Field(() => DimensionEnum)
  dimension: DimensionEnum;

  @Field(() => Int)
  points: number;
}

@ObjectType({ description: 'The backtest a conversion probability is calibrated on.' })
export class ConversionProbabilitySource {
  @Field(() => ID) backtestRunId: string;
  @Field(() => GraphQLISODateTime) calibratedAt: Date;
  @Field(() => Int, { description: 'Leads the calibration was fitted on.' }) cohortSize: number;
  @Field(() => Int) conversions: number;
  @Field(() => GraphQLISODateTime, { description: 'The newest creation time of the cohort’s leads: how old the evidence is.' })
  cohortEndsAt: Date;
}

@ObjectType({
  description:
    'Estimated probability that a lead with this score converts, from the latest accepted backtest of the score’s version (isotonic by score).',
})
export class ConversionProbability {
  @Field(() => Float, { nullable: true, description: 'From 0 to 1; null when no backtest of the version is accepted (see reason).' }) value:
    | number
    | null;
  @Field(() => ConversionProbabilitySource, { nullable: true }) source: ConversionProbabilitySource | null;
  @Field(() => Boolean, { description: 'The version changed since, or the cohort ends more than 180 days ago: the value is dated.' })
  stale: boolean;
  @Field(() => String, { nullable: true, description: 'Why there is no value, or why it is stale.' }) reason: string | null;
}

@ObjectType({ description: "A lead's score under one rule set version. The reasons' points add up to fit and engagement." })
export class Score {
  @Field(() => Int, { description: 'fit + engagement' })
  total: number;

  @Field(() => Int)
  fit: number;

  @Field(() => Int, { description: 'After caps and decay.' })
  engagement: number;

  @Field(() => String, { description: 'A (best fit) to D.' })
  fitGrade: string;

  @Field(() => Int, { description: '1 (most engaged) to 4.' })
  engagementLevel: number;

  @Field(() => String, { description: 'Grade and level, e.g. A1.' })
  cell: string;

  @Field(() => String, { description: 'e.g. hot, warm, cold.' })
  band: string;

  @Field(() => Boolean, { description: 'Total at or above the qualification threshold (e.g. MQL).' })
  qualified: boolean;

  @Field(() => String, { description: "The agreed next action for the lead's cell, e.g. send_to_sales." })
  action: string;

  @Field(() => String)
  actionLabel: string;

  @Field(() => String)
  ruleSetKey: string;

  @Field(() => Int)
  ruleSetVersion: number;

  @Field(() => GraphQLISODateTime, { description: 'When this score was computed (its "as of" time).' })
  scoredAt: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastActivityAt: Date | null;

  @Field(() => [ScoreReason])
  reasons: ScoreReason[];
}

@ObjectType({ description: 'A score at one point of its history.' })
export class ScoreSnapshot {
  @Field(() => Int) fit: number;
  @Field(() => Int) engagement: number;
  @Field(() => Int) total: number;
  @Field(() => String) cell: string;
  @Field(() => String) band: string;
  @Field(() => Boolean) qualified: boolean;
}

@ObjectType({ description: 'One change of a lead score: old and new values, and what caused it.' })
export class ScoreChange {
  @Field(() => ID) id: string;

  @Field(() => String, { description: 'lead_created, lead_updated, activity_recorded, decay, rescore or rule_set_published.' })
  cause: string;

  @Field(() => GraphQLISODateTime) changedAt: Date;

  @Field(() => ID, { nullable: true, description: 'The activity that caused it, if any.' })
  activityId: string | null;

  @Field(() => String) ruleSetKey: string;
  @Field(() => Int) ruleSetVersion: number;

  @Field(() => ScoreSnapshot, { nullable: true, description: 'Null for the first score of a lead.' })
  old: ScoreSnapshot | null;

  @Field(() => ScoreSnapshot) new: ScoreSnapshot;
}

@ObjectType()
export class ScoreChangeEdge {
  @Field(() => String) cursor: string;
  @Field(() => ScoreChange) node: ScoreChange;
}

@ObjectType()
export class ScoreChangeConnection {
  @Field(() => [ScoreChangeEdge]) edges: ScoreChangeEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@ObjectType({ description: 'Outcome of re-scoring many leads.' })
export class ScorePassResult {
  @Field(() => Int) leadsScored: number;
  @Field(() => Int, { description: 'Leads whose score changed (and got a history entry).' }) leadsChanged: number;
  @Field(() => GraphQLISODateTime) asOf: Date;
}
