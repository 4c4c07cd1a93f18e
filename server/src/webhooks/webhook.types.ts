import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/common.types';

@ObjectType({ description: "Which leads' events an endpoint gets; each list null means any." })
export class WebhookFilter {
  @Field(() => [String], { nullable: true, description: 'The lead is in one of these segments.' }) segments: string[] | null;
  @Field(() => [String], { nullable: true, description: "The lead's score (after the change) is in one of these cells." })
  cells: string[] | null;
  @Field(() => [String], { nullable: true, description: "The lead's score (after the change) is in one of these bands." })
  bands: string[] | null;
}

@InputType({ description: 'Leave a list out (or null) for any; a list gives the values accepted (1 to 50).' })
export class WebhookFilterInput {
  @Field(() => [String], { nullable: true }) segments?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Cells A1..D4.' }) cells?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Bands of the active rule sets (e.g. hot).' }) bands?: string[] | null;
}

@ObjectType({ description: 'An endpoint notified when a lead becomes qualified or sales-ready, is assigned, or changes band.' })
export class WebhookEndpoint {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) url: string;
  @Field(() => [String], { description: 'lead.qualified, lead.sales_ready, lead.assigned and/or score.band_changed' }) events: string[];
  @Field(() => WebhookFilter) filter: WebhookFilter;
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
  @Field(() => WebhookFilterInput, { nullable: true, description: 'Only events of leads that match (default: every lead).' })
  filter?: WebhookFilterInput | null;
}

@ObjectType({ description: 'One event to one endpoint: attempts, last response, outcome.' })
export class WebhookDelivery {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'Receivers de-duplicate on it (webhook-id header); a redelivery carries the same one.' })
  eventId: string;
  @Field(() => String, { description: 'lead.qualified, lead.sales_ready, lead.assigned, score.band_changed or ping' }) eventType: string;
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
