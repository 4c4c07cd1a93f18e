import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics } from '../server/src/observability/metrics';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';
import { mulberry32 } from '../server/src/common/random';
import { until } from './support/wait';

/**
 * Scores are stored with the activity aggregates they were computed from (lead_score.facts), and a
 * later scoring reuses them while they provably hold. These tests step time forward day by day,
 * with activities leaving the rule set's windows, future-dated activities coming into view, and
 * activities written behind the service's back, and check after every step that the stored score
 * equals a score computed from scratch from the activities.
 */

const DAY = 86_400_000;
const TYPES = [
  'page_view',
  'pricing_page_view',
  'email_open',
  'email_click',
  'content_download',
  'webinar_attendance',
  'demo_request',
  'form_submission',
  'chat',
  'unsubscribe',
  'email_bounce',
];
const LEADS = 16;

let t: TestApp;
let base: number;
let ids: string[] = [];
let returning: string;

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

/** Deterministic, so a failure can be replayed. */
const random = mulberry32;

async function insertActivities(rand: () => number, leadId: string, count: number, from: number, to: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const type = TYPES[Math.floor(rand() * TYPES.length)];
    const occurredAt = new Date(from + rand() * (to - from));
    const properties =
      type === 'webinar_attendance'
        ? { minutesAttended: Math.floor(rand() * 90) }
        : type === 'content_download' && rand() < 0.5
          ? { contentType: 'case_study' }
          : {};
    // Straight into the table, as a migration script or a bulk load would: the trigger must notice.
    await t.sql('INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties) VALUES ($1, $2, $3, $4, $5)', [
      leadId,
      type,
      occurredAt,
      `${tag}-${leadId}-${i}`,
      JSON.stringify(properties),
    ]);
  }
}

interface StoredRow {
  leadId: string;
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  firedRules: number[];
  decay: number;
  daysInactive: number;
}

async function stored(): Promise<Map<string, StoredRow>> {
  const rows = await t.sql<StoredRow>(
    `SELECT lead_id::text AS "leadId", fit, engagement, total, cell, fired_rules::int[] AS "firedRules", decay, days_inactive AS "daysInactive"
       FROM lead_score ORDER BY lead_id`,
  );
  return new Map(rows.map((row) => [row.leadId, row]));
}

async function fresh(asOf: Date): Promise<Map<string, StoredRow>> {
  const scores = await t.app.services.scoreReader.computeScores(t.app.dataSource.manager, ids, asOf);
  return new Map(
    scores.map((score) => [
      score.leadId,
      {
        leadId: score.leadId,
        fit: score.fit,
        engagement: score.engagement,
        total: score.total,
        cell: score.cell,
        firedRules: score.compact.firedRules,
        decay: score.compact.decay,
        daysInactive: score.compact.daysInactive,
      },
    ]),
  );
}

async function decayPass(asOf: Date): Promise<void> {
  ok(await t.gql(`mutation($asOf: DateTimeISO) { runDecayPass(asOf: $asOf) { leadsScored } }`, { asOf: asOf.toISOString() }));
}

const counter = async (c: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
  (await c.get()).values.reduce((sum, v) => sum + v.value, 0);

beforeAll(async () => {
  t = await createTestApp();
  base = Date.now() - 40 * DAY;
  for (let i = 0; i < LEADS; i += 1) {
    ok(
      await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
        input: {
          externalId: `cache-${i}`,
          email: `p${i}@acme${i}.io`,
          attributes: { industry: 'software', companySize: 50 + i * 100, seniority: i % 2 ? 'vp' : 'manager' },
        },
      }),
    );
  }
  // A lead turning 181 days old during the steps below, with page views: "eng-returning-lead" (more
  // than 180 days since created, 3+ page views in 30 days) starts to fire with nothing else changing.
  returning = ok(
    await t.gql<{ upsertLead: { id: string } }>(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
      input: { externalId: 'cache-returning', email: 'r@returning.io', attributes: { industry: 'software', companySize: 400 } },
    }),
  ).upsertLead.id;
  await t.sql(`UPDATE lead SET created_at = $2 WHERE id = $1`, [returning, new Date(base - 179.6 * DAY)]);
  for (let i = 0; i < 4; i += 1) {
    await t.sql(`INSERT INTO activity (lead_id, type, occurred_at, idempotency_key) VALUES ($1, 'page_view', $2, $3)`, [
      returning,
      new Date(base - (i + 1) * 0.2 * DAY),
      `returning-${i}`,
    ]);
  }
  ids = (await t.sql<{ id: string }>(`SELECT id::text AS id FROM lead WHERE external_id LIKE 'cache-%' ORDER BY id`)).map((row) => row.id);
  const rand = random(7);
  for (const [index, id] of ids.entries()) {
    // Activities before, around and after the steps below (some future-dated as of the first steps); one lead has none.
    if (index > 0) await insertActivities(rand, id, 4 + Math.floor(rand() * 14), base - 100 * DAY, base + 45 * DAY, 'a');
  }
});

afterAll(async () => {
  await t?.close();
});

describe('cached activity facts', () => {
  it('give the same scores as computing from the activities, as windows move and activities come and go', async () => {
    const rand = random(11);
    const hitsBefore = await counter(metrics.factsCacheHits);
    const missesBefore = await counter(metrics.factsCacheMisses);
    const carriedBefore = await counter(metrics.rulesCarried);
    const returningFired: boolean[] = [];
    let steps = 0;
    for (let at = base; at <= base + 40 * DAY; at += 0.45 * DAY) {
      const asOf = new Date(at);
      if (steps % 9 === 4) {
        // Behind the service's back: new activities for one lead, one activity of another deleted, one moved in time.
        await insertActivities(rand, ids[steps % LEADS], 3, at - 20 * DAY, at + 2 * DAY, `late-${steps}`);
        await t.sql(`DELETE FROM activity WHERE id = (SELECT min(id) FROM activity WHERE lead_id = $1)`, [ids[(steps + 3) % LEADS]]);
        await t.sql(
          `UPDATE activity SET occurred_at = occurred_at - interval '20 days' WHERE id = (SELECT max(id) FROM activity WHERE lead_id = $1)`,
          [ids[(steps + 5) % LEADS]],
        );
      }
      if (steps % 7 === 3) {
        // Behind the service's back too: a lead's attributes change (its stored fired rules no longer hold).
        await t.sql(`UPDATE lead SET attributes = attributes || jsonb_build_object('seniority', $2::text) WHERE id = $1`, [
          ids[steps % LEADS],
          steps % 2 ? 'c_level' : 'director',
        ]);
      }
      await decayPass(asOf);
      expect(await stored(), `as of ${asOf.toISOString()} (step ${steps})`).toEqual(await fresh(asOf));
      const returningScore = (await t.app.services.scoreReader.currentScores(t.app.dataSource.manager, [returning])).get(returning);
      returningFired.push(returningScore?.reasons.some((reason) => reason.rule === 'eng-returning-lead') === true);
      steps += 1;
    }
    const hits = (await counter(metrics.factsCacheHits)) - hitsBefore;
    const misses = (await counter(metrics.factsCacheMisses)) - missesBefore;
    // Both paths were exercised: most steps reuse the aggregates, windows and new activities force recomputation.
    expect(hits).toBeGreaterThan(misses);
    expect(misses).toBeGreaterThan(LEADS);
    // Most decay passes carried stored fired rules over instead of evaluating them (carry-plan.ts).
    expect((await counter(metrics.rulesCarried)) - carriedBefore).toBeGreaterThan(hits / 2);
    // The returning lead crossed 180 days while its row and aggregates stayed as they were: it was
    // evaluated then (the rule started to fire), and again when its page views left the window.
    expect(returningFired.slice(0, 2)).toEqual([false, false]);
    expect(returningFired).toContain(true);
    expect(returningFired[returningFired.length - 1]).toBe(false);
  });

  it('are forgotten when the lead gets an activity, and recomputed under a version with other activity facts', async () => {
    const [lead] = ids.slice(-1);
    await decayPass(new Date());
    const [before] = await t.sql<{ key: string | null }>('SELECT facts_key AS key FROM lead_score WHERE lead_id = $1', [lead]);
    expect(before.key).not.toBeNull();
    await t.sql(`INSERT INTO activity (lead_id, type, occurred_at, idempotency_key) VALUES ($1, 'page_view', now(), 'forget-1')`, [lead]);
    const [after] = await t.sql<{ key: string | null }>('SELECT facts_key AS key FROM lead_score WHERE lead_id = $1', [lead]);
    expect(after.key).toBeNull();

    const [active] = await t.app.services.ruleSets.activeRuleSets(t.app.dataSource.manager);
    const definition = structuredClone(active.definition);
    const pageViews = definition.facts.find((fact) => fact.name === 'pageViews30d');
    if (pageViews?.source !== 'activity') throw new Error('default-b2b.json has no pageViews30d activity fact');
    pageViews.windowDays = 3;
    const { buildFactsQuery } = await import('../server/src/engine/facts');
    expect(buildFactsQuery(definition).key).not.toBe(active.factsQuery.key);
    expect(buildFactsQuery(structuredClone(active.definition)).key).toBe(active.factsQuery.key);
  });
});

describe('a re-score that waits for a lead another transaction is scoring', () => {
  // carryFirst (publish, decay pass): the lock statement returns the lead, the next reads its score.
  it.each([
    ['', false],
    [' (carrying fired rules over, as a publish or the decay pass does)', true],
  ])(
    'reads the score and cached facts that transaction committed, not those from before the wait (no lost update)%s',
    async (_, carryFirst) => {
      const tag = carryFirst ? 'cache-wait-carry' : 'cache-wait';
      // A lead without activities: its cached facts (none) hold for ever, so a later pass reuses them
      // unless it sees that an activity came in.
      ok(
        await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
          input: { externalId: tag, attributes: { industry: 'software', companySize: 400 } },
        }),
      );
      const [{ id: lead }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM lead WHERE external_id = $1`, [tag]);
      const now = Date.now();
      const [cachedBefore] = await t.sql<{ key: string | null; validUntil: string | null }>(
        'SELECT facts_key AS key, facts_valid_until AS "validUntil" FROM lead_score WHERE lead_id = $1',
        [lead],
      );
      expect(cachedBefore).toEqual({ key: expect.any(String), validUntil: null });

      // T1 records a demo request the way recordActivity does: lock, insert, re-score; and holds on.
      const runner = t.app.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      let rescore: Promise<unknown> | null = null;
      try {
        await runner.query('SELECT id FROM lead WHERE id = $1 FOR UPDATE', [lead]);
        await runner.query(`INSERT INTO activity (lead_id, type, occurred_at, idempotency_key) VALUES ($1, 'demo_request', $2, $3)`, [
          lead,
          new Date(now),
          `${tag}-demo-1`,
        ]);
        const recorded = await t.app.services.scoring.scoreAfterWrite(runner.manager, {
          leadIds: [lead],
          cause: 'activity_recorded',
          asOf: new Date(now),
        });
        expect(recorded.leadsChanged).toBe(1);
        // T2, a later pass (ten days on: past the decay's grace days, so the score moves), must wait for T1's lock.
        rescore = t.app.dataSource.transaction((manager) =>
          carryFirst
            ? t.app.services.scoring.rescoreWithCarry(manager, [lead], 'decay', new Date(now + 10 * DAY))
            : t.app.services.scoring.scoreLeads(manager, [lead], 'decay', new Date(now + 10 * DAY)),
        );
        if (process.env.DATABASE_URL) {
          await until(
            async () =>
              (
                await t.sql<{ count: number }>(
                  `SELECT count(*)::int AS count FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE NOT l.granted AND a.datname = current_database()`,
                )
              )[0].count > 0,
            "the later pass waits for the lead's row lock",
          );
        }
        // On PGlite T2 waits for the one connection instead, which T1 holds until it is released.
        await runner.commitTransaction();
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
      await rescore;

      // The stored score counts the demo request: T2 did not score the lead from what it was before T1.
      const expected = (await t.app.services.scoreReader.computeScores(t.app.dataSource.manager, [lead], new Date(now + 10 * DAY))).map(
        (score) => ({
          leadId: score.leadId,
          fit: score.fit,
          engagement: score.engagement,
          total: score.total,
          cell: score.cell,
          firedRules: score.compact.firedRules,
          decay: score.compact.decay,
          daysInactive: score.compact.daysInactive,
        }),
      )[0];
      expect(expected.engagement).toBeGreaterThan(0);
      expect((await stored()).get(lead)).toEqual(expected);
      const [history] = await t.sql<{ oldTotal: number; newTotal: number }>(
        `SELECT old_total AS "oldTotal", new_total AS "newTotal" FROM score_history WHERE lead_id = $1 AND cause = 'decay' ORDER BY id DESC LIMIT 1`,
        [lead],
      );
      const [afterDemo] = await t.sql<{ total: number }>(
        `SELECT new_total AS total FROM score_history WHERE lead_id = $1 AND cause = 'activity_recorded' ORDER BY id DESC LIMIT 1`,
        [lead],
      );
      // Its history entry starts from the score T1 wrote.
      expect(history).toEqual({ oldTotal: afterDemo.total, newTotal: expected.total });
    },
  );
});

describe('scores and score history without foreign keys', () => {
  it('still go with their lead when the lead is deleted', async () => {
    const [lead] = ids;
    const count = async (table: 'score_history' | 'lead_score', leads: string[]) =>
      (await t.sql<{ count: number }>(`SELECT count(*)::int AS count FROM ${table} WHERE lead_id = ANY($1::bigint[])`, [leads]))[0].count;
    expect(await count('score_history', [lead])).toBeGreaterThan(0);
    expect(await count('lead_score', [lead])).toBe(1);
    await t.sql('DELETE FROM lead WHERE id = $1', [lead]);
    expect(await count('score_history', [lead])).toBe(0);
    expect(await count('lead_score', [lead])).toBe(0);
    expect(await count('score_history', ids.slice(1))).toBeGreaterThan(0);
    expect(await count('lead_score', ids.slice(1))).toBe(ids.length - 1);
  });
});
