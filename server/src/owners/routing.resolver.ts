import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf } from '../auth/actor';
import type { GraphQLContext } from '../graphql/context';
import type { OwnerService } from './owner.service';
import { OWNER_ROLES } from './owner-roles';
import { RoutingRule, RoutingRuleInput } from './owner.types';
import type { RoutingRuleData } from './routing-rules';
import type { RoutingService } from './routing.service';

@Resolver(() => RoutingRule)
export class RoutingResolver {
  constructor(
    private readonly routing: RoutingService,
    private readonly owners: OwnerService,
  ) {}

  @Authorized(...OWNER_ROLES.read)
  @Query(() => [RoutingRule], { description: 'The routing rules in order: the first that matches a lead assigns it.' })
  async routingRules(): Promise<RoutingRule[]> {
    return this.withOwners(await this.routing.listRules());
  }

  @Authorized(...OWNER_ROLES.manage)
  @Mutation(() => [RoutingRule], {
    description:
      'Replaces the routing rules (at most 100), in order. Unknown cells, bands, attributes, owners or teams are refused, each named by its path (rules[2].cells[0]).',
  })
  async setRoutingRules(
    @Arg('rules', () => [RoutingRuleInput]) rules: RoutingRuleInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<RoutingRule[]> {
    const data: RoutingRuleData[] = rules.map((rule) => ({
      name: rule.name,
      cells: rule.cells ?? null,
      segment: rule.segment ?? null,
      bands: rule.bands ?? null,
      attributes: rule.attributes ?? null,
      ownerId: rule.ownerId ?? null,
      team: rule.team ?? null,
    }));
    return this.withOwners(await this.routing.setRules(actorOf(ctx.principal, ctx.requestId), data));
  }

  private async withOwners(rules: RoutingRuleData[]): Promise<RoutingRule[]> {
    const owners = await this.owners.ownersByIds(rules.flatMap((rule) => rule.ownerId ?? []));
    return rules.map(({ ownerId, ...rule }) => ({
      ...rule,
      owner: ownerId ? ((owners.get(ownerId) ?? null) as RoutingRule['owner']) : null,
    }));
  }
}
