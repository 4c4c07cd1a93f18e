import type { EntityManager } from 'typeorm';
import { type LeadFilterData, leadFilterSql } from '../leads/lead-filter';
import { LIVE_LIMITS } from './live-limits';

/** The filter's criteria on the score; the rest (segment, outcome, search, attributes) are on the lead. */
const SCORE_CRITERIA = ['cells', 'bands', 'qualified', 'minTotal', 'maxTotal', 'ruleSetKey'] as const;

export interface Membership {
  /** The lead matches the whole filter now. */
  now: boolean;
  /** The lead matches the filter's criteria that are not about its score. */
  base: boolean;
}

/**
 * Which of these leads a `leads` filter matches now, with the same SQL as the `leads` query, one
 * statement per LIVE_LIMITS.membershipBatch leads.
 */
export async function listMembership(
  manager: EntityManager,
  filter: LeadFilterData,
  leadIds: readonly string[],
): Promise<Map<string, Membership>> {
  const baseFilter: LeadFilterData = { ...filter };
  for (const criterion of SCORE_CRITERIA) delete baseFilter[criterion];
  const result = new Map<string, Membership>();
  for (let start = 0; start < leadIds.length; start += LIVE_LIMITS.membershipBatch) {
    const params: unknown[] = [leadIds.slice(start, start + LIVE_LIMITS.membershipBatch)];
    const full = leadFilterSql(filter, params);
    const base = leadFilterSql(baseFilter, params);
    const rows: Array<{ id: string; now: boolean; base: boolean }> = await manager.query(
      `SELECT l.id::text AS id, coalesce(${conjunction(full)}, false) AS now, coalesce(${conjunction(base)}, false) AS base
         FROM lead l JOIN lead_score s ON s.lead_id = l.id
        WHERE l.id = ANY($1::bigint[])`,
      params,
    );
    for (const row of rows) result.set(row.id, { now: row.now, base: row.base });
  }
  return result;
}

const conjunction = (conditions: string[]): string => (conditions.length ? `(${conditions.join(' AND ')})` : 'true');
