import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { LEAD_ROLES } from '../leads/lead-roles';
import type { LeadService } from '../leads/lead.service';
import { Lead } from '../leads/lead.types';
import { Score } from '../scoring/score.types';
import { InvalidInputError, type Problem } from '../common/errors';
import { ActivityErrorCode } from './activity.errors';
import type { ActivityService, RecordActivityData } from './activity.service';
import { RecordActivitiesPayload, RecordActivityInput, RecordActivityPayload } from './activity.types';

/** The inputs as the service takes them: `typeName` (any catalog type) or `type` (a built-in one), not two different ones. */
function activityData(inputs: RecordActivityInput[], single: boolean): RecordActivityData[] {
  const problems: Problem[] = [];
  const data = inputs.map(({ type, typeName, ...rest }, index) => {
    if (type != null && typeName != null && type !== typeName)
      problems.push({ path: `${single ? 'input' : `input[${index}]`}.typeName`, message: 'give type or typeName, not both' });
    return { ...rest, type: typeName ?? type ?? '' };
  });
  if (problems.length) throw InvalidInputError.of(ActivityErrorCode.InvalidActivity, problems);
  return data;
}

@Resolver()
export class ActivityResolver {
  constructor(
    private readonly activities: ActivityService,
    private readonly leads: LeadService,
  ) {}

  @Authorized(...LEAD_ROLES.write)
  @Mutation(() => RecordActivityPayload, {
    description: "Records one activity (idempotent on idempotencyKey) and returns the lead's new score.",
  })
  async recordActivity(
    @Arg('input', () => RecordActivityInput) input: RecordActivityInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RecordActivityPayload> {
    const { result, score } = await this.activities.recordActivity(activityData([input], true)[0]);
    ctx.loaders.score.clear(result.leadId);
    // The score just computed is the one stored: no need to read it back.
    if (score) ctx.loaders.score.prime(result.leadId, score);
    return { activityId: result.activityId, duplicate: result.duplicate, leadId: result.leadId };
  }

  @Authorized(...LEAD_ROLES.write)
  @Mutation(() => RecordActivitiesPayload, { description: 'Records up to 500 activities, all-or-nothing; each lead is re-scored once.' })
  async recordActivities(
    @Arg('input', () => [RecordActivityInput]) input: RecordActivityInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<RecordActivitiesPayload> {
    const { results, scores } = await this.activities.recordActivities(activityData(input, false));
    const leadIds = [...new Set(results.map((result) => result.leadId))];
    for (const id of leadIds) ctx.loaders.score.clear(id);
    for (const [id, score] of scores) ctx.loaders.score.prime(id, score);
    const leads = (await this.leads.findByIds(leadIds)) as Lead[];
    return { results, leads };
  }
}

@Resolver(() => RecordActivityPayload)
export class RecordActivityPayloadResolver {
  @FieldResolver(() => Lead)
  async lead(@Root() payload: RecordActivityPayload, @Ctx() ctx: GraphQLContext): Promise<Lead> {
    return (await ctx.loaders.lead.load(payload.leadId)) as unknown as Lead;
  }

  @FieldResolver(() => Score, { description: "The lead's score after this activity." })
  async score(@Root() payload: RecordActivityPayload, @Ctx() ctx: GraphQLContext): Promise<Score> {
    return (await ctx.loaders.score.load(payload.leadId)) as Score;
  }
}
