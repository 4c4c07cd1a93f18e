import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import type { LeadService } from '../leads/lead.service';
import type { Lead } from '../leads/lead.types';
import type { Score } from '../scoring/score.types';
import type { ActivityService } from './activity.service';
import { RecordActivitiesPayload, RecordActivityInput, RecordActivityPayload } from './activity.types';

@Resolver()
export class ActivityResolver {
  constructor(
    private readonly activities: ActivityService,
    private readonly leads: LeadService,
  ) {}

  @Authorized('admin', 'leads:write')
  @Mutation(() => RecordActivityPayload, { description: "Records one activity (idempotent on idempotencyKey) and returns the lead's new score." })
  async recordActivity(@Arg('input', () => RecordActivityInput) input: RecordActivityInput, @Ctx() ctx: GraphQLContext): Promise<RecordActivityPayload> {
    const [result] = await this.activities.recordActivities([input], { single: true });
    ctx.loaders.score.clear(result.leadId);
    const lead = (await this.leads.getLead({ id: result.leadId })) as Lead;
    const score = (await ctx.loaders.score.load(result.leadId)) as Score;
    return { activityId: result.activityId, duplicate: result.duplicate, lead, score };
  }

  @Authorized('admin', 'leads:write')
  @Mutation(() => RecordActivitiesPayload, { description: 'Records up to 500 activities, all-or-nothing; each lead is re-scored once.' })
  async recordActivities(
    @Arg('input', () => [RecordActivityInput]) input: RecordActivityInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<RecordActivitiesPayload> {
    const results = await this.activities.recordActivities(input);
    const leadIds = [...new Set(results.map((result) => result.leadId))];
    for (const id of leadIds) ctx.loaders.score.clear(id);
    const leads = (await this.leads.findByIds(leadIds)) as Lead[];
    return { results, leads };
  }
}
