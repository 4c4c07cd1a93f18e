import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Score } from '../scoring/score.types';

export enum LeadChangeKindEnum {
  ENTERED = 'ENTERED',
  LEFT = 'LEFT',
  CHANGED = 'CHANGED',
}
registerEnumType(LeadChangeKindEnum, {
  name: 'LeadChangeKind',
  description:
    'ENTERED: the lead now matches the filter and did not; LEFT: it matched and no longer does; CHANGED: it still matches, its score changed.',
});

@ObjectType({ description: 'A lead entering, leaving or changing within a filtered list, with its score now.' })
export class LeadsChangedEvent {
  @Field(() => ID) leadId: string;
  @Field(() => LeadChangeKindEnum) kind: LeadChangeKindEnum;
  @Field(() => Score) score: Score;
}

@ObjectType({ description: 'A one-use credential for opening the live WebSocket, bound to the session or API key that asked for it.' })
export class LiveTicket {
  @Field(() => String, { description: 'Send as connectionParams { ticket } within a minute; it works once.' }) ticket: string;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
}
