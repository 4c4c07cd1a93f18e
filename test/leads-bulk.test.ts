import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY, type Lead, LEAD, type LeadWithHistory, leadHelpers, ok, onlyError, type Score } from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { upsert, leadCount } = leadHelpers(() => t);

interface ItemError {
  path: string;
  message: string;
  code: string;
  reason: string;
}
interface Result {
  index: number;
  externalId: string;
  created: boolean;
  lead: Lead | null;
  errors: ItemError[];
}
interface Payload {
  results: Result[];
  createdCount: number;
  updatedCount: number;
  failedCount: number;
}

const UPSERT_LEADS = `mutation($input: UpsertLeadsInput!) {
  upsertLeads(input: $input) { createdCount updatedCount failedCount results { index externalId created errors { path message code reason } lead { ${LEAD} } } }
}`;
const upsertLeads = (leads: Array<Record<string, unknown>>, atomic?: boolean) =>
  t.gql<{ upsertLeads: Payload }>(UPSERT_LEADS, { input: { leads, ...(atomic === undefined ? {} : { atomic }) } });

const SET_OUTCOMES = `mutation($input: SetLeadOutcomesInput!) {
  setLeadOutcomes(input: $input) { failedCount results { index externalId errors { path message code reason } lead { externalId outcome outcomeAt dealValue } } }
}`;

/** Counts the statements that touch leads while `run` runs. */
async function statementsOf<T>(run: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const logger = t.app.dataSource.logger;
  const original = logger.logQuery.bind(logger);
  let statements = 0;
  logger.logQuery = (...args) => {
    if (/\blead\b/.test(String(args[0]))) statements++;
    return original(...args);
  };
  try {
    return { value: await run(), statements };
  } finally {
    logger.logQuery = original;
  }
}

const scoreShown = (score: Score | null) => score && { ...score, scoredAt: undefined };

describe('upsertLeads', () => {
  it('creates and updates leads, scored as upsertLead scores them, with history causes', async () => {
    await upsert({ externalId: 'bulk-old', email: 'old@acme.io', attributes: { industry: 'retail', companySize: 90 } });
    const items = [
      {
        externalId: 'bulk-a',
        email: 'A@Acme.io',
        segment: 'mid-market',
        attributes: { industry: 'software', companySize: 800, seniority: 'vp' },
      },
      { externalId: 'bulk-old', attributes: { companySize: 800, industry: null } },
      { externalId: 'bulk-b', attributes: { industry: 'healthcare', country: 'US' } },
    ];
    const payload = ok(await upsertLeads(items)).upsertLeads;
    expect(payload).toMatchObject({ createdCount: 2, updatedCount: 1, failedCount: 0 });
    expect(payload.results.map((result) => [result.index, result.externalId, result.created, result.errors])).toEqual([
      [0, 'bulk-a', true, []],
      [1, 'bulk-old', false, []],
      [2, 'bulk-b', true, []],
    ]);
    const [a, old, b] = payload.results.map((result) => result.lead as Lead);
    expect(a.email).toBe('a@acme.io');
    expect(a.segment).toBe('mid-market');
    expect(old.email).toBe('old@acme.io'); // omitted: kept
    expect(old.attributes).toEqual({ companySize: 800 }); // merged, null removed
    // The same inputs one by one through upsertLead give the same scores.
    const twinA = await upsert({ ...items[0], externalId: 'twin-a' });
    const twinB = await upsert({ ...items[2], externalId: 'twin-b' });
    expect(scoreShown(a.score)).toEqual(scoreShown(twinA.score));
    expect(scoreShown(b.score)).toEqual(scoreShown(twinB.score));
    const read = ok(await t.gql<{ lead: LeadWithHistory }>(`{ lead(externalId: "bulk-old") { ${LEAD} ${HISTORY} } }`)).lead;
    expect(read.scoreHistory.edges.map((edge) => edge.node.cause)).toEqual(['lead_updated', 'lead_created']);
    expect(read.score).toEqual(old.score);
  });

  it('per item (atomic: false): a bad item gets errors naming its field, the others are written', async () => {
    const payload = ok(
      await upsertLeads([
        { externalId: 'item-0', attributes: { industry: 'software' } },
        { externalId: 'item-1', attributes: { companySize: 'large' } },
        { externalId: 'item-2' },
        { externalId: 'item-3', email: 'not-an-email' },
      ]),
    ).upsertLeads;
    expect(payload).toMatchObject({ createdCount: 2, updatedCount: 0, failedCount: 2 });
    const [zero, one, two, three] = payload.results;
    expect(zero.lead?.externalId).toBe('item-0');
    expect(two.lead?.externalId).toBe('item-2');
    expect(one.lead).toBeNull();
    expect(one.errors).toEqual([
      expect.objectContaining({ path: 'input.leads[1].attributes.companySize', code: 'BAD_USER_INPUT', reason: 'INVALID_LEAD' }),
    ]);
    expect(three.errors).toEqual([expect.objectContaining({ path: 'input.leads[3].email', code: 'BAD_USER_INPUT' })]);
    expect(three.errors[0].message).toContain('not an email address');
    expect(await leadCount('item-1')).toBe(0);
    expect(await leadCount('item-3')).toBe(0);
  });

  it('a repeated externalId is an error on the later item; the earlier one is written', async () => {
    const payload = ok(
      await upsertLeads([
        { externalId: 'dup-1', attributes: { industry: 'software' } },
        { externalId: 'dup-2' },
        { externalId: 'dup-1', attributes: { industry: 'retail' } },
      ]),
    ).upsertLeads;
    expect(payload.results[0].errors).toEqual([]);
    expect(payload.results[2].errors).toEqual([
      expect.objectContaining({ path: 'input.leads[2].externalId', reason: 'DUPLICATE_IN_BATCH', code: 'BAD_USER_INPUT' }),
    ]);
    expect(payload.results[2].errors[0].message).toContain('input.leads[0]');
    expect(payload.results[0].lead?.attributes).toEqual({ industry: 'software' });
  });

  it('atomic: true writes nothing when any item is bad, and the error lists every bad item', async () => {
    await upsert({ externalId: 'atomic-kept', attributes: { industry: 'software' } });
    const before = await leadCount();
    const error = onlyError(
      await upsertLeads(
        [
          { externalId: 'atomic-kept', attributes: { industry: 'retail' } },
          { externalId: 'atomic-new' },
          { externalId: 'atomic-bad-1', attributes: { seniority: 'king' } },
          { externalId: '   ' },
          { externalId: 'atomic-new' },
        ],
        true,
      ),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual([
      'input.leads[2].attributes.seniority',
      'input.leads[3].externalId',
      'input.leads[4].externalId',
    ]);
    expect(await leadCount()).toBe(before);
    const kept = ok(await t.gql<{ lead: Lead }>(`{ lead(externalId: "atomic-kept") { attributes } }`)).lead;
    expect(kept.attributes).toEqual({ industry: 'software' });
    // All good: all written.
    const payload = ok(
      await upsertLeads([{ externalId: 'atomic-kept', attributes: { industry: 'retail' } }, { externalId: 'atomic-new' }], true),
    ).upsertLeads;
    expect(payload).toMatchObject({ createdCount: 1, updatedCount: 1, failedCount: 0 });
  });

  it('more than 1,000 leads, or none, is BAD_USER_INPUT naming input.leads, nothing written', async () => {
    const before = await leadCount();
    for (const count of [1001, 0]) {
      const leads = Array.from({ length: count }, (_, i) => ({ externalId: `too-many-${i}` }));
      for (const atomic of [false, true]) {
        const error = onlyError(await upsertLeads(leads, atomic));
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['input.leads']);
      }
    }
    expect(await leadCount()).toBe(before);
  });

  it('1,000 leads in one call take a few statements, not one per lead; a second call updates them all', async () => {
    const leads = Array.from({ length: 1000 }, (_, i) => ({
      externalId: `k-${String(i).padStart(4, '0')}`,
      email: `k${i}@bulk.io`,
      attributes: { industry: i % 2 ? 'software' : 'retail', companySize: 10 + i },
    }));
    const query = `mutation($input: UpsertLeadsInput!) { upsertLeads(input: $input) { createdCount updatedCount failedCount results { lead { id score { total } } } } }`;
    const started = performance.now();
    const created = await statementsOf(() => t.gql<{ upsertLeads: Payload }>(query, { input: { leads } }));
    const elapsed = performance.now() - started;
    const payload = ok(created.value).upsertLeads;
    expect(payload).toMatchObject({ createdCount: 1000, updatedCount: 0, failedCount: 0 });
    expect(payload.results.every((result) => result.lead?.score != null)).toBe(true);
    expect(created.statements).toBeLessThan(20);
    console.log(`upsertLeads of 1,000 new leads: ${created.statements} statements on lead, ${elapsed.toFixed(0)} ms in-process`);
    const updated = await statementsOf(() =>
      t.gql<{ upsertLeads: Payload }>(query, {
        input: { leads: leads.map((lead) => ({ externalId: lead.externalId, source: 'bulk' })), atomic: true },
      }),
    );
    expect(ok(updated.value).upsertLeads).toMatchObject({ createdCount: 0, updatedCount: 1000, failedCount: 0 });
    expect(updated.statements).toBeLessThan(20);
    const [{ count }] = await t.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM lead WHERE external_id LIKE 'k-%' AND source = 'bulk'`,
    );
    expect(count).toBe(1000);
  });

  it('concurrent overlapping batches (in opposite orders) neither deadlock nor duplicate a lead', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `race-${i}`);
    await upsertLeads(ids.slice(0, 20).map((externalId) => ({ externalId })));
    const batches = [ids, [...ids].reverse(), ids.filter((_, i) => i % 2 === 0), [...ids].reverse().filter((_, i) => i % 3 === 0)];
    const replies = await Promise.all(
      batches.map((batch, n) => upsertLeads(batch.map((externalId) => ({ externalId, attributes: { companySize: n + 1 } })))),
    );
    for (const reply of replies) expect(ok(reply).upsertLeads.failedCount).toBe(0);
    const rows = await t.sql<{ external_id: string; n: number }>(
      `SELECT external_id, count(*)::int AS n FROM lead WHERE external_id LIKE 'race-%' GROUP BY external_id`,
    );
    expect(rows).toHaveLength(60);
    expect(rows.every((row) => row.n === 1)).toBe(true);
    const created = replies.flatMap((reply) =>
      ok(reply)
        .upsertLeads.results.filter((result) => result.created)
        .map((result) => result.externalId),
    );
    expect(created.sort()).toEqual(ids.slice(20).sort()); // each new lead created exactly once
  });

  it('its cost counts one result per item: 1,000 results with a nested page each are too complex, 3 are not', async () => {
    const query = `mutation($input: UpsertLeadsInput!) { upsertLeads(input: $input) { results { lead { id activities(first: 20) { edges { node { id } } } } } } }`;
    const before = await leadCount();
    const many = Array.from({ length: 1000 }, (_, i) => ({ externalId: `cost-${i}` }));
    const error = onlyError(await t.gql(query, { input: { leads: many } }));
    expect(error.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(await leadCount()).toBe(before);
    // The same document with few items (its cost is remembered per batch size).
    const few = ok(await t.gql<{ upsertLeads: Payload }>(query, { input: { leads: many.slice(0, 3) } })).upsertLeads;
    expect(few.results).toHaveLength(3);
    expect(onlyError(await t.gql(query, { input: { leads: many.slice(0, 1000) } })).extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // Selecting the leads' scores for 1,000 items stays within the budget.
    const scored = `mutation($input: UpsertLeadsInput!) { upsertLeads(input: $input) { failedCount results { index errors { path } lead { id score { total cell reasons { rule points } } } } } }`;
    expect(ok(await t.gql<{ upsertLeads: Payload }>(scored, { input: { leads: many } })).upsertLeads.failedCount).toBe(0);
  });

  it('needs leads:write: a scores:read key is FORBIDDEN', async () => {
    const reply = await t.gqlAs({ kind: 'apiKey', keyId: '1', name: 'reader', scopes: ['scores:read'] }, UPSERT_LEADS, {
      input: { leads: [{ externalId: 'forbidden-1' }] },
    });
    expect(reply.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await leadCount('forbidden-1')).toBe(0);
  });
});

describe('setLeadOutcomes', () => {
  beforeAll(async () => {
    await upsertLeads(['won-1', 'won-2', 'lost-1', 'open-1'].map((externalId) => ({ externalId })));
  });

  it('per item: sets the good outcomes, reports an unknown lead as NOT_FOUND and a bad item by its field', async () => {
    const at = new Date(Date.now() + 1000).toISOString(); // after the leads' creation, within the clock drift allowed
    const payload = ok(
      await t.gql<{ setLeadOutcomes: { failedCount: number; results: Array<Result & { lead: Record<string, unknown> | null }> } }>(
        SET_OUTCOMES,
        {
          input: {
            outcomes: [
              { externalId: 'won-1', outcome: 'CONVERTED', dealValue: 1200.5, at },
              { externalId: 'nobody', outcome: 'LOST' },
              { externalId: 'lost-1', outcome: 'LOST', dealValue: 3 },
              { externalId: 'won-2', outcome: 'CONVERTED' },
              { externalId: 'won-1', outcome: 'LOST' },
            ],
          },
        },
      ),
    ).setLeadOutcomes;
    expect(payload.failedCount).toBe(3);
    const [won, nobody, lost, won2, again] = payload.results;
    expect(won.lead).toMatchObject({ externalId: 'won-1', outcome: 'CONVERTED', dealValue: '1200.50', outcomeAt: at });
    expect(won2.lead).toMatchObject({ outcome: 'CONVERTED' });
    expect(nobody.errors).toEqual([
      expect.objectContaining({ path: 'input.outcomes[1].externalId', code: 'NOT_FOUND', reason: 'LEAD_NOT_FOUND' }),
    ]);
    expect(lost.errors).toEqual([expect.objectContaining({ path: 'input.outcomes[2].dealValue', code: 'BAD_USER_INPUT' })]);
    expect(again.errors).toEqual([expect.objectContaining({ path: 'input.outcomes[4].externalId', reason: 'DUPLICATE_IN_BATCH' })]);
    const [{ outcome }] = await t.sql<{ outcome: string }>(`SELECT outcome FROM lead WHERE external_id = 'lost-1'`);
    expect(outcome).toBe('open');
    const audit = await t.sql<{ summary: string }>(`SELECT summary FROM audit_log WHERE action = 'lead.outcomes_set'`);
    expect(audit.map((row) => row.summary)).toEqual(['Outcomes of 2 leads set in one batch']);
  });

  it('atomic: an unknown lead or a bad item fails the call listing each, nothing written', async () => {
    const error = onlyError(
      await t.gql(SET_OUTCOMES, {
        input: {
          atomic: true,
          outcomes: [
            { externalId: 'open-1', outcome: 'LOST' },
            { externalId: 'nobody-2', outcome: 'LOST' },
            { externalId: 'lost-1', outcome: 'LOST', at: '2001-01-01T00:00:00Z' },
          ],
        },
      }),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['input.outcomes[1].externalId', 'input.outcomes[2].at']);
    const rows = await t.sql<{ outcome: string }>(`SELECT outcome FROM lead WHERE external_id IN ('open-1', 'lost-1')`);
    expect(rows.map((row) => row.outcome)).toEqual(['open', 'open']);
    const tooMany = onlyError(
      await t.gql(SET_OUTCOMES, { input: { outcomes: Array.from({ length: 1001 }, () => ({ externalId: 'open-1', outcome: 'LOST' })) } }),
    );
    expect(tooMany.extensions?.problems?.map((problem) => problem.path)).toEqual(['input.outcomes']);
  });
});
