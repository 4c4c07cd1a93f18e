import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Rows an erasure removed (backtest runs and audit entries: rewritten without the lead’s data).' })
export class ErasedRows {
  @Field(() => Int) activities: number;
  @Field(() => Int) scores: number;
  @Field(() => Int) scoreHistory: number;
  @Field(() => Int) outboxEvents: number;
  @Field(() => Int) webhookDeliveries: number;
  @Field(() => Int, { description: 'Backtest cohort snapshots that held the lead, dropped whole (prepared again when needed).' })
  backtestCohorts: number;
  @Field(() => Int, { description: 'Finished backtest runs whose cell-move examples listed the lead.' }) backtestRunsScrubbed: number;
  @Field(() => Int, { description: 'Earlier audit entries about the lead, blanked but for who, what and when.' })
  auditEntriesScrubbed: number;
  @Field(() => Int, { description: 'Tracking API links from an anonymousId to the lead, and events kept for those visitors.' })
  trackingIdentities: number;
}

@ObjectType({ description: 'What eraseLead did.' })
export class LeadErasurePayload {
  @Field(() => ID, { description: 'The erased lead’s internal id (also the audit entry’s entityId).' }) leadId: string;
  @Field(() => GraphQLISODateTime) erasedAt: Date;
  @Field(() => ErasedRows) removed: ErasedRows;
}
