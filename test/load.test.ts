/**
 * A bounded load test: 600 recordActivity requests over HTTP from 50 connections at once, each of 200
 * activities sent three times (idempotency keys), on 20 leads. Afterwards exactly 200 activities are
 * stored, every response was "recorded" or "duplicate", and every lead's score is what recording the
 * same 200 activities one by one into a fresh app gives. The server's /metrics show that the requests
 * shared transactions (group commit) and that none is left waiting.
 */
import autocannon from 'autocannon';
// The embedded database is one PGlite per process (typeorm-pglite keeps it in a singleton); closing it
// lets the replay app start on a fresh one, as it does on a fresh clone with PostgreSQL.
import { PGliteInstance } from 'typeorm-pglite/dist/pglite-instance.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ScorePassService } from '../server/src/scoring/score-pass.service';
import { createTestApp, type TestApp } from './support/test-app';
import { mulberry32 } from '../server/src/common/random';

const LEADS = 20;
const DISTINCT = 200;
const COPIES = 3;
const CONNECTIONS = 50;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Fixed for the whole run: every occurredAt and the scoring time T are the same in both apps. */
const BASE = Math.floor(Date.now() / DAY) * DAY - 40 * DAY;
/** A fixed time in the future: both apps are re-scored as of T, so time-dependent facts match. */
const T = new Date(BASE + 60 * DAY);

const TYPES = [
  'PAGE_VIEW',
  'PAGE_VIEW',
  'PRICING_PAGE_VIEW',
  'EMAIL_OPEN',
  'EMAIL_CLICK',
  'CONTENT_DOWNLOAD',
  'WEBINAR_REGISTRATION',
  'WEBINAR_ATTENDANCE',
  'FORM_SUBMISSION',
  'CHAT',
  'DEMO_REQUEST',
  'TRIAL_SIGNUP',
  'UNSUBSCRIBE',
] as const;

interface ActivityInput {
  leadExternalId: string;
  type: string;
  occurredAt: string;
  idempotencyKey: string;
  properties: Record<string, string | number | boolean>;
}

const leadInput = (i: number) => ({
  externalId: `load-${String(i).padStart(2, '0')}`,
  email: `person${i}@${i % 4 === 0 ? 'gmail.com' : `corp${i}.com`}`,
  attributes: {
    industry: ['software', 'financial_services', 'consulting', 'retail', 'healthcare'][i % 5],
    companySize: [15, 120, 800, 4000, 12000][(i >> 1) % 5],
    seniority: ['c_level', 'vp', 'director', 'manager', 'individual_contributor', 'student'][i % 6],
    country: ['US', 'DE', 'BR', 'GB'][i % 4],
    budgetConfirmed: i % 3 === 0,
  },
});

/** The 200 distinct activities, in occurredAt order (every 4 hours from BASE, all in the past). */
const ACTIVITIES: ActivityInput[] = Array.from(
  { length: DISTINCT },
  (_, i): ActivityInput => ({
    leadExternalId: leadInput((i * 7) % LEADS).externalId,
    type: TYPES[(i * 5) % TYPES.length],
    occurredAt: new Date(BASE + i * 4 * HOUR).toISOString(),
    idempotencyKey: `load-evt-${String(i).padStart(3, '0')}`,
    properties: i % 4 === 0 ? { page: '/pricing', durationMinutes: 50 } : {},
  }),
);

/** Deterministic shuffle (mulberry32), so copies of one key are sometimes in flight together. */
function shuffled<T>(items: T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const RECORD =
  'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { activityId duplicate lead { externalId } score { total } } }';
const UPSERT = 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }';

interface ScoreRow {
  externalId: string;
  total: number;
  fit: number;
  engagement: number;
  cell: string;
}

async function createLeads(t: TestApp): Promise<void> {
  for (let i = 0; i < LEADS; i += 1) {
    const result = await t.gql(UPSERT, { input: leadInput(i) });
    expect(result.errors).toBeUndefined();
  }
}

/** Every lead's score as of T (re-scored by the decay pass on day T, its clock at T), by externalId. */
async function scoresAsOfT(t: TestApp): Promise<ScoreRow[]> {
  await new ScorePassService(t.app.dataSource, t.app.services.scoring, t.app.services.scoreReader, {
    clock: { now: () => T },
  }).runDecayPass(T);
  return t.sql<ScoreRow>(
    `SELECT l.external_id AS "externalId", s.total, s.fit, s.engagement, s.cell
       FROM lead l JOIN lead_score s ON s.lead_id = l.id ORDER BY l.external_id`,
  );
}

async function storedActivities(t: TestApp): Promise<Array<Record<string, unknown>>> {
  const rows = await t.sql<{ key: string; externalId: string; type: string; occurredAt: Date | string; properties: unknown }>(
    `SELECT a.idempotency_key AS key, l.external_id AS "externalId", a.type, a.occurred_at AS "occurredAt", a.properties
       FROM activity a JOIN lead l ON l.id = a.lead_id ORDER BY a.idempotency_key`,
  );
  return rows.map((row) => ({ ...row, occurredAt: new Date(row.occurredAt).toISOString() }));
}

async function closeApp(t: TestApp): Promise<void> {
  await t.close();
  if (!process.env.DATABASE_URL) await PGliteInstance.close();
}

let concurrent: TestApp | null = null;
let replay: TestApp | null = null;
afterAll(async () => {
  if (concurrent) await closeApp(concurrent);
  if (replay) await closeApp(replay);
});

describe('600 concurrent recordActivity requests (200 activities x 3) over HTTP', () => {
  it('store each activity once, answer recorded or duplicate, and score like a sequential replay', async () => {
    // ---- the concurrent run ----
    concurrent = await createTestApp();
    const t = concurrent;
    await createLeads(t);
    const { secret } = await t.app.services.auth.createApiKey({ name: 'load-test', scopes: ['leads:write'] });
    const server = await t.http();

    const bodies = shuffled(
      Array.from({ length: DISTINCT * COPIES }, (_, i) =>
        JSON.stringify({ query: RECORD, variables: { input: ACTIVITIES[i % DISTINCT] } }),
      ),
      20251125,
    );
    let next = 0;
    const responses: Array<{ status: number; body: string }> = [];
    const started = Date.now();
    const result = await autocannon({
      url: server.graphqlUrl,
      connections: CONNECTIONS,
      amount: bodies.length,
      timeout: 60,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': secret },
          // Called once per request sent (autocannon builds each connection's next request on demand).
          setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          onResponse: (status, body) => {
            responses.push({ status, body });
          },
        },
      ],
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `load: ${responses.length} requests in ${seconds.toFixed(1)} s (${Math.round(responses.length / seconds)} req/s), ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );

    expect(next).toBe(bodies.length); // every body was sent exactly once
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result['5xx']).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(responses).toHaveLength(bodies.length);

    const byActivity = new Map<string, { recorded: number; duplicates: number; lead: string }>();
    for (const response of responses) {
      expect(response.status, response.body).toBe(200);
      const json = JSON.parse(response.body) as {
        data?: { recordActivity: { activityId: string; duplicate: boolean; lead: { externalId: string }; score: { total: number } } };
        errors?: unknown[];
      };
      expect(json.errors, response.body).toBeUndefined();
      const recorded = json.data!.recordActivity;
      expect(typeof recorded.duplicate).toBe('boolean');
      const entry = byActivity.get(recorded.activityId) ?? { recorded: 0, duplicates: 0, lead: recorded.lead.externalId };
      if (recorded.duplicate) entry.duplicates += 1;
      else entry.recorded += 1;
      expect(recorded.lead.externalId).toBe(entry.lead);
      byActivity.set(recorded.activityId, entry);
    }
    // 200 activities, each recorded by exactly one of its three requests and reported duplicate by the others.
    expect(byActivity.size).toBe(DISTINCT);
    for (const entry of byActivity.values()) expect(entry).toMatchObject({ recorded: 1, duplicates: COPIES - 1 });

    // Every request went through one shared transaction, fewer transactions than requests, none still waiting.
    const metricsText = await (await fetch(`${server.url}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText)?.[1]);
    expect(metric('record_activity_batch_size_sum')).toBe(bodies.length);
    expect(metric('record_activity_batch_size_count')).toBeLessThan(bodies.length);
    expect(metric('record_activity_waiting')).toBe(0);
    expect(metric('record_activity_waiting_peak')).toBeGreaterThan(1);

    const [{ count }] = await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM activity');
    expect(count).toBe(DISTINCT);
    const stored = await storedActivities(t);
    expect(stored).toEqual(
      ACTIVITIES.map((activity) => ({
        key: activity.idempotencyKey,
        externalId: activity.leadExternalId,
        type: activity.type.toLowerCase(),
        occurredAt: activity.occurredAt,
        properties: activity.properties,
      })),
    );
    // One history entry per recorded activity at most (a duplicate re-scores nothing).
    const [{ entries }] = await t.sql<{ entries: number }>(
      `SELECT count(*)::int AS entries FROM score_history WHERE cause = 'activity_recorded'`,
    );
    expect(entries).toBeLessThanOrEqual(DISTINCT);
    const afterLoad = await scoresAsOfT(t);
    expect(afterLoad).toHaveLength(LEADS);
    await closeApp(t);
    concurrent = null;

    // ---- the sequential replay, in a second app on a database of its own ----
    replay = await createTestApp();
    await createLeads(replay);
    for (const activity of ACTIVITIES) {
      const recorded = await replay.gql<{ recordActivity: { duplicate: boolean } }>(RECORD, { input: activity });
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data!.recordActivity.duplicate).toBe(false);
    }
    expect(await storedActivities(replay)).toEqual(stored);
    const sequential = await scoresAsOfT(replay);

    expect(afterLoad).toEqual(sequential);
    // The comparison means something: the activities moved the scores, and not all alike.
    expect(new Set(sequential.map((row) => row.engagement)).size).toBeGreaterThan(3);
    expect(new Set(sequential.map((row) => row.cell)).size).toBeGreaterThan(2);
  });
});
