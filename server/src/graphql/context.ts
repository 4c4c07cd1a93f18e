import DataLoader from 'dataloader';
import type { Principal } from '../auth/principal';
import type { DomainError } from '../common/errors';
import type { LeadService } from '../leads/lead.service';
import type { LeadEntity } from '../leads/lead.entity';
import type { ScoringService, StoredScore } from '../scoring/scoring.service';
import type { DataSource } from 'typeorm';

/** Per-request state: who is calling, batching loaders (so a page of leads costs a handful of queries) and the request id. */
export interface GraphQLContext {
  requestId: string;
  /** The signed-in user or API key; null without (valid) credentials. */
  principal: Principal | null;
  /** Why the request's credentials were refused (expired session, revoked key...), reported unless the operation is public. */
  authenticationError?: DomainError;
  /** The caller's address, for rate limits of anonymous requests. */
  clientAddress?: string;
  loaders: {
    score: DataLoader<string, StoredScore | null>;
    lead: DataLoader<string, LeadEntity | null>;
  };
}

export function createLoaders(deps: { dataSource: DataSource; scoring: ScoringService; leads: LeadService }): GraphQLContext['loaders'] {
  return {
    score: new DataLoader(async (leadIds) => {
      const scores = await deps.scoring.currentScores(deps.dataSource.manager, leadIds);
      return leadIds.map((id) => scores.get(id) ?? null);
    }),
    lead: new DataLoader(async (ids) => {
      const leads = new Map((await deps.leads.findByIds(ids)).map((lead) => [lead.id, lead]));
      return ids.map((id) => leads.get(id) ?? null);
    }),
  };
}
