import { Arg, Authorized, Ctx, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { UnauthenticatedError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { LEAD_ROLES } from '../leads/lead-roles';
import { LeadFilter } from '../leads/lead.types';
import { RULE_SET_ROLES } from '../rulesets/ruleset-roles';
import { RescoreJob } from '../scoring/rescore/rescore.resolver';
import { Score } from '../scoring/score.types';
import { LiveErrorCode } from './live.errors';
import type { LiveCredentials } from './live-credentials';
import type { LiveSubscriptions } from './live-subscriptions';
import { LeadsChangedEvent, LiveTicket } from './live.types';

declare module '../graphql/context' {
  interface GraphQLContext {
    /** Set on operations that arrive over the live WebSocket (live/live-server.ts). */
    live?: LiveSubscriptions;
  }
}

type Data = SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>;

function liveOf(context: GraphQLContext): LiveSubscriptions {
  if (!context.live) {
    throw new UnauthenticatedError(
      LiveErrorCode.NotOverWebSocket,
      'Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP',
    );
  }
  return context.live;
}

/** Live updates: subscriptions (over WebSocket) and the ticket a browser opens the socket with. */
@Resolver()
export class LiveResolver {
  constructor(private readonly credentials: LiveCredentials) {}

  @Authorized()
  @Mutation(() => LiveTicket, {
    description:
      'A one-use ticket (60 s) for connectionParams { ticket } on the live WebSocket, for clients that cannot send their token there.',
  })
  createLiveTicket(@Ctx() ctx: GraphQLContext): Promise<LiveTicket> {
    // @Authorized() guarantees a principal.
    return this.credentials.createTicket(ctx.principal as NonNullable<GraphQLContext['principal']>);
  }

  @Authorized(...LEAD_ROLES.read)
  @Subscription(() => Score, {
    description: "The lead's score each time it changes (activity, update, decay, re-score).",
    subscribe: ({ args, context }: Data) => liveOf(context).leadScore(String(args.leadId), context),
  })
  leadScoreChanged(@Root() score: Score, @Arg('leadId', () => ID) _leadId: string): Score {
    return score;
  }

  @Authorized(...LEAD_ROLES.read)
  @Subscription(() => LeadsChangedEvent, {
    description: 'Leads entering, leaving or changing within the leads a filter selects (all leads without one), as their scores change.',
    subscribe: ({ args, context }: Data) => liveOf(context).leads((args.filter as LeadFilter | null) ?? null, context),
  })
  leadsChanged(
    @Root() event: LeadsChangedEvent,
    @Arg('filter', () => LeadFilter, { nullable: true }) _filter: LeadFilter | null,
  ): LeadsChangedEvent {
    return event;
  }

  @Authorized(...RULE_SET_ROLES.view)
  @Subscription(() => RescoreJob, {
    description: "A re-score job's progress: its state now, then after each chunk; completes when the job is no longer running.",
    subscribe: ({ args, context }: Data) => liveOf(context).rescore(String(args.jobId), context),
  })
  rescoreProgress(@Root() job: RescoreJob, @Arg('jobId', () => ID) _jobId: string): RescoreJob {
    return job;
  }
}
