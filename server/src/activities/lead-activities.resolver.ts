import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageInfo } from '../graphql/common.types';
import type { GraphQLContext } from '../graphql/context';
import { Lead } from '../leads/lead.types';
import type { ActivityService } from './activity.service';
import { ActivityConnection, builtInOrOther } from './activity.types';

/** The `Lead.activities` field: activities build on leads, so the field lives here, not in leads/. */
@Resolver(() => Lead)
export class LeadActivitiesResolver {
  constructor(private readonly activityService: ActivityService) {}

  @FieldResolver(() => ActivityConnection, { description: 'Activities, newest first.' })
  async activities(
    @Root() lead: Lead,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<ActivityConnection> {
    const page = await ctx.loaders.activities(this.activityService.activityPageArgs(first, after)).load(lead.id);
    return {
      edges: page.nodes.map((node, index) => ({
        cursor: page.cursors[index],
        node: { ...node, type: builtInOrOther(node.type), typeName: node.type },
      })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage),
      totalCount: page.totalCount,
    };
  }
}
