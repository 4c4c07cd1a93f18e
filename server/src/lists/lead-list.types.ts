import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from 'type-graphql';
import { LeadFilter, LeadOrderEnum } from '../leads/lead.types';

@ObjectType({ description: 'A saved, named leads filter and ordering, shared by a team: every signed-in user sees it.' })
export class LeadList {
  @Field(() => ID) id: string;

  @Field(() => String, { description: 'Unique within its team, whatever its case.' }) name: string;

  @Field(() => String, { description: 'The team that shares it (by default the creator\'s owner team, else "everyone").' })
  team: string;

  @Field(() => String, { nullable: true }) description: string | null;

  @Field(() => GraphQLJSONObject, {
    description: 'The LeadFilter as saved, in the form the `leads` query takes it (pass it as its `filter` variable).',
  })
  filter: Record<string, unknown>;

  @Field(() => LeadOrderEnum) orderBy: LeadOrderEnum;

  @Field(() => String, { description: 'Who saved it, as the audit log names them (user:ana@acme.io).' }) createdBy: string;

  @Field(() => GraphQLISODateTime) createdAt: Date;

  @Field(() => GraphQLISODateTime) updatedAt: Date;
}

@InputType({ description: 'A new saved list. The filter is checked as `leads` checks it; nothing is saved when it is wrong.' })
export class CreateLeadListInput {
  @Field(() => String, { description: '1 to 100 characters, unique within the team.' }) name: string;

  @Field(() => String, {
    nullable: true,
    description: '1 to 64 characters; by default the creator\'s owner team, else "everyone".',
  })
  team?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 500 characters.' }) description?: string | null;

  @Field(() => LeadFilter, { nullable: true, description: 'No filter: every lead.' }) filter?: LeadFilter | null;

  @Field(() => LeadOrderEnum, { nullable: true, description: 'SCORE_DESC by default.' }) orderBy?: LeadOrderEnum | null;
}

@InputType({ description: 'Changes to a saved list; omitted fields stay as they are.' })
export class UpdateLeadListInput {
  @Field(() => String, { nullable: true }) name?: string | null;

  @Field(() => String, { nullable: true }) team?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty text removes it.' }) description?: string | null;

  @Field(() => LeadFilter, { nullable: true, description: 'Replaces the whole filter.' }) filter?: LeadFilter | null;

  @Field(() => LeadOrderEnum, { nullable: true }) orderBy?: LeadOrderEnum | null;
}
