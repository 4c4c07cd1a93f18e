import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, onlyError } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/* Accounts through GraphQL: upsertAccounts, the account-scope catalog, pages, contacts, outcomes, bad input. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  ok(
    await t.gql(`mutation {
      tier: defineAttribute(input: { scope: ACCOUNT, name: "tier", type: "string", label: "Tier", allowedValues: ["gold", "silver"] }) { scope name }
      seats: defineAttribute(input: { scope: ACCOUNT, name: "seats", type: "number", label: "Seats" }) { scope name }
    }`),
  );
});
afterAll(async () => {
  await t?.close();
});

interface ItemError {
  path: string;
  code: string;
  reason: string;
}
interface Account {
  id: string;
  externalId: string | null;
  domain: string | null;
  name: string;
  attributes: Record<string, unknown>;
}
interface Payload {
  createdCount: number;
  updatedCount: number;
  failedCount: number;
  results: Array<{ index: number; created: boolean; account: Account | null; errors: ItemError[] }>;
}

const UPSERT = `mutation($input: UpsertAccountsInput!) {
  upsertAccounts(input: $input) { createdCount updatedCount failedCount results { index created account { id externalId domain name attributes } errors { path code reason } } }
}`;
const upsertAccounts = (accounts: Array<Record<string, unknown>>, atomic?: boolean) =>
  t.gql<{ upsertAccounts: Payload }>(UPSERT, { input: { accounts, ...(atomic === undefined ? {} : { atomic }) } });
const PAGE = `query($first: Int, $after: String, $orderBy: AccountOrder, $search: String, $model: String) {
  accounts(first: $first, after: $after, orderBy: $orderBy, search: $search, model: $model) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id name } edges { cursor node { id } }
  }
}`;
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{ id: string; name: string }>;
};
const page = (variables: Record<string, unknown>) => t.gql<{ accounts: Page }>(PAGE, variables);

describe('the account-scope attribute catalog', () => {
  it('keeps account attributes apart from lead attributes', async () => {
    const scoped = ok(
      await t.gql<{ accounts: Array<{ name: string; scope: string }>; leads: Array<{ name: string; scope: string }> }>(
        '{ accounts: attributeDefinitions(scope: ACCOUNT) { name scope } leads: attributeDefinitions { name scope } }',
      ),
    );
    expect(scoped.accounts.map((a) => a.name)).toEqual(expect.arrayContaining(['seats', 'tier']));
    expect(scoped.accounts.every((a) => a.scope === 'ACCOUNT')).toBe(true);
    expect(scoped.leads.map((a) => a.name)).not.toContain('tier');
    expect(scoped.leads.length).toBeGreaterThan(0);
    expect(scoped.leads.every((a) => a.scope === 'LEAD')).toBe(true);
    // A lead may not carry an account attribute.
    const error = onlyError(await t.gql(`mutation { upsertLead(input: { externalId: "cat-1", attributes: { tier: "gold" } }) { id } }`));
    expect(error.extensions?.problems).toEqual([expect.objectContaining({ path: 'input.attributes.tier' })]);
  });
});

describe('upsertAccounts', () => {
  it('creates by externalId or domain, then updates by either, merging attributes', async () => {
    const created = ok(
      await upsertAccounts([
        { externalId: 'u-1', name: 'Uno', attributes: { tier: 'gold' } },
        { domain: 'U-Two.io', attributes: { seats: 12 } },
      ]),
    ).upsertAccounts;
    expect(created).toMatchObject({ createdCount: 2, updatedCount: 0, failedCount: 0 });
    expect(created.results[1].account).toMatchObject({ domain: 'u-two.io', name: 'u-two.io', externalId: null });
    const updated = ok(
      await upsertAccounts([
        { externalId: 'u-1', domain: 'uno.io', attributes: { seats: 3 } },
        { externalId: 'u-2', domain: 'u-two.io', name: 'Two', attributes: { seats: null } },
      ]),
    ).upsertAccounts;
    expect(updated).toMatchObject({ createdCount: 0, updatedCount: 2 });
    expect(updated.results[0].account).toMatchObject({ externalId: 'u-1', domain: 'uno.io', attributes: { tier: 'gold', seats: 3 } });
    expect(updated.results[1].account).toMatchObject({ externalId: 'u-2', name: 'Two', attributes: {} });
    // A lead of that domain joins the account the client made.
    const lead = ok(
      await t.gql<{ upsertLead: { account: { id: string } } }>(
        `mutation { upsertLead(input: { externalId: "u-lead", email: "x@uno.io" }) { account { id } } }`,
      ),
    ).upsertLead;
    expect(lead.account.id).toBe(updated.results[0].account?.id);
  });

  it('bad items get errors naming their fields; atomic writes nothing', async () => {
    const payload = ok(
      await upsertAccounts([
        { name: 'nobody' },
        { domain: 'not a domain' },
        { externalId: 'u-bad', attributes: { tier: 'bronze', industry: 'x' } },
        { externalId: 'u-ok' },
        { externalId: 'u-ok' },
        { externalId: 'u-3', domain: 'uno.io' },
      ]),
    ).upsertAccounts;
    expect(payload).toMatchObject({ createdCount: 1, failedCount: 5 });
    expect(payload.results.map((r) => r.errors.map((e) => `${e.path} ${e.reason}`))).toEqual([
      ['input.accounts[0].externalId INVALID_ACCOUNT'],
      ['input.accounts[1].domain INVALID_ACCOUNT'],
      ['input.accounts[2].attributes.tier INVALID_ACCOUNT', 'input.accounts[2].attributes.industry INVALID_ACCOUNT'],
      [],
      ['input.accounts[4].externalId DUPLICATE_IN_BATCH'],
      ['input.accounts[5].domain ACCOUNT_CONFLICT'],
    ]);
    expect(payload.results[5].errors[0].code).toBe('CONFLICT');
    const error = onlyError(await upsertAccounts([{ externalId: 'u-atomic' }, { domain: '' }], true));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.accounts[1].domain' }] });
    expect(await t.sql(`SELECT 1 FROM account WHERE external_id = 'u-atomic'`)).toHaveLength(0);
    const tooMany = onlyError(await upsertAccounts(Array.from({ length: 1001 }, (_, i) => ({ externalId: `many-${i}` }))));
    expect(tooMany.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.accounts' }] });
  });
});

interface WithContacts {
  contactCount: number;
  outcome: string;
  contacts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: Array<{ node: { externalId: string; account: { id: string } } }>;
  };
}

describe('upsertAccounts racing another writer', () => {
  it('a domain taken by a concurrent transaction is a CONFLICT (or an item error), never a server error', async () => {
    ok(await upsertAccounts([{ externalId: 'race-acc' }]));
    const runner = t.app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    let call: ReturnType<typeof upsertAccounts> | null = null;
    try {
      await runner.query(`INSERT INTO account (domain, name) VALUES ('race-up.io', 'race')`);
      call = upsertAccounts([{ externalId: 'race-acc', domain: 'race-up.io' }]);
      if (process.env.DATABASE_URL)
        await until(
          async () =>
            (
              await t.sql<{ count: number }>(
                `SELECT count(*)::int AS count FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                  WHERE NOT l.granted AND a.datname = current_database()`,
              )
            )[0].count > 0,
          'the upsert waits for the uncommitted domain',
        );
      // On PGlite the upsert waits for the one connection instead, and then sees the committed row.
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const result = await call;
    const reasons = result?.errors
      ? result.errors.map((error) => error.extensions?.reason)
      : (result?.data?.upsertAccounts.results[0].errors.map((error) => error.reason) ?? []);
    expect(reasons).toEqual(['ACCOUNT_CONFLICT']);
    expect(await t.sql(`SELECT 1 FROM account WHERE external_id = 'race-acc' AND domain IS NOT NULL`)).toHaveLength(0);
  });
});

describe('reading accounts', () => {
  it('pages through every account once in each order, with a total', async () => {
    ok(
      await upsertAccounts(Array.from({ length: 7 }, (_, i) => ({ externalId: `p-${i}`, name: `Paging ${String.fromCharCode(71 - i)}` }))),
    );
    for (const orderBy of ['SCORE_DESC', 'NAME_ASC', 'CREATED_DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      let total = 0;
      do {
        const result: Page = ok(await page({ first: 3, after, orderBy, search: 'paging' })).accounts;
        total = result.totalCount;
        seen.push(...result.nodes.map((node) => node.name));
        after = result.pageInfo.hasNextPage ? result.pageInfo.endCursor : null;
      } while (after);
      expect(total).toBe(7);
      expect(new Set(seen).size).toBe(7);
      if (orderBy === 'NAME_ASC') expect(seen).toEqual([...seen].sort());
    }
  });

  it('ranks scored accounts of the model first, the unscored after', async () => {
    const [{ id: low }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id = 'p-1'`);
    const [{ id: high }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id = 'p-5'`);
    const [version] = await t.sql<{ id: string }>('SELECT id::text AS id FROM rule_set_version ORDER BY id LIMIT 1');
    for (const [id, total] of [
      [low, 20],
      [high, 80],
    ] as const)
      await t.sql(
        `INSERT INTO model_score (model, subject_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
           fit_grade, engagement_level, cell, band, qualified, action, action_label, scored_at)
         VALUES ('account', $1, $2, 'accounts', 1, $3, 0, $3, 'A', 1, 'A1', 'hot', false, 'a', 'A', now())`,
        [id, version.id, total],
      );
    const nodes: Array<{ id: string }> = [];
    let after: string | null = null;
    do {
      const result: Page = ok(await page({ first: 1, after, search: 'paging' })).accounts;
      nodes.push(...result.nodes);
      after = result.pageInfo.hasNextPage ? result.pageInfo.endCursor : null;
    } while (after);
    expect(nodes.slice(0, 2).map((node) => node.id)).toEqual([high, low]);
    expect(nodes).toHaveLength(7);
    expect(onlyError(await page({ model: 'default' })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'model' }] });
    expect(onlyError(await page({ first: 0 })).extensions?.problems).toEqual([expect.objectContaining({ path: 'first' })]);
    expect(onlyError(await page({ after: 'nope' })).extensions?.problems).toEqual([expect.objectContaining({ path: 'after' })]);
  });

  it('an account with its contacts (paged, with a count) and each lead with its account', async () => {
    for (let i = 0; i < 5; i++)
      ok(await t.gql(`mutation { upsertLead(input: { externalId: "k-${i}", email: "k${i}@contacts.io" }) { id } }`));
    const query = '{ account(externalId: null, id: null) { id } }';
    expect(onlyError(await t.gql(query)).extensions?.problems).toEqual([expect.objectContaining({ path: 'id' })]);
    const [{ id }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE domain = 'contacts.io'`);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { account }: { account: WithContacts } = ok(
        await t.gql<{
          account: WithContacts;
        }>(
          `query($id: ID, $after: String) { account(id: $id) { contactCount outcome contacts(first: 2, after: $after) {
             totalCount pageInfo { hasNextPage endCursor } edges { node { externalId account { id } } } } } }`,
          { id, after },
        ),
      );
      expect(account).toMatchObject({ contactCount: 5, outcome: 'OPEN', contacts: { totalCount: 5 } });
      for (const edge of account.contacts.edges) {
        expect(edge.node.account.id).toBe(id);
        seen.push(edge.node.externalId);
      }
      after = account.contacts.pageInfo.hasNextPage ? account.contacts.pageInfo.endCursor : null;
    } while (after);
    expect(seen.sort()).toEqual(['k-0', 'k-1', 'k-2', 'k-3', 'k-4']);
  });
});

describe('setAccountOutcome', () => {
  it('records a conversion with its deal value, audited; bad input names the field', async () => {
    const [{ id }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id = 'u-1'`);
    const set = (input: Record<string, unknown>) =>
      t.gql<{ setAccountOutcome: { outcome: string; dealValue: string; outcomeAt: string } }>(
        `mutation($input: SetAccountOutcomeInput!) { setAccountOutcome(input: $input) { outcome dealValue outcomeAt } }`,
        { input },
      );
    const done = ok(await set({ accountId: id, outcome: 'CONVERTED', dealValue: 1234.5 })).setAccountOutcome;
    expect(done).toMatchObject({ outcome: 'CONVERTED', dealValue: '1234.50' });
    expect(await t.sql(`SELECT 1 FROM audit_log WHERE action = 'account.outcome_set' AND entity_id = $1`, [id])).toHaveLength(1);
    expect(onlyError(await set({ accountId: id, outcome: 'LOST', dealValue: 5 })).extensions?.problems).toEqual([
      expect.objectContaining({ path: 'input.dealValue' }),
    ]);
    expect(onlyError(await set({ accountId: '999999999', outcome: 'LOST' })).extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});
