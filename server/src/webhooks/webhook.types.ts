import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';

@ObjectType({ description: 'An endpoint notified when a lead becomes qualified or sales-ready.' })
export class WebhookEndpoint {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) url: string;
  @Field(() => [String], { description: 'lead.qualified and/or lead.sales_ready' }) events: string[];
  @Field(() => Boolean) active: boolean;
  @Field(() => String) createdBy: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@ObjectType()
export class CreatedWebhookEndpoint {
  @Field(() => WebhookEndpoint) endpoint: WebhookEndpoint;
  @Field(() => String, { description: 'Signing secret for the x-leadscore-signature header (HMAC-SHA256 of "<t>.<body>"). Shown once.' })
  secret: string;
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => String) name: string;
  @Field(() => String) url: string;
  @Field(() => [String]) events: string[];
}

@ObjectType({ description: 'One event to one endpoint: attempts, last response, outcome.' })
export class WebhookDelivery {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'Receivers de-duplicate on it (x-leadscore-event-id).' }) eventId: string;
  @Field(() => String) eventType: string;
  @Field(() => ID) endpointId: string;
  @Field(() => ID) leadId: string;
  @Field(() => String, { description: 'pending, delivered or failed' }) status: string;
  @Field(() => Int) attempts: number;
  @Field(() => Int, { nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastAttemptAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) deliveredAt: Date | null;
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String) cursor: string;
  @Field(() => WebhookDelivery) node: WebhookDelivery;
}

@ObjectType()
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge]) edges: WebhookDeliveryEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}
