import { expect } from 'vitest';
import type { GqlError, TestApp } from './test-app';
import { type Reason, ok } from './scores';
export { type RuleFile, RULES, points, type Reason, ok, onlyError, expectReasonsAddUp } from './scores';

/* What the activity tests share: the default rule set's points, the GraphQL documents and helpers. */

export interface Score {
  total: number;
  fit: number;
  engagement: number;
  cell: string;
  lastActivityAt: string | null;
  reasons: Reason[];
}
export interface RecordPayload {
  activityId: string;
  duplicate: boolean;
  lead: { externalId: string };
  score: Score;
}
export interface BatchPayload {
  results: Array<{ idempotencyKey: string; activityId: string; leadExternalId: string; duplicate: boolean }>;
  leads: Array<{ externalId: string; score: Score }>;
}
export interface Activity {
  id: string;
  type: string;
  occurredAt: string;
  idempotencyKey: string;
  properties: Record<string, unknown>;
}
export interface ActivityConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: Activity }>;
}

export const SCORE = 'score { total fit engagement cell lastActivityAt reasons { rule dimension points } }';
export const RECORD = `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { activityId duplicate lead { externalId } ${SCORE} } }`;
export const RECORD_MANY = `mutation($input: [RecordActivityInput!]!) {
  recordActivities(input: $input) { results { idempotencyKey activityId leadExternalId duplicate } leads { externalId ${SCORE} } }
}`;
export const ACTIVITIES = `query($x: String, $first: Int, $after: String) {
  lead(externalId: $x) { activities(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id type occurredAt idempotencyKey properties } }
  } }
}`;

export const HOUR = 3_600_000;
export const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

export function problemPaths(error: GqlError): string[] {
  return (error.extensions?.problems ?? []).map((problem) => problem.path);
}

export function activity(
  leadExternalId: string,
  type: string,
  idempotencyKey: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { leadExternalId, type, idempotencyKey, occurredAt: hoursAgo(1), ...extra };
}

/** Helpers that read and write through the app the test file created (`app` is called when they run). */
export function activityHelpers(app: () => TestApp) {
  async function createLead(
    externalId: string,
    attributes: Record<string, unknown> = { industry: 'software', companySize: 800, seniority: 'vp' },
  ): Promise<Score> {
    const data = ok(
      await app().gql<{ upsertLead: { score: Score } }>(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { ${SCORE} } }`, {
        input: { externalId, attributes },
      }),
    );
    return data.upsertLead.score;
  }

  async function recordActivity(input: Record<string, unknown>): Promise<RecordPayload> {
    return ok(await app().gql<{ recordActivity: RecordPayload }>(RECORD, { input })).recordActivity;
  }

  async function currentScore(externalId: string): Promise<Score> {
    return ok(await app().gql<{ lead: { score: Score } }>(`query($x: String) { lead(externalId: $x) { ${SCORE} } }`, { x: externalId }))
      .lead.score;
  }

  async function activityCount(externalId: string): Promise<number> {
    const connection = ok(await app().gql<{ lead: { activities: ActivityConnection } }>(ACTIVITIES, { x: externalId, first: 1 })).lead
      .activities;
    const [row] = await app().sql<{ count: number }>(
      'SELECT count(*)::int AS count FROM activity a JOIN lead l ON l.id = a.lead_id WHERE l.external_id = $1',
      [externalId],
    );
    expect(connection.totalCount).toBe(row.count);
    return row.count;
  }

  async function rowsWithKeys(keys: string[]): Promise<number> {
    const [row] = await app().sql<{ count: number }>(
      'SELECT count(*)::int AS count FROM activity WHERE idempotency_key = ANY($1::text[])',
      [keys],
    );
    return row.count;
  }

  async function historyCount(externalId?: string): Promise<number> {
    const [row] =
      externalId === undefined
        ? await app().sql<{ count: number }>('SELECT count(*)::int AS count FROM score_history')
        : await app().sql<{ count: number }>(
            'SELECT count(*)::int AS count FROM score_history h JOIN lead l ON l.id = h.lead_id WHERE l.external_id = $1',
            [externalId],
          );
    return row.count;
  }

  async function totalActivityRows(): Promise<number> {
    const [row] = await app().sql<{ count: number }>('SELECT count(*)::int AS count FROM activity');
    return row.count;
  }

  return { createLead, recordActivity, currentScore, activityCount, rowsWithKeys, historyCount, totalActivityRows };
}
