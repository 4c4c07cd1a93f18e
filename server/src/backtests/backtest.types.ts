import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DimensionEnum } from '../rulesets/ruleset.types';
import { ScoreSubjectEnum } from '../rulesets/score-models.types';
import { BacktestSplitKindEnum, BacktestSuggestions } from './backtest-suggestion.types';

export enum BacktestOpenLeadsEnum {
  NOT_CONVERTED = 'not_converted',
  EXCLUDED = 'excluded',
}
registerEnumType(BacktestOpenLeadsEnum, {
  name: 'BacktestOpenLeads',
  description: 'How leads still open are counted: as not converted (default), or left out of the metrics.',
});

// ---- inputs ----

@InputType({ description: 'How the cohort is split: suggestions are fitted on the training part and judged on the holdout part.' })
export class BacktestSplitInput {
  @Field(() => BacktestSplitKindEnum, { nullable: true, description: 'HASH by default.' }) kind?: BacktestSplitKindEnum | null;
  @Field(() => Float, { nullable: true, description: 'Share of the cohort held out, 0.05 to 0.95; 0.3 by default.' }) holdoutShare?:
    | number
    | null;
}

@InputType({ description: 'A lead attribute the cohort’s leads must have, with exactly this value.' })
export class BacktestAttributeEqualsInput {
  @Field(() => String) name: string;
  @Field(() => GraphQLJSON, { description: 'A string, number or boolean.' }) value: unknown;
}

@InputType({ description: 'Which historical leads to backtest on, and as of when their facts are taken.' })
export class BacktestCohortInput {
  @Field(() => GraphQLISODateTime, { description: 'Leads created at or after this time...' }) createdFrom: Date;
  @Field(() => GraphQLISODateTime, { description: '...and before this one.' }) createdTo: Date;
  @Field(() => String, { nullable: true }) source?: string | null;
  @Field(() => String, { nullable: true }) segment?: string | null;
  @Field(() => [BacktestAttributeEqualsInput], { nullable: true }) attributes?: BacktestAttributeEqualsInput[] | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Facts as of this fixed time (at or after createdTo)... Give this or cutoffDaysAfterCreation.',
  })
  cutoffAt?: Date | null;
  @Field(() => Int, {
    nullable: true,
    description: '...or as of N days after each lead was created. Either way, never after the lead converted or was lost.',
  })
  cutoffDaysAfterCreation?: number | null;
}

@InputType({
  description: 'Backtest a rule set version (versionId) or an unsaved definition on a cohort (a spec, or a prepared cohort’s id).',
})
export class RunBacktestInput {
  @Field(() => BacktestCohortInput, { nullable: true }) cohort?: BacktestCohortInput | null;
  @Field(() => ID, { nullable: true }) cohortId?: string | null;
  @Field(() => ID, { nullable: true }) versionId?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'An unsaved rule set definition (e.g. the draft being edited).' })
  definition?: object | null;
  @Field(() => ID, { nullable: true, description: 'Also score the cohort under this version and compare, metric by metric.' })
  compareToVersionId?: string | null;
  @Field(() => BacktestOpenLeadsEnum, { nullable: true }) openLeads?: BacktestOpenLeadsEnum | null;
  @Field(() => BacktestSplitInput, {
    nullable: true,
    description: 'Training/holdout split; by a hash of the lead id, 30% held out, by default.',
  })
  split?: BacktestSplitInput | null;
}

// ---- cohorts ----

@ObjectType()
export class BacktestAttributeEquals {
  @Field(() => String) name: string;
  @Field(() => GraphQLJSON) value: unknown;
}

@ObjectType({ description: 'A cohort spec, normalised.' })
export class BacktestCohortSpec {
  @Field(() => GraphQLISODateTime) createdFrom: Date;
  @Field(() => GraphQLISODateTime) createdTo: Date;
  @Field(() => String, { nullable: true }) source: string | null;
  @Field(() => String, { nullable: true }) segment: string | null;
  @Field(() => [BacktestAttributeEquals]) attributes: BacktestAttributeEquals[];
  @Field(() => GraphQLISODateTime, { nullable: true }) cutoffAt: Date | null;
  @Field(() => Int, { nullable: true }) cutoffDaysAfterCreation: number | null;
}

@ObjectType({ description: 'Historical leads frozen as of their cutoff, prepared once and reused by every backtest on them.' })
export class BacktestCohort {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'sha256 of the normalised spec.' }) checksum: string;
  @Field(() => Int, {
    description: '0 for the spec’s first preparation; each preparation again (outcomes changed, or refresh) is the next.',
  })
  generation: number;
  @Field(() => BacktestCohortSpec) spec: BacktestCohortSpec;
  @Field(() => ScoreSubjectEnum, { description: 'ACCOUNT: the accounts of the leads the spec selects, for account models.' })
  subject: 'lead' | 'account';
  @Field(() => Int, {
    nullable: true,
    description: 'Accounts in an ACCOUNT cohort (leadCount counts their contacts; converted and decided count accounts).',
  })
  accountCount: number | null;
  @Field(() => String) description: string;
  @Field(() => Int) leadCount: number;
  @Field(() => Int) convertedCount: number;
  @Field(() => Int, { description: 'Converted or lost.' }) decidedCount: number;
  @Field(() => Float, { description: 'Activities before the leads’ cutoffs.' }) activityCount: number;
  @Field(() => Int, { description: 'Distinct activity property objects.' }) propertyCount: number;
  @Field(() => String) createdBy: string;
  @Field(() => GraphQLISODateTime) preparedAt: Date;
  @Field(() => Int) prepareMs: number;
  @Field(() => Boolean, { description: 'Held in memory by this process: backtests start at once.' }) cached: boolean;
}

// ---- metrics ----

@ObjectType()
export class BacktestRocPoint {
  @Field(() => Float, { description: 'False positive rate.' }) fpr: number;
  @Field(() => Float, { description: 'True positive rate (recall).' }) tpr: number;
  @Field(() => Float, { nullable: true, description: 'Leads scoring at least this are predicted to convert; null for the first point.' })
  threshold: number | null;
}

@ObjectType({ description: 'Leads of a group, how many converted, and their revenue.' })
export class BacktestBand {
  @Field(() => String) band: string;
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => Float, { nullable: true }) conversionRate: number | null;
  @Field(() => Float) revenue: number;
}

@ObjectType()
export class BacktestCell {
  @Field(() => String, { description: 'A1 ... D4' }) cell: string;
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => Float, { nullable: true }) conversionRate: number | null;
  @Field(() => Float) revenue: number;
}

@ObjectType({ description: 'A tenth of the leads by score (1 = highest scores).' })
export class BacktestDecile {
  @Field(() => Int) decile: number;
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => Float, { nullable: true }) conversionRate: number | null;
  @Field(() => Float) revenue: number;
  @Field(() => Float, { nullable: true }) minScore: number | null;
  @Field(() => Float, { nullable: true }) maxScore: number | null;
  @Field(() => Float, { nullable: true, description: 'Conversion rate of the decile over the cohort’s.' }) lift: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of all conversions in deciles 1 to this one.' }) cumulativeGain: number | null;
}

@ObjectType({ description: 'How one rule relates to conversion on the cohort.' })
export class BacktestRule {
  @Field(() => String) rule: string;
  @Field(() => String) label: string;
  @Field(() => DimensionEnum) dimension: DimensionEnum;
  @Field(() => Int) currentPoints: number;
  @Field(() => Int) fired: number;
  @Field(() => Float, { nullable: true }) fireRate: number | null;
  @Field(() => Float, { nullable: true }) conversionWhenFired: number | null;
  @Field(() => Float, { nullable: true }) conversionWhenNotFired: number | null;
  @Field(() => Float, { nullable: true, description: 'Conversion when fired over the cohort’s conversion rate.' }) lift: number | null;
  @Field(() => Float, { nullable: true, description: 'ln odds of conversion when fired minus when not (add-one smoothed).' }) logOddsRatio:
    | number
    | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'Points fitted on the training part, all rules jointly (see results.suggestions for the margin and why a rule has none). Null when none is suggested.',
  })
  suggestedPoints: number | null;
}

@ObjectType()
export class BacktestPointsScale {
  @Field(() => Float, { nullable: true }) fit: number | null;
  @Field(() => Float, { nullable: true }) engagement: number | null;
}

@ObjectType({ description: 'How well the scores separated the leads that converted from the rest.' })
export class BacktestMetrics {
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => Float, { nullable: true }) conversionRate: number | null;
  @Field(() => Float) revenue: number;
  @Field(() => Float, {
    nullable: true,
    description: 'ROC AUC: the chance a converted lead outscores one that did not (ties count half). Null without both.',
  })
  auc: number | null;
  @Field(() => [BacktestRocPoint], { description: 'At most 101 points, highest threshold first.' }) rocCurve: BacktestRocPoint[];
  @Field(() => Float, { description: 'The qualification threshold the next figures are taken at.' }) threshold: number;
  @Field(() => Int, { description: 'Leads at or above the threshold (would go to sales).' }) qualified: number;
  @Field(() => Float, { nullable: true }) precision: number | null;
  @Field(() => Float, { nullable: true }) recall: number | null;
  @Field(() => Float, { nullable: true }) f1: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of the leads that would go to sales.' }) shareToSales: number | null;
  @Field(() => [BacktestBand]) bands: BacktestBand[];
  @Field(() => [BacktestCell], { description: 'All 16 cells A1 ... D4.' }) cells: BacktestCell[];
  @Field(() => [BacktestDecile]) deciles: BacktestDecile[];
  @Field(() => [BacktestRule]) rules: BacktestRule[];
  @Field(() => BacktestPointsScale, { description: 'Points per unit of log odds behind suggestedPoints (one scale for both dimensions).' })
  pointsPerLogOdds: BacktestPointsScale;
}

// ---- comparison ----

@ObjectType({ description: 'Candidate minus baseline for a group of leads.' })
export class BacktestGroupDelta {
  @Field(() => String, { description: 'The band or cell.' }) group: string;
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => Float, { nullable: true }) conversionRate: number | null;
  @Field(() => Float) revenue: number;
}

@ObjectType()
export class BacktestDecileDelta {
  @Field(() => Int) decile: number;
  @Field(() => Float, { nullable: true }) conversionRate: number | null;
  @Field(() => Float, { nullable: true }) lift: number | null;
  @Field(() => Float, { nullable: true }) cumulativeGain: number | null;
}

@ObjectType()
export class BacktestRuleDelta {
  @Field(() => String) rule: string;
  @Field(() => Int, { nullable: true, description: 'Null when the rule is not in the baseline.' }) baselinePoints: number | null;
  @Field(() => Int, { nullable: true, description: 'Null when the rule is not in the candidate.' }) candidatePoints: number | null;
  @Field(() => Float, { nullable: true }) fireRate: number | null;
  @Field(() => Float, { nullable: true }) conversionWhenFired: number | null;
  @Field(() => Float, { nullable: true }) lift: number | null;
}

@ObjectType({ description: 'Candidate minus baseline, metric by metric (null where either is null).' })
export class BacktestDeltas {
  @Field(() => Float, { nullable: true }) auc: number | null;
  @Field(() => Float, { nullable: true }) precision: number | null;
  @Field(() => Float, { nullable: true }) recall: number | null;
  @Field(() => Float, { nullable: true }) f1: number | null;
  @Field(() => Float, { nullable: true }) shareToSales: number | null;
  @Field(() => Int) qualified: number;
  @Field(() => [BacktestGroupDelta]) bands: BacktestGroupDelta[];
  @Field(() => [BacktestGroupDelta]) cells: BacktestGroupDelta[];
  @Field(() => [BacktestDecileDelta]) deciles: BacktestDecileDelta[];
  @Field(() => [BacktestRuleDelta]) rules: BacktestRuleDelta[];
}

@ObjectType({ description: 'Leads in cell `from` under the baseline and in cell `to` under the candidate.' })
export class BacktestCellMove {
  @Field(() => String) from: string;
  @Field(() => String) to: string;
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => [String], { description: 'Up to 5 of the leads’ external ids.' }) examples: string[];
}

@ObjectType({ description: 'The backtested rule set next to the version it is compared to, on the same leads.' })
export class BacktestComparison {
  @Field(() => ID) baselineVersionId: string;
  @Field(() => Int, { nullable: true }) baselineVersion: number | null;
  @Field(() => BacktestMetrics) baseline: BacktestMetrics;
  @Field(() => BacktestDeltas) deltas: BacktestDeltas;
  @Field(() => [BacktestCellMove], {
    description: 'The 16 x 16 cell-to-cell matrix as a list of its non-empty entries (the diagonal included).',
  })
  cellMoves: BacktestCellMove[];
  @Field(() => Int) leadsChangingCell: number;
}

@ObjectType()
export class BacktestTimings {
  @Field(() => Int) loadCohortMs: number;
  @Field(() => Int) scoreMs: number;
  @Field(() => Int) metricsMs: number;
  @Field(() => Int, { nullable: true, description: 'Fitting the suggestions and measuring them on the holdout part.' }) fitMs:
    | number
    | null;
}

@ObjectType()
export class BacktestResults {
  @Field(() => BacktestMetrics) metrics: BacktestMetrics;
  @Field(() => BacktestComparison, { nullable: true }) comparison: BacktestComparison | null;
  @Field(() => BacktestSuggestions, { nullable: true, description: 'Null for runs stored before suggestions were fitted.' })
  suggestions: BacktestSuggestions | null;
  @Field(() => Boolean, { description: 'The compiled evaluator scored the cohort (false: json-rules-engine, lead by lead).' })
  compiled: boolean;
  @Field(() => BacktestTimings) timings: BacktestTimings;
  @Field(() => GraphQLJSONObject, { description: 'Everything above as one JSON document (for export).' }) raw: object;
}

@ObjectType({ description: 'A backtest: a rule set scored on a cohort of historical leads, against what they did.' })
export class BacktestRun {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'queued, running, completed or failed' }) status: string;
  @Field(() => ScoreSubjectEnum, {
    description: 'LEAD, or ACCOUNT for a version of an account model: its cohort, metrics and examples are then about accounts.',
  })
  subject: 'lead' | 'account';
  @Field(() => ID, { nullable: true, description: 'Null until a queued run has prepared its cohort.' }) cohortId: string | null;
  @Field(() => BacktestCohortSpec) cohortSpec: BacktestCohortSpec;
  @Field(() => String) cohortChecksum: string;
  @Field(() => String) ruleSetKey: string;
  @Field(() => ID, { nullable: true, description: 'Null for an unsaved definition.' }) versionId: string | null;
  @Field(() => Int, { nullable: true }) version: number | null;
  @Field(() => String, { description: 'sha256 of the definition backtested: with cohortChecksum, what makes the results reproducible.' })
  definitionChecksum: string;
  @Field(() => ID, { nullable: true }) compareToVersionId: string | null;
  @Field(() => Int, { nullable: true }) compareToVersion: number | null;
  @Field(() => String, { nullable: true }) compareChecksum: string | null;
  @Field(() => BacktestOpenLeadsEnum) openLeads: BacktestOpenLeadsEnum;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => String) createdBy: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt: Date | null;
  @Field(() => Int, { nullable: true }) durationMs: number | null;
}
