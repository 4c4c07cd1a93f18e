import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { DimensionEnum } from '../../rulesets/ruleset.types';

@ObjectType({ description: 'A contact behind an account score reason.' })
export class ReasonContact {
  @Field(() => ID) leadId: string;
  @Field(() => String) label: string;
}

@ObjectType({ description: 'Why a model score has the points it has: a rule that fired, or a cap or decay adjustment ($ rules).' })
export class ModelScoreReason {
  @Field(() => String) rule: string;
  @Field(() => DimensionEnum) dimension: DimensionEnum;
  @Field(() => Int) points: number;
  @Field(() => String) label: string;
  @Field(() => [ReasonContact], { description: 'Account models: the contacts behind the reason (empty for lead models).' })
  contacts: ReasonContact[];
}

@ObjectType({ description: "A subject's score in one score model (ScoreModel.key), under that model's rule set version." })
export class ModelScore {
  @Field(() => String) model: string;
  @Field(() => String) ruleSetKey: string;
  @Field(() => Int) ruleSetVersion: number;
  @Field(() => Int) fit: number;
  @Field(() => Int) engagement: number;
  @Field(() => Int, { description: 'fit + engagement' }) total: number;
  @Field(() => String) fitGrade: string;
  @Field(() => Int) engagementLevel: number;
  @Field(() => String) cell: string;
  @Field(() => String) band: string;
  @Field(() => Boolean) qualified: boolean;
  @Field(() => String) action: string;
  @Field(() => String) actionLabel: string;
  @Field(() => [ModelScoreReason]) reasons: ModelScoreReason[];
  @Field(() => GraphQLISODateTime, { description: 'When this score was computed.' }) scoredAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastActivityAt: Date | null;
}

@ObjectType({ description: 'A model score as it was before or after a change.' })
export class ScoreSnapshotLite {
  @Field(() => Int) total: number;
  @Field(() => String) cell: string;
  @Field(() => String) band: string;
  @Field(() => Boolean) qualified: boolean;
}

@ObjectType({ description: 'A change of a model score.' })
export class ModelScoreChange {
  @Field(() => String) model: string;
  @Field(() => String, { description: 'What caused it (ScoreHistory causes, e.g. activity_recorded, decay, account_changed).' })
  cause: string;
  @Field(() => Int) ruleSetVersion: number;
  @Field(() => ScoreSnapshotLite, { nullable: true, description: 'Null for the first score.' }) before: ScoreSnapshotLite | null;
  @Field(() => ScoreSnapshotLite) after: ScoreSnapshotLite;
  @Field(() => GraphQLISODateTime) changedAt: Date;
}
