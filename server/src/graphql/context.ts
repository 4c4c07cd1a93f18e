import DataLoader from 'dataloader';
import type { ActivityPageArgs, ActivityRow, ActivityService } from '../activities/activity.service';
import type { Principal } from '../auth/principal';
import { latestCalibrations, type VersionCalibration } from '../backtests/conversion-probability';
import type { Page } from '../common/pagination';
import type { DomainError } from '../common/errors';
import type { LeadService } from '../leads/lead.service';
import type { LeadEntity } from '../leads/lead.entity';
import { historyOfLeads, type HistoryPageArgs } from '../scoring/lead-history';
import type { ScoreChangeRow, ScoringService, StoredScore } from '../scoring/scoring.service';
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
  /** Aborts when the HTTP client goes away before its answer; its reads outside transactions are then cancelled. */
  signal?: AbortSignal;
  loaders: {
    score: DataLoader<string, StoredScore | null>;
    lead: DataLoader<string, LeadEntity | null>;
    /** A page of each lead's activities: the leads of a page asking for the same page share its statements. */
    activities: (args: ActivityPageArgs) => DataLoader<string, Page<ActivityRow> & { totalCount: number }>;
    /** A page of each lead's score history, batched the same way. */
    scoreHistory: (args: HistoryPageArgs) => DataLoader<string, Page<ScoreChangeRow>>;
    /** A rule set version's latest calibration (conversion probability), by version id. */
    calibration: DataLoader<string, VersionCalibration | null>;
  };
}

/** One loader per distinct page arguments, keyed by lead id. */
function pageLoaders<Args, Value>(
  load: (leadIds: readonly string[], args: Args) => Promise<Map<string, Value>>,
): (args: Args) => DataLoader<string, Value> {
  const byArgs = new Map<string, DataLoader<string, Value>>();
  return (args) => {
    const key = JSON.stringify(args);
    let loader = byArgs.get(key);
    if (!loader) {
      loader = new DataLoader(async (leadIds) => {
        const pages = await load(leadIds, args);
        return leadIds.map((leadId) => pages.get(leadId) as Value);
      });
      byArgs.set(key, loader);
    }
    return loader;
  };
}

export function createLoaders(deps: {
  dataSource: DataSource;
  scoring: ScoringService;
  leads: LeadService;
  activities: ActivityService;
}): GraphQLContext['loaders'] {
  return {
    activities: pageLoaders((leadIds, args: ActivityPageArgs) => deps.activities.activitiesOfLeads(leadIds, args)),
    scoreHistory: pageLoaders((leadIds, args: HistoryPageArgs) => historyOfLeads(deps.dataSource.manager, leadIds, args)),
    score: new DataLoader(async (leadIds) => {
      const scores = await deps.scoring.currentScores(deps.dataSource.manager, leadIds);
      return leadIds.map((id) => scores.get(id) ?? null);
    }),
    calibration: new DataLoader(async (versionIds) => {
      const calibrations = await latestCalibrations(deps.dataSource, versionIds);
      return versionIds.map((id) => calibrations.get(id) ?? null);
    }),
    lead: new DataLoader(async (ids) => {
      const leads = new Map((await deps.leads.findByIds(ids)).map((lead) => [lead.id, lead]));
      return ids.map((id) => leads.get(id) ?? null);
    }),
  };
}
