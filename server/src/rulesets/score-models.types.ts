import { Field, GraphQLISODateTime, InputType, ObjectType, registerEnumType } from 'type-graphql';

/** What a score model scores (score_model.subject); backtests and accounts reuse it. */
export enum ScoreSubjectEnum {
  LEAD = 'lead',
  ACCOUNT = 'account',
}
registerEnumType(ScoreSubjectEnum, { name: 'ScoreSubject', description: 'What a score model scores: leads (contacts) or accounts.' });

/** Its `ruleSets` field is resolved by score-models.resolver.ts. */
@ObjectType({ description: 'A named scoring stream for leads or accounts, with its own rule sets, versions and scores.' })
export class ScoreModel {
  @Field(() => String) key: string;
  @Field(() => ScoreSubjectEnum) subject: ScoreSubjectEnum;
  @Field(() => String) name: string;
  @Field(() => String) description: string;
  @Field(() => Boolean, { description: 'The model a subject is scored by unless another is named (Lead.score for leads).' })
  isDefault: boolean;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@InputType()
export class CreateScoreModelInput {
  @Field(() => String, { description: 'A lower-case letter, then lower-case letters, digits, "-" or "_" (2 to 63 characters).' })
  key: string;
  @Field(() => String) name: string;
  @Field(() => ScoreSubjectEnum) subject: ScoreSubjectEnum;
  @Field(() => String, { nullable: true }) description?: string | null;
}
