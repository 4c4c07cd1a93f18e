import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../server/src/auth/principal';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';

/** The data subject: every one of these strings is personal data that must leave the database. */
const SUBJECT = { externalId: 'subject-7f3a91', email: 'dana.subject-7f3a91@privacy.example', company: 'Chief Subjectcorp-7f3a91' };
const BYSTANDER = { externalId: 'bystander-22c4', email: 'bob.bystander@acme.example' };

const ERASE = `mutation($id: ID, $externalId: String) {
  eraseLead(id: $id, externalId: $externalId) {
    leadId erasedAt
    removed { activities scores scoreHistory outboxEvents webhookDeliveries backtestCohorts backtestRunsScrubbed auditEntriesScrubbed }
  }
}`;

interface Erasure {
  leadId: string;
  erasedAt: string;
  removed: Record<string, number>;
}

let t: TestApp;
let subjectId: string;
let bystanderId: string;

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

async function upsert(externalId: string, email: string, attributes: Record<string, unknown> = {}): Promise<string> {
  const data = ok(
    await t.gql<{ upsertLead: { id: string } }>(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
      input: { externalId, email, attributes: { industry: 'software', companySize: 800, seniority: 'vp', ...attributes } },
    }),
  );
  return data.upsertLead.id;
}

function record(
  externalId: string,
  idempotencyKey: string,
  type = 'DEMO_REQUEST',
  occurredAt = '2025-01-12T10:00:00Z',
): Promise<GqlResult<{ recordActivity: { activityId: string; duplicate: boolean } }>> {
  return t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { activityId duplicate } }`, {
    input: { leadExternalId: externalId, type, occurredAt, idempotencyKey, properties: { note: `about ${externalId}` } },
  });
}

/** Rows of every table in the database (pg-boss's too) whose text holds `needle`. */
async function tablesHolding(needle: string): Promise<string[]> {
  const tables = await t.sql<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const holding: string[] = [];
  for (const { name } of tables) {
    const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${name} t WHERE strpos(t::text, $1) > 0`, [needle]);
    if (row.n > 0) holding.push(name);
  }
  return holding;
}

/** Row counts of everything an erasure touches, for one lead id. */
async function rowsOf(leadId: string): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, number>>(
    `SELECT (SELECT count(*) FROM lead WHERE id = $1::bigint)::int AS lead,
            (SELECT count(*) FROM activity WHERE lead_id = $1::bigint)::int AS activities,
            (SELECT count(*) FROM lead_score WHERE lead_id = $1::bigint)::int AS scores,
            (SELECT count(*) FROM score_history WHERE lead_id = $1::bigint)::int AS history,
            (SELECT count(*) FROM outbox_event WHERE lead_id = $1::bigint)::int AS outbox,
            (SELECT count(*) FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE e.lead_id = $1::bigint)::int AS deliveries,
            (SELECT count(*) FROM backtest_cohort_lead WHERE lead_id = $1::bigint)::int AS cohort_rows,
            (SELECT count(*) FROM audit_log WHERE entity_type = 'lead' AND entity_id = $1::text)::int AS audit`,
    [leadId],
  );
  return row;
}

const viewer: Principal = { kind: 'user', userId: '1', email: 'viewer@test.local', name: 'Viewer', role: 'viewer' };
const writerKey: Principal = { kind: 'apiKey', keyId: '1', name: 'crm-sync', scopes: ['leads:write', 'scores:read'] };

beforeAll(async () => {
  t = await createTestApp();
  // An active endpoint, so score changes that qualify a lead write webhook events.
  await t.sql(
    `INSERT INTO webhook_endpoint (name, url, secret, events, created_by) VALUES ('crm', 'https://hooks.example.com/crm', 'secret', '{lead.qualified,lead.sales_ready}', 'test')`,
  );
  subjectId = await upsert(SUBJECT.externalId, SUBJECT.email, { jobTitle: SUBJECT.company });
  bystanderId = await upsert(BYSTANDER.externalId, BYSTANDER.email);
  // Both created in January 2025, so a backtest cohort of that month holds them.
  await t.sql(`UPDATE lead SET created_at = '2025-01-10T00:00:00Z' WHERE id = ANY($1::bigint[])`, [[subjectId, bystanderId]]);
  for (const externalId of [SUBJECT.externalId, BYSTANDER.externalId]) {
    ok(await record(externalId, `${externalId}-demo`));
    ok(await record(externalId, `${externalId}-pricing`, 'PRICING_PAGE_VIEW', '2025-01-13T10:00:00Z'));
  }
  // A demo request today qualifies the subject: a webhook event with its external id and email.
  ok(await record(SUBJECT.externalId, `${SUBJECT.externalId}-demo-now`, 'DEMO_REQUEST', new Date(Date.now() - 3_600_000).toISOString()));
  ok(
    await t.gql(`mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }`, {
      input: { externalId: SUBJECT.externalId, outcome: 'CONVERTED', at: '2025-01-20T00:00:00Z', dealValue: 1234.5 },
    }),
  );
  await t.app.services.webhooks.dispatchPending();
  const { activeRuleSets } = ok(await t.gql<{ activeRuleSets: Array<{ versionId: string }> }>('{ activeRuleSets { versionId } }'));
  const versionId = activeRuleSets[0].versionId;
  const run = ok(
    await t.gql<{ runBacktest: { status: string } }>(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { status } }`, {
      input: {
        cohort: { createdFrom: '2025-01-01T00:00:00Z', createdTo: '2025-02-01T00:00:00Z', cutoffDaysAfterCreation: 30 },
        versionId,
        compareToVersionId: versionId,
      },
    }),
  );
  expect(run.runBacktest.status).toBe('completed');
});

afterAll(async () => {
  await t?.close();
});

describe('eraseLead', () => {
  it('starts from a lead whose data is in activities, scores, history, webhook events, a backtest snapshot and its results, and the audit log', async () => {
    const rows = await rowsOf(subjectId);
    expect(rows).toMatchObject({ lead: 1, activities: 3, scores: 1, cohort_rows: 1, audit: 1 });
    expect(rows.history).toBeGreaterThanOrEqual(3);
    expect(rows.outbox).toBeGreaterThanOrEqual(1);
    expect(rows.deliveries).toBeGreaterThanOrEqual(1);
    for (const needle of [SUBJECT.externalId, SUBJECT.email]) expect((await tablesHolding(needle)).length).toBeGreaterThan(1);
    expect(await tablesHolding(SUBJECT.externalId)).toEqual(
      expect.arrayContaining(['public.backtest_run', 'public.audit_log', 'public.outbox_event']),
    );
  });

  it('is refused to every role but admin and to API keys (FORBIDDEN), removing nothing', async () => {
    const before = await rowsOf(subjectId);
    for (const principal of [viewer, { ...viewer, role: 'marketing' as const }, writerKey]) {
      const result = await t.gqlAs(principal, ERASE, { externalId: SUBJECT.externalId });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await rowsOf(subjectId)).toEqual(before);
  });

  it('names the argument of an unknown lead (NOT_FOUND) or a request without exactly one of id and externalId (BAD_USER_INPUT)', async () => {
    const before = await rowsOf(subjectId);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ externalId: 'nobody-here' }, 'NOT_FOUND', 'externalId'],
      [{ id: '999999' }, 'NOT_FOUND', 'id'],
      [{ id: 'not-an-id' }, 'NOT_FOUND', 'id'],
      [{}, 'BAD_USER_INPUT', 'id'],
      [{ id: subjectId, externalId: SUBJECT.externalId }, 'BAD_USER_INPUT', 'id'],
      [{ externalId: '  ' }, 'BAD_USER_INPUT', 'externalId'],
    ];
    for (const [variables, code, path] of cases) {
      const result = await t.gql(ERASE, variables);
      expect(result.errors?.[0].extensions?.code).toBe(code);
      expect(result.errors?.[0].extensions?.problems).toEqual([{ path, message: expect.any(String) }]);
    }
    expect(await rowsOf(subjectId)).toEqual(before);
  });

  it('leaves everything as it was when it fails half-way', async () => {
    const before = await rowsOf(subjectId);
    // The last delete fails: everything deleted before it in the transaction must come back.
    await t.sql(`CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await t.sql(`CREATE TRIGGER refuse_delete BEFORE DELETE ON lead FOR EACH ROW EXECUTE FUNCTION refuse_delete()`);
    try {
      const result = await t.gql(ERASE, { externalId: SUBJECT.externalId });
      expect(result.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await t.sql('DROP TRIGGER refuse_delete ON lead');
      await t.sql('DROP FUNCTION refuse_delete()');
    }
    expect(await rowsOf(subjectId)).toEqual(before);
    expect(await tablesHolding(SUBJECT.email)).not.toEqual([]);
  });

  it('erases the lead and every row holding its data in one go; the audit log keeps that it happened, without personal data', async () => {
    const bystanderBefore = await rowsOf(bystanderId);
    const counts = await rowsOf(subjectId);
    const { eraseLead } = ok(await t.gql<{ eraseLead: Erasure }>(ERASE, { externalId: SUBJECT.externalId }));
    expect(eraseLead.leadId).toBe(subjectId);
    expect(eraseLead.removed).toEqual({
      activities: counts.activities,
      scores: 1,
      scoreHistory: counts.history,
      outboxEvents: counts.outbox,
      webhookDeliveries: counts.deliveries,
      backtestCohorts: 1,
      backtestRunsScrubbed: 1,
      auditEntriesScrubbed: 1,
    });

    expect(await rowsOf(subjectId)).toEqual({
      lead: 0,
      activities: 0,
      scores: 0,
      history: 0,
      outbox: 0,
      deliveries: 0,
      cohort_rows: 0,
      audit: 2,
    });
    // Nowhere in the database, whatever the table.
    for (const needle of [SUBJECT.externalId, SUBJECT.email, SUBJECT.company]) expect(await tablesHolding(needle)).toEqual([]);
    // The deal value is gone from the audit log (backtest results keep it only inside revenue aggregates).
    expect(await t.sql(`SELECT id FROM audit_log a WHERE strpos(a::text, '1234.5') > 0`)).toEqual([]);

    const audit = ok(
      await t.gql<{
        auditLog: {
          edges: Array<{ node: { actor: string; action: string; entityId: string; summary: string; before: unknown; after: unknown } }>;
        };
      }>(
        `query($id: String) { auditLog(filter: { entityType: "lead", entityId: $id }, first: 10) { edges { node { actor action entityId summary before after } } } }`,
        { id: subjectId },
      ),
    ).auditLog.edges.map((edge) => edge.node);
    expect(audit.map((entry) => entry.action)).toEqual(['lead.erased', 'lead.outcome_set']);
    expect(audit[0]).toMatchObject({
      actor: `user:${t.admin.email}`,
      entityId: subjectId,
      before: null,
      after: { removed: eraseLead.removed },
    });
    expect(audit[0].summary).toContain(`Erased lead ${subjectId}`);
    // The earlier outcome entry keeps who, what and when only.
    expect(audit[1]).toMatchObject({ entityId: subjectId, before: null, after: null });

    // Finished backtest results keep their aggregates; the bystander stays among the examples.
    const [run] = await t.sql<{
      results: { metrics: { leads: number }; comparison: { cellMoves: Array<{ leads: number; examples: string[] }> } };
    }>('SELECT results FROM backtest_run');
    expect(run.results.metrics.leads).toBe(2);
    expect(run.results.comparison.cellMoves.flatMap((move) => move.examples)).toEqual([BYSTANDER.externalId]);

    // The bystander is untouched (but its cohort snapshot, a cache, was dropped with the subject's).
    expect(await rowsOf(bystanderId)).toEqual({ ...bystanderBefore, cohort_rows: 0 });
    const bystander = ok(
      await t.gql<{ lead: { email: string; activities: { totalCount: number } } }>(
        `query($x: String) { lead(externalId: $x) { email activities { totalCount } } }`,
        { x: BYSTANDER.externalId },
      ),
    );
    expect(bystander.lead).toEqual({ email: BYSTANDER.email, activities: { totalCount: 2 } });
    // A later backtest of the same cohort prepares it again, without the subject.
    const [{ lead_count }] = await t.sql<{ lead_count: number }>('SELECT count(*)::int AS lead_count FROM backtest_cohort');
    expect(lead_count).toBe(0);
  });

  it('is gone for reads, activities and a second erasure', async () => {
    const read = await t.gql(`query($x: String) { lead(externalId: $x) { id } }`, { x: SUBJECT.externalId });
    expect(read).toEqual({ data: { lead: null } });
    // A retried activity of the erased lead (its key forgotten with it) finds no lead.
    const retried = await record(SUBJECT.externalId, `${SUBJECT.externalId}-demo`);
    expect(retried.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(ERASE, { id: subjectId })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await tablesHolding(SUBJECT.externalId)).toEqual([]);
  });

  it('lets the external id start a new lead: a new id, no history, no activities; an old idempotency key is a new activity of it', async () => {
    const newId = await upsert(SUBJECT.externalId, 'new.person@example.org');
    expect(newId).not.toBe(subjectId);
    const fresh = ok(
      await t.gql<{
        lead: { outcome: string; scoreHistory: { edges: Array<{ node: { cause: string } }> }; activities: { totalCount: number } };
      }>(`query($x: String) { lead(externalId: $x) { outcome scoreHistory { edges { node { cause } } } activities { totalCount } } }`, {
        x: SUBJECT.externalId,
      }),
    ).lead;
    expect(fresh).toEqual({
      outcome: 'OPEN',
      scoreHistory: { edges: [{ node: { cause: 'lead_created' } }] },
      activities: { totalCount: 0 },
    });
    const again = ok(await record(SUBJECT.externalId, `${SUBJECT.externalId}-demo`));
    expect(again.recordActivity.duplicate).toBe(false);
    expect((await rowsOf(newId)).activities).toBe(1);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'waits for a transaction holding the lead, and an activity arriving during the erasure then finds no lead',
    async () => {
      const externalId = 'subject-concurrent';
      const leadId = await upsert(externalId, 'concurrent@privacy.example');
      // Another client holds the lead's row lock, outside the service's pool.
      const holder = new pg.Client({ connectionString: (t.app.dataSource.options as { url: string }).url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM lead WHERE id = $1::bigint FOR UPDATE', [leadId]);
        const waiting = async (count: number) => {
          for (;;) {
            const [row] = await t.sql<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            );
            if (row.n >= count) return;
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        const erasure = t.gql<{ eraseLead: Erasure }>(ERASE, { externalId });
        await waiting(1);
        const activity = record(externalId, 'concurrent-demo');
        await waiting(2);
        await holder.query('COMMIT');
        expect(ok(await erasure).eraseLead.leadId).toBe(leadId);
        const late = await activity;
        expect(late.errors?.[0].extensions?.code).toBe('NOT_FOUND');
        expect(late.errors?.[0].extensions?.reason).toBe('LEAD_NOT_FOUND');
        expect(await rowsOf(leadId)).toMatchObject({ lead: 0, activities: 0, scores: 0, history: 0 });
      } finally {
        await holder.end();
      }
    },
  );
});
