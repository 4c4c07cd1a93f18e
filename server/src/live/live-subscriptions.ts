import { InvalidInputError, NotFoundError } from '../common/errors';
import type { GraphQLContext, LoaderFactory } from '../graphql/context';
import { LeadErrorCode } from '../leads/lead.errors';
import { LEAD_FIELD_LIMITS, type LeadService } from '../leads/lead.service';
import { filterSizeProblems, filterValueProblems, type LeadFilterData, withViewer } from '../leads/lead-filter';
import type { RescoreProgress, RescoreService } from '../scoring/rescore/rescore.service';
import type { StoredScore } from '../scoring/stored-score';
import type { LeadsChangedEvent, LiveHub } from './live-hub';

/**
 * What a subscription asks for, checked as the matching query would check it (the lead exists, the
 * filter is valid, the job exists), then registered with the hub. Each event runs with fresh request
 * loaders, so nothing read for one event is served stale to the next.
 */
export class LiveSubscriptions {
  constructor(
    private readonly hub: LiveHub,
    private readonly leadService: LeadService,
    private readonly rescoreService: RescoreService,
    private readonly createLoaders: LoaderFactory,
  ) {}

  async leadScore(leadId: string, context: GraphQLContext): Promise<AsyncIterable<StoredScore>> {
    const [lead] = await this.leadService.findByIds([leadId]);
    if (!lead) {
      throw new NotFoundError(LeadErrorCode.LeadNotFound, `No lead with id "${leadId.slice(0, 40)}"`, [
        { path: 'leadId', message: 'no such lead' },
      ]);
    }
    return this.hub.watchLead(lead.id, this.renewLoaders(context));
  }

  async leads(filter: LeadFilterData | null, context: GraphQLContext): Promise<AsyncIterable<LeadsChangedEvent>> {
    // `mine` means the subscriber's own leads, as in the `leads` query.
    const data: LeadFilterData = withViewer({ ...(filter ?? {}) }, context.principal) ?? {};
    const sized = filterSizeProblems(data);
    if (sized.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, sized);
    const problems = filterValueProblems(data, await this.leadService.attributeCatalog(), LEAD_FIELD_LIMITS.search);
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, problems);
    return this.hub.watchList(data, this.renewLoaders(context));
  }

  /** The job's state now first (it may have progressed before the subscription), then each step. */
  async rescore(jobId: string, context: GraphQLContext): Promise<AsyncIterable<RescoreProgress>> {
    const queue = this.hub.watchJob(jobId, this.renewLoaders(context));
    try {
      const job = await this.rescoreService.getJob(jobId);
      queue.push(job);
      if (job.status !== 'running') queue.finish();
    } catch (error) {
      await queue.return();
      throw error;
    }
    return queue;
  }

  private renewLoaders(context: GraphQLContext): () => void {
    return () => {
      context.loaders = this.createLoaders();
    };
  }
}
