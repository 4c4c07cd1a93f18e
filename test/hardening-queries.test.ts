/**
 * Bounded work per request, over HTTP: `leads` filters are bounded in size and cost, nested lists
 * count at their page size and are batched, a statement over the request timeout gives a clear
 * error, and a client that goes away has its statements cancelled (the last two need PostgreSQL).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAD_FILTER_LIMITS } from '../server/src/leads/lead-filter';
import { createTestApp, type GqlError, type TestApp } from './support/test-app';
import { until } from './support/wait';

const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres)
  console.info(
    'test/hardening-queries.test.ts: the statement timeout and cancel tests need PostgreSQL (set DATABASE_URL); PGlite enforces neither',
  );

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: GqlError[] };
}

async function post(t: TestApp, query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Reply> {
  const http = await t.http();
  const response = await fetch(http.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.adminToken()}` },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

const LEADS = `query ($filter: LeadFilter) { leads(first: 50, filter: $filter) { totalCount edges { node { externalId } } } }`;

async function counts(t: TestApp): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, number>>(
    'SELECT (SELECT count(*)::int FROM lead) AS leads, (SELECT count(*)::int FROM activity) AS activities, (SELECT count(*)::int FROM audit_log) AS audit',
  );
  return row;
}

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('leads filter bounds', () => {
  beforeAll(async () => {
    const upsert = 'mutation ($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }';
    const leads = [
      {
        externalId: 'f-1',
        attributes: { industry: 'software', seniority: 'vp', technologies: ['hubspot', 'salesforce'], companySize: 800 },
      },
      { externalId: 'f-2', attributes: { industry: 'retail', seniority: 'vp', technologies: ['salesforce'], companySize: 40 } },
      { externalId: 'f-3', attributes: { industry: 'software', seniority: 'manager', companySize: 800 } },
    ];
    for (const input of leads) expect((await t.gql(upsert, { input })).errors).toBeUndefined();
  });

  const values = (count: number, real: unknown[] = []) => [...real, ...Array.from({ length: count - real.length }, (_, i) => `other-${i}`)];

  it('100 attribute filters x 100 values are refused, naming the field, and nothing is written', async () => {
    const before = await counts(t);
    const filter = { attributes: Array.from({ length: 100 }, () => ({ name: 'industry', values: values(100, ['software']) })) };
    const reply = await post(t, LEADS, { filter });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeNull();
    const [error] = reply.body.errors ?? [];
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems).toEqual([
      { path: 'filter.attributes', message: `at most ${LEAD_FILTER_LIMITS.attributeFilters} attribute filters, got 100` },
    ]);
    expect(await counts(t)).toEqual(before);
    expect((await fetch(`${(await t.http()).url}/healthz`)).status).toBe(200);
  });

  it('too many values for one filter, for all filters together, or too long, are refused naming the value', async () => {
    const before = await counts(t);
    const refused = async (filter: Record<string, unknown>) => {
      const reply = await post(t, LEADS, { filter });
      expect(reply.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      return reply.body.errors?.[0].extensions?.problems?.map((problem) => problem.path);
    };
    expect(await refused({ attributes: [{ name: 'industry', values: values(101) }] })).toEqual(['filter.attributes[0].values']);
    const perFilter = LEAD_FILTER_LIMITS.valuesPerAttribute;
    const filters = Math.floor(LEAD_FILTER_LIMITS.attributeValues / perFilter) + 1;
    expect(await refused({ attributes: Array.from({ length: filters }, () => ({ name: 'industry', values: values(perFilter) })) })).toEqual(
      [`filter.attributes[${filters - 1}].values`],
    );
    expect(
      await refused({ attributes: [{ name: 'industry', values: ['software', 'x'.repeat(LEAD_FILTER_LIMITS.valueLength + 1)] }] }),
    ).toEqual(['filter.attributes[0].values[1]']);
    expect(await refused({ attributes: [{ name: 'industry', values: [{ nested: 'object' }] }] })).toEqual([
      'filter.attributes[0].values[0]',
    ]);
    expect(await refused({ cells: Array.from({ length: LEAD_FILTER_LIMITS.listEntries + 1 }, () => 'A1') })).toEqual(['filter.cells']);
    expect(await counts(t)).toEqual(before);
  });

  it('the largest filter allowed answers, with the same meaning as before: equals one of the values, an array value is contained', async () => {
    const perFilter = LEAD_FILTER_LIMITS.attributeValues / LEAD_FILTER_LIMITS.attributeFilters;
    const attributes = Array.from({ length: LEAD_FILTER_LIMITS.attributeFilters }, (_, i) =>
      i % 2 === 0
        ? { name: 'industry', values: values(perFilter, ['software']) }
        : { name: 'companySize', values: [1, 2, 800.0, ...values(perFilter - 3)] },
    );
    const reply = await post(t, LEADS, { filter: { attributes } });
    expect(reply.body.errors).toBeUndefined();
    const ids = (body: Reply['body']) =>
      (body.data!.leads as { edges: Array<{ node: { externalId: string } }> }).edges.map((edge) => edge.node.externalId).sort();
    expect(ids(reply.body)).toEqual(['f-1', 'f-3']);
    expect((reply.body.data!.leads as { totalCount: number }).totalCount).toBe(2);

    const mixed = await post(t, LEADS, {
      filter: {
        attributes: [
          { name: 'technologies', values: [['salesforce', 'hubspot'], 'nothing'] },
          { name: 'seniority', values: ['vp'] },
        ],
      },
    });
    expect(mixed.body.errors).toBeUndefined();
    expect(ids(mixed.body)).toEqual(['f-1']);
  });
});

describe('nested lists: counted at their page size and batched', () => {
  beforeAll(async () => {
    for (let i = 0; i < 30; i++) {
      const result = await t.gql(`mutation { upsertLead(input: { externalId: "n-${i}", attributes: { industry: "software" } }) { id } }`);
      expect(result.errors).toBeUndefined();
    }
    const recorded = await t.gql(
      `mutation { recordActivities(input: [${Array.from({ length: 90 }, (_, i) => `{ leadExternalId: "n-${i % 30}", type: PAGE_VIEW, occurredAt: "2026-01-0${1 + (i % 9)}T10:00:00Z", idempotencyKey: "a-${i}" }`).join(',')}]) { results { duplicate } } }`,
    );
    expect(recorded.errors).toBeUndefined();
  });

  const costOf = (error: GqlError | undefined) => Number(/cost (\d+)/.exec(error?.message ?? '')?.[1]);

  it('8 aliases of leads(first: 200) with activities and scoreHistory without first are refused as too complex', async () => {
    const alias = (i: number) =>
      `l${i}: leads(first: 200) { edges { node { activities { totalCount edges { node { type } } } scoreHistory { edges { node { cause } } } } } }`;
    const reply = await post(t, `{ ${Array.from({ length: 8 }, (_, i) => alias(i)).join(' ')} }`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // An omitted first costs what first: 20 (the page it returns) costs.
    // (Two aliases: one alone is within the budget.)
    const withDefault = await post(t, `{ ${alias(0)} ${alias(1)} }`);
    const explicitFirst = (i: number) =>
      alias(i).replace('activities {', 'activities(first: 20) {').replace('scoreHistory {', 'scoreHistory(first: 20) {');
    const explicit = await post(t, `{ ${explicitFirst(0)} ${explicitFirst(1)} }`);
    expect(costOf(withDefault.body.errors?.[0])).toBeGreaterThan(0);
    expect(costOf(withDefault.body.errors?.[0])).toBe(costOf(explicit.body.errors?.[0]));
  });

  it('a page of leads with their activities and history costs the same statements whatever its size, with the same pages as one lead alone', async () => {
    const logger = t.app.dataSource.logger;
    const original = logger.logQuery.bind(logger);
    // Statements reading the page's data (authentication and cached catalogs aside).
    const PAGE_DATA = /\b(FROM|JOIN) (lead|lead_score|activity|score_history)\b/;
    let statements = 0;
    logger.logQuery = (...args) => {
      if (PAGE_DATA.test(String(args[0]))) statements++;
      return original(...args);
    };
    const page = (first: number) =>
      `{ leads(first: ${first}, orderBy: CREATED_DESC, filter: { search: "n-" }) { edges { node { externalId
          activities(first: 2) { totalCount edges { cursor node { id occurredAt } } pageInfo { hasNextPage endCursor } }
          scoreHistory(first: 1) { edges { cursor node { cause } } pageInfo { hasNextPage } } } } } }`;
    const statementsOf = async (query: string) => {
      statements = 0;
      const reply = await post(t, query);
      expect(reply.body.errors).toBeUndefined();
      return { statements, data: reply.body.data };
    };
    try {
      const small = await statementsOf(page(3));
      const large = await statementsOf(page(30));
      // The page of leads, its activities and their counts, its history.
      expect(small.statements).toBe(4);
      expect(large.statements).toBe(4);

      type Node = {
        externalId: string;
        activities: {
          totalCount: number;
          edges: Array<{ cursor: string; node: { id: string } }>;
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
      const nodes = (large.data!.leads as { edges: Array<{ node: Node }> }).edges.map((edge) => edge.node);
      expect(nodes).toHaveLength(30);
      for (const node of nodes.slice(0, 3)) {
        const alone = await post(
          t,
          `{ lead(externalId: "${node.externalId}") { activities(first: 2) { totalCount edges { cursor node { id occurredAt } } pageInfo { hasNextPage endCursor } } } }`,
        );
        expect((alone.body.data!.lead as Node).activities).toEqual(node.activities);
        expect(node.activities.totalCount).toBe(3);
        const next = await post(
          t,
          `{ lead(externalId: "${node.externalId}") { activities(first: 2, after: "${node.activities.pageInfo.endCursor}") { edges { node { id } } pageInfo { hasNextPage } } } }`,
        );
        const rest = (next.body.data!.lead as Node).activities;
        expect(rest.edges).toHaveLength(1);
        expect(rest.pageInfo.hasNextPage).toBe(false);
        expect(node.activities.edges.map((edge) => edge.node.id)).not.toContain(rest.edges[0].node.id);
      }
    } finally {
      logger.logQuery = original;
    }
  });

  it('a bad first or cursor of a nested list is refused naming that argument', async () => {
    const refusal = async (field: string) => {
      const reply = await post(t, `{ leads(first: 2) { edges { node { ${field} } } } }`);
      const [error] = reply.body.errors ?? [];
      return [error?.extensions?.code, error?.extensions?.problems?.[0].path, error?.path?.slice(-1)[0]];
    };
    expect(await refusal('activities(first: 0) { totalCount }')).toEqual(['BAD_USER_INPUT', 'first', 'activities']);
    expect(await refusal('scoreHistory(first: 201) { edges { cursor } }')).toEqual(['BAD_USER_INPUT', 'first', 'scoreHistory']);
    expect(await refusal('scoreHistory(after: "nope") { edges { cursor } }')).toEqual(['BAD_USER_INPUT', 'after', 'scoreHistory']);
    expect(await refusal('activities(after: "nope") { totalCount }')).toEqual(['BAD_USER_INPUT', 'after', 'activities']);
  });
});

describe.skipIf(!onPostgres)('statement timeout and client cancel (PostgreSQL only; skipped without DATABASE_URL)', () => {
  let hurried: TestApp;
  let locker: pg.Client;
  const TIMEOUT_MS = 400;

  /** Holds an exclusive lock on lead until released: a `leads` read then waits, as a slow statement would. */
  async function lockLeads(): Promise<() => Promise<void>> {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE lead IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await locker.query('ROLLBACK');
    };
  }

  beforeAll(async () => {
    hurried = await createTestApp({ queryLimits: { statementTimeoutMs: TIMEOUT_MS } });
    const [{ current_database: database }] = await hurried.sql<{ current_database: string }>('SELECT current_database()');
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${database}`;
    locker = new pg.Client({ connectionString: url.toString() });
    await locker.connect();
    expect((await hurried.gql('mutation { upsertLead(input: { externalId: "slow-1" }) { id } }')).errors).toBeUndefined();
  });
  afterAll(async () => {
    await locker?.end();
    await hurried?.close();
  });

  it('a statement over the request timeout gives QUERY_TIMEOUT with a clear message, and the service keeps answering', async () => {
    const release = await lockLeads();
    try {
      const reply = post(hurried, LEADS);
      expect((await fetch(`${(await hurried.http()).url}/healthz`)).status).toBe(200);
      const { status, body } = await reply;
      expect(status).toBe(200);
      expect(body.errors?.[0].extensions?.code).toBe('QUERY_TIMEOUT');
      expect(body.errors?.[0].message).toBe(
        `The query took longer than ${TIMEOUT_MS / 1000} s and was stopped; narrow the filter or ask for fewer items`,
      );
      expect(body.errors?.[0].path).toEqual(['leads']);
    } finally {
      await release();
    }
    const after = await post(hurried, LEADS);
    expect(after.body.errors).toBeUndefined();
  });

  it('jobs get their own, longer timeout: work outside a request is not bound by the request timeout', async () => {
    const [{ slept }] = await hurried.sql<{ slept: string }>(`SELECT pg_sleep(${(TIMEOUT_MS * 2) / 1000})::text AS slept`);
    expect(slept).toBe('');
  });

  it('when the client goes away, its running read is cancelled', async () => {
    // A second app with the default (30 s) timeout: only the cancel can end the wait within the test.
    const patient = await createTestApp();
    const [{ current_database: database }] = await patient.sql<{ current_database: string }>('SELECT current_database()');
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${database}`;
    const holder = new pg.Client({ connectionString: url.toString() });
    const watcher = new pg.Client({ connectionString: url.toString() });
    await holder.connect();
    await watcher.connect();
    try {
      await patient.adminToken();
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE lead IN ACCESS EXCLUSIVE MODE');
      // Backends of the service waiting for the lock on lead (asked on a connection of its own:
      // inside the holder's transaction the statistics would stay a snapshot).
      const waiting = async () => {
        const { rows } = await watcher.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = 'lead'::regclass AND NOT l.granted AND a.datname = $1 AND a.state = 'active'`,
          [database],
        );
        return rows[0].count;
      };
      const client = new AbortController();
      const reply = post(patient, LEADS, {}, client.signal).catch((error: unknown) => error);
      await until(async () => (await waiting()) === 1, 'the leads read waits on the lock');
      expect((await fetch(`${(await patient.http()).url}/healthz`)).status).toBe(200);
      client.abort();
      expect(await reply).toMatchObject({ name: 'AbortError' });
      await until(async () => (await waiting()) === 0, 'no backend runs the read any more', 10_000);
      await holder.query('ROLLBACK');
      const after = await post(patient, LEADS);
      expect(after.body.errors).toBeUndefined();
    } finally {
      await holder.end();
      await watcher.end();
      await patient.close();
    }
  });
});
