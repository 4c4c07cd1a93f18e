import { Arg, Authorized, Ctx, Float, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { pageInfo } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import type { WebhookService } from './webhook.service';
import { WEBHOOK_ROLES } from './webhook-roles';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  RotatedWebhookSecret,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookEndpoint,
  WebhookFilterInput,
} from './webhook.types';

@Resolver()
export class WebhookResolver {
  constructor(private readonly webhooks: WebhookService) {}

  @Authorized(...WEBHOOK_ROLES.manage)
  @Query(() => [WebhookEndpoint])
  webhookEndpoints(): Promise<WebhookEndpoint[]> {
    return this.webhooks.listEndpoints();
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Query(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first.' })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { nullable: true }) endpointId: string | null,
    @Arg('status', () => String, { nullable: true }) status: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const page = await this.webhooks.listDeliveries({ endpointId, status }, first, after);
    return {
      edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage),
    };
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Mutation(() => CreatedWebhookEndpoint)
  createWebhookEndpoint(
    @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedWebhookEndpoint> {
    return this.webhooks.createEndpoint(actorOf(ctx.principal, ctx.requestId), input);
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Mutation(() => WebhookEndpoint)
  setWebhookEndpointActive(
    @Arg('id', () => ID) id: string,
    @Arg('active', () => Boolean) active: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookEndpoint> {
    return this.webhooks.setActive(actorOf(ctx.principal, ctx.requestId), id, active);
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Mutation(() => WebhookEndpoint, {
    description: "Replaces the endpoint's filter: later events are delivered only for leads that match it (lists left out: any).",
  })
  setWebhookEndpointFilter(
    @Arg('id', () => ID) id: string,
    @Arg('filter', () => WebhookFilterInput) filter: WebhookFilterInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookEndpoint> {
    return this.webhooks.setFilter(actorOf(ctx.principal, ctx.requestId), id, filter);
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Mutation(() => RotatedWebhookSecret, {
    description: 'A new signing secret, shown once; the previous one keeps signing too for overlapHours (0 to 720).',
  })
  rotateWebhookSecret(
    @Arg('id', () => ID) id: string,
    @Arg('overlapHours', () => Float, { defaultValue: 24 }) overlapHours: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RotatedWebhookSecret> {
    return this.webhooks.rotateSecret(actorOf(ctx.principal, ctx.requestId), id, overlapHours);
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Mutation(() => WebhookDelivery, {
    description: 'Sends a signed ping event to the endpoint now (active or not) and answers how it went.',
  })
  pingWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookDelivery> {
    return this.webhooks.ping(actorOf(ctx.principal, ctx.requestId), id);
  }

  @Authorized(...WEBHOOK_ROLES.manage)
  @Mutation(() => WebhookDelivery, {
    description: 'Queues the event of one delivery to its endpoint again: a new delivery with the same event id.',
  })
  redeliverWebhook(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: GraphQLContext): Promise<WebhookDelivery> {
    return this.webhooks.redeliver(actorOf(ctx.principal, ctx.requestId), deliveryId);
  }
}
