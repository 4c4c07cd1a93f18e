import type { TestApp } from './test-app';
import { ok } from './scores';
export { type RuleFile, RULES, points, ok, onlyError, expectReasonsAddUp } from './scores';

/* What the lead tests share: the default rule set's points, the GraphQL documents and helpers. */

export interface Reason {
  rule: string;
  label: string;
  dimension: 'FIT' | 'ENGAGEMENT';
  points: number;
}
export interface Score {
  total: number;
  fit: number;
  engagement: number;
  fitGrade: string;
  engagementLevel: number;
  cell: string;
  band: string;
  qualified: boolean;
  action: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  scoredAt: string;
  reasons: Reason[];
}
export interface Snapshot {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}
export interface ScoreChange {
  cause: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  old: Snapshot | null;
  new: Snapshot;
}
export interface Lead {
  id: string;
  externalId: string;
  email: string | null;
  segment: string | null;
  source: string | null;
  attributes: Record<string, unknown>;
  score: Score | null;
}
export interface LeadWithHistory extends Lead {
  scoreHistory: { edges: Array<{ node: ScoreChange }> };
}
export interface LeadConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: Lead }>;
}

export const SCORE = `score { total fit engagement fitGrade engagementLevel cell band qualified action ruleSetKey ruleSetVersion scoredAt
  reasons { rule label dimension points } }`;
export const LEAD = `id externalId email segment source attributes ${SCORE}`;
export const SNAPSHOT = 'fit engagement total cell band qualified';
export const HISTORY = `scoreHistory { edges { node { cause ruleSetKey ruleSetVersion old { ${SNAPSHOT} } new { ${SNAPSHOT} } } } }`;

export const UPSERT = `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { ${LEAD} } }`;
export const LEADS = `query($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${LEAD} } }
  }
}`;

export function ruleNames(score: Score): string[] {
  return score.reasons.map((reason) => reason.rule);
}

/** Helpers that read and write through the app the test file created (`app` is called when they run). */
export function leadHelpers(app: () => TestApp) {
  async function upsert(input: Record<string, unknown>): Promise<Lead> {
    return ok(await app().gql<{ upsertLead: Lead }>(UPSERT, { input })).upsertLead;
  }

  async function record(leadExternalId: string, type: string, idempotencyKey: string, properties?: Record<string, unknown>): Promise<void> {
    ok(
      await app().gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
        input: { leadExternalId, type, idempotencyKey, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), properties },
      }),
    );
  }

  async function leadCount(externalId?: string): Promise<number> {
    const rows =
      externalId === undefined
        ? await app().sql<{ count: number }>('SELECT count(*)::int AS count FROM lead')
        : await app().sql<{ count: number }>('SELECT count(*)::int AS count FROM lead WHERE external_id = $1', [externalId]);
    return rows[0].count;
  }

  return { upsert, record, leadCount };
}
