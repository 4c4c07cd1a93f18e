import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DimensionEnum } from '../rulesets/ruleset.types';

/** GraphQL types of a backtest's fitted suggestions (suggestions.ts), part of BacktestResults. */

export enum BacktestSplitKindEnum {
  HASH = 'hash',
  TIME = 'time',
}
registerEnumType(BacktestSplitKindEnum, {
  name: 'BacktestSplitKind',
  description: 'HASH: by a hash of the lead id (stable, random-like); TIME: the newest leads (by creation) are held out.',
});

@ObjectType({
  description:
    'A rule’s points fitted on the training part, all rules jointly (above 100,000 training leads, on a sample of 100,000 stratified by outcome: docs/fitting.md).',
})
export class BacktestRuleSuggestion {
  @Field(() => String) rule: string;
  @Field(() => Int) currentPoints: number;
  @Field(() => Int, { description: 'Training leads it fired for (above 100,000 training leads, estimated from the fit sample).' })
  fired: number;
  @Field(() => Int, { nullable: true, description: 'Null: no suggestion (see note). 0: held at 0.' }) suggestedPoints: number | null;
  @Field(() => Float, { nullable: true, description: 'Half-width of the 95% interval of suggestedPoints, in points.' }) margin:
    | number
    | null;
  @Field(() => Float, { nullable: true, description: 'Fitted log odds.' }) coefficient: number | null;
  @Field(() => Float, { nullable: true }) standardError: number | null;
  @Field(() => String, { nullable: true, description: 'Why there is no suggestion, or why it is held at 0.' }) note: string | null;
}

@ObjectType({ description: 'A rule no rule of the set expresses, with strong evidence on the training part.' })
export class BacktestCandidateRule {
  @Field(() => String) rule: string;
  @Field(() => String) label: string;
  @Field(() => DimensionEnum) dimension: DimensionEnum;
  @Field(() => GraphQLJSONObject, { description: 'The rule ready to add (with suggestedPoints) and the facts it needs: { rule, facts }.' })
  definition: object;
  @Field(() => Int, { description: 'Training leads it fired for (above 100,000 training leads, estimated from the fit sample).' })
  fired: number;
  @Field(() => Float, { nullable: true }) conversionWhenFired: number | null;
  @Field(() => Float, { nullable: true }) lift: number | null;
  @Field(() => Float) logOddsRatio: number;
  @Field(() => Int, { nullable: true }) suggestedPoints: number | null;
  @Field(() => Float, { nullable: true }) margin: number | null;
  @Field(() => String, { nullable: true }) note: string | null;
}

@ObjectType({ description: 'A rule set measured on the holdout part.' })
export class BacktestHoldoutSummary {
  @Field(() => Float) threshold: number;
  @Field(() => Float, { nullable: true }) auc: number | null;
  @Field(() => Int) qualified: number;
  @Field(() => Float, { nullable: true }) precision: number | null;
  @Field(() => Float, { nullable: true }) recall: number | null;
  @Field(() => Float, { nullable: true }) shareToSales: number | null;
  @Field(() => Float, { nullable: true, description: 'Conversion rate of the top-scoring tenth over the part’s.' }) topDecileLift:
    | number
    | null;
}

@ObjectType({ description: 'The current and the suggested rule sets on the holdout part (leads the fit never saw).' })
export class BacktestHoldout {
  @Field(() => Int) leads: number;
  @Field(() => Int) converted: number;
  @Field(() => BacktestHoldoutSummary) current: BacktestHoldoutSummary;
  @Field(() => BacktestHoldoutSummary, {
    nullable: true,
    description: 'Rules with their suggested points, thresholds re-tuned on the training part to keep its MQL share.',
  })
  suggested: BacktestHoldoutSummary | null;
  @Field(() => BacktestHoldoutSummary, { nullable: true, description: '...plus the candidate rules.' })
  withCandidates: BacktestHoldoutSummary | null;
}

@ObjectType()
export class BacktestSplit {
  @Field(() => BacktestSplitKindEnum) kind: BacktestSplitKindEnum;
  @Field(() => Float) holdoutShare: number;
  @Field(() => Int, {
    description:
      'Leads in the training part. Above 100,000, points are fitted on a sample of 100,000 of them: every conversion while they are at most half of it, the rest by a fixed hash of the lead id (docs/fitting.md).',
  })
  trainingLeads: number;
  @Field(() => Int) holdoutLeads: number;
}

@ObjectType({
  description: 'Points fitted from outcomes on the training part, candidate rules, and how both do on the holdout part (docs/fitting.md).',
})
export class BacktestSuggestions {
  @Field(() => BacktestSplit) split: BacktestSplit;
  @Field(() => Boolean, { description: 'False when nothing is suggested (see reason).' }) fitted: boolean;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Points per unit of log odds (one scale: the fitted rules keep their total absolute points).',
  })
  pointsPerLogOdds: number | null;
  @Field(() => [BacktestRuleSuggestion]) rules: BacktestRuleSuggestion[];
  @Field(() => [BacktestRuleSuggestion], {
    nullable: true,
    description: 'The rules’ points when fitted together with the candidates (used when candidates are applied).',
  })
  rulesWithCandidates: BacktestRuleSuggestion[] | null;
  @Field(() => [BacktestCandidateRule]) candidates: BacktestCandidateRule[];
  @Field(() => BacktestHoldout) holdout: BacktestHoldout;
}
