import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { pageInfo } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../rulesets/actor';
import type { WebhookService } from './webhook.service';
import { CreatedWebhookEndpoint, CreateWebhookEndpointInput, WebhookDeliveryConnection, WebhookEndpoint } from './webhook.types';

@Resolver()
export class WebhookResolver {
  constructor(private readonly webhooks: WebhookService) {}

  @Authorized('admin')
  @Query(() => [WebhookEndpoint])
  webhookEndpoints(): Promise<WebhookEndpoint[]> {
    return this.webhooks.listEndpoints();
  }

  @Authorized('admin')
  @Query(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first.' })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { nullable: true }) endpointId: string | null,
    @Arg('status', () => String, { nullable: true }) status: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const page = await this.webhooks.listDeliveries({ endpointId, status }, first, after);
    return { edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node })), pageInfo: pageInfo(page.cursors, page.hasNextPage) };
  }

  @Authorized('admin')
  @Mutation(() => CreatedWebhookEndpoint)
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: GraphQLContext): Promise<CreatedWebhookEndpoint> {
    return this.webhooks.createEndpoint(actorOf(ctx.principal, ctx.requestId), input);
  }

  @Authorized('admin')
  @Mutation(() => WebhookEndpoint)
  setWebhookEndpointActive(@Arg('id', () => ID) id: string, @Arg('active', () => Boolean) active: boolean, @Ctx() ctx: GraphQLContext): Promise<WebhookEndpoint> {
    return this.webhooks.setActive(actorOf(ctx.principal, ctx.requestId), id, active);
  }
}
