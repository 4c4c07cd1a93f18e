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
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Until then deliveries are also signed with the secret before the last rotation.',
  })
  previousSecretValidUntil: Date | null;
}

@ObjectType()
export class CreatedWebhookEndpoint {
  @Field(() => WebhookEndpoint) endpoint: WebhookEndpoint;
  @Field(() => String, { description: 'Signing secret (whsec_<base64>) for the Standard Webhooks webhook-signature header. Shown once.' })
  secret: string;
}

@ObjectType()
export class RotatedWebhookSecret {
  @Field(() => WebhookEndpoint) endpoint: WebhookEndpoint;
  @Field(() => String, { description: 'The new signing secret (whsec_<base64>). Shown once.' })
  secret: string;
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => String) name: string;
  @Field(() => String, {
    description: 'http(s) URL of a public address (see WEBHOOK_ALLOW_PRIVATE / WEBHOOK_ALLOWED_NETWORKS for on-premise receivers).',
  })
  url: string;
  @Field(() => [String]) events: string[];
}

@ObjectType({ description: 'One event to one endpoint: attempts, last response, outcome.' })
export class WebhookDelivery {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'Receivers de-duplicate on it (webhook-id header); a redelivery carries the same one.' })
  eventId: string;
  @Field(() => String, { description: 'lead.qualified, lead.sales_ready or ping' }) eventType: string;
  @Field(() => ID) endpointId: string;
  @Field(() => ID, { nullable: true, description: 'Null for ping events.' }) leadId: string | null;
  @Field(() => String, { description: 'pending, delivered, failed or cancelled (endpoint deactivated)' }) status: string;
  @Field(() => ID, { nullable: true, description: 'The delivery this one repeats (redeliverWebhook).' }) redeliveryOf: string | null;
  @Field(() => Int) attempts: number;
  @Field(() => Int, {
    nullable: true,
    description: 'HTTP status of the last response (a 3xx counts as failed: redirects are not followed).',
  })
  lastStatusCode: number | null;
  @Field(() => String, {
    nullable: true,
    description: '"HTTP <status>", "connection failed" (no response, whatever the cause) or why the address was refused.',
  })
  lastError: string | null;
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
