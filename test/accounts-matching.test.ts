import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchLeadAccounts } from '../server/src/accounts/account-matching';
import { HEADER, importHelpers, MAPPING } from './support/imports';
import { post, writeKey } from './support/ingestion';
import { ok, onlyError } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/* Accounts: how lead writes place leads in accounts (client id, e-mail domain, merges, manual moves). */

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ls-accounts-test-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const { writeCsv, runImport } = importHelpers(
  () => t,
  () => dir,
);

interface AccountRef {
  id: string;
  externalId: string | null;
  domain: string | null;
  name: string;
}
interface LeadWithAccount {
  id: string;
  externalId: string;
  account: AccountRef | null;
}

const ACCOUNT = 'id externalId domain name';
const upsert = async (input: Record<string, unknown>): Promise<LeadWithAccount> =>
  ok(
    await t.gql<{ upsertLead: LeadWithAccount }>(
      `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id externalId account { ${ACCOUNT} } } }`,
      { input },
    ),
  ).upsertLead;
const upsertMany = async (leads: Array<Record<string, unknown>>) =>
  ok(
    await t.gql<{ upsertLeads: { failedCount: number; results: Array<{ lead: LeadWithAccount | null }> } }>(
      `mutation($input: UpsertLeadsInput!) { upsertLeads(input: $input) { failedCount results { lead { id externalId account { ${ACCOUNT} } } } } }`,
      { input: { leads } },
    ),
  ).upsertLeads;
const merge = (sourceId: string, targetId: string) =>
  t.gql<{ mergeAccounts: { id: string; contactCount: number } }>(
    `mutation($input: MergeAccountsInput!) { mergeAccounts(input: $input) { id contactCount } }`,
    { input: { sourceId, targetId } },
  );
const move = (leadId: string, accountId: string | null) =>
  t.gql<{ moveLeadToAccount: LeadWithAccount }>(
    `mutation($input: MoveLeadToAccountInput!) { moveLeadToAccount(input: $input) { id externalId account { ${ACCOUNT} } } }`,
    { input: { leadId, accountId } },
  );
const accountsOfDomain = async (domain: string) =>
  (await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM account WHERE domain = $1', [domain]))[0].count;

describe('matching leads to accounts', () => {
  it('a business e-mail joins the account of its domain, created once and named after it', async () => {
    const ana = await upsert({ externalId: 'm-ana', email: 'ana@acme-match.io' });
    expect(ana.account).toMatchObject({ domain: 'acme-match.io', name: 'acme-match.io', externalId: null });
    const bob = await upsert({ externalId: 'm-bob', email: 'Bob@ACME-match.io' });
    expect(bob.account?.id).toBe(ana.account?.id);
    expect(await accountsOfDomain('acme-match.io')).toBe(1);
    const [{ source }] = await t.sql<{ source: string }>('SELECT account_source AS source FROM lead WHERE id = $1', [bob.id]);
    expect(source).toBe('domain');
  });

  it('free e-mail domains never match, and a lead leaves its domain account for a free address', async () => {
    const free = await upsert({ externalId: 'm-free', email: 'someone@gmail.com' });
    expect(free.account).toBeNull();
    expect(await accountsOfDomain('gmail.com')).toBe(0);
    const moved = await upsert({ externalId: 'm-leaver', email: 'x@leaver-co.io' });
    expect(moved.account?.domain).toBe('leaver-co.io');
    expect((await upsert({ externalId: 'm-leaver', email: 'x@yahoo.com' })).account).toBeNull();
    expect((await upsert({ externalId: 'm-leaver', email: 'x@new-co.io' })).account?.domain).toBe('new-co.io');
  });

  it("the client's account id wins over the domain, and later writes without it keep that account", async () => {
    const lead = await upsert({ externalId: 'm-client', email: 'c@acme-match.io', accountExternalId: 'crm-acc-1' });
    expect(lead.account).toMatchObject({ externalId: 'crm-acc-1', domain: null, name: 'crm-acc-1' });
    const again = await upsert({ externalId: 'm-client', email: 'c@other-domain.io' });
    expect(again.account?.id).toBe(lead.account?.id);
    const second = await upsert({ externalId: 'm-client-2', accountExternalId: 'crm-acc-1' });
    expect(second.account?.id).toBe(lead.account?.id);
  });

  it('upsertLeads places a batch with a few statements, one account per new domain or client id', async () => {
    const leads = Array.from({ length: 300 }, (_, i) => ({
      externalId: `m-bulk-${i}`,
      email: `p${i}@bulk-${i % 3}.io`,
      ...(i % 10 === 0 ? { accountExternalId: `bulk-client-${i % 20}` } : {}),
    }));
    let statements = 0;
    const logger = t.app.dataSource.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (...args) => {
      if (/\baccount\b/.test(String(args[0]))) statements++;
      return original(...args);
    };
    const payload = await upsertMany(leads).finally(() => {
      logger.logQuery = original;
    });
    expect(payload.failedCount).toBe(0);
    expect(statements).toBeLessThan(12); // a few per batch (matching, then reads), not one per lead
    const byLead = payload.results.map((result) => result.lead?.account);
    expect(byLead[0]?.externalId).toBe('bulk-client-0');
    expect(byLead[1]?.domain).toBe('bulk-1.io');
    expect(new Set(byLead.filter((a) => a?.domain).map((a) => a?.id)).size).toBe(3);
    expect(new Set(byLead.filter((a) => a?.externalId).map((a) => a?.id)).size).toBe(2);
  });

  it('a CSV import places its leads by domain too', async () => {
    const file = writeCsv(
      'accounts.csv',
      [HEADER, 'I-1,ia@imported-co.io,2026-01-05,Open,,,1,Google,No,,,,', 'I-2,ib@gmail.com,2026-01-05,Open,,,1,Google,No,,,,', ''].join(
        '\n',
      ),
    );
    await runImport({ file, mapping: MAPPING });
    const rows = await t.sql<{ externalId: string; domain: string | null }>(
      `SELECT l.external_id AS "externalId", a.domain FROM lead l LEFT JOIN account a ON a.id = l.account_id
        WHERE l.external_id IN ('I-1', 'I-2') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { externalId: 'I-1', domain: 'imported-co.io' },
      { externalId: 'I-2', domain: null },
    ]);
  });

  it("the tracking API's identify places the lead by its company.id trait, else by its email's domain", async () => {
    const url = (await t.http()).url;
    const key = await writeKey(t);
    const byCompany = await post(
      `${url}/v1/identify`,
      { userId: 'seg-acc-1', messageId: 'acc-1', traits: { email: 'p@tracked-co.io', company: { id: 'crm-co-7', name: 'Tracked' } } },
      key,
    );
    expect(byCompany.status).toBe(200);
    await post(`${url}/v1/identify`, { userId: 'seg-acc-2', messageId: 'acc-2', traits: { email: 'q@tracked-co.io' } }, key);
    const rows = await t.sql<{ externalId: string; account: string | null; domain: string | null }>(
      `SELECT l.external_id AS "externalId", a.external_id AS account, a.domain FROM lead l LEFT JOIN account a ON a.id = l.account_id
        WHERE l.external_id LIKE 'seg-acc-%' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { externalId: 'seg-acc-1', account: 'crm-co-7', domain: null },
      { externalId: 'seg-acc-2', account: null, domain: 'tracked-co.io' },
    ]);
    const bad = await post(`${url}/v1/identify`, { userId: 'seg-acc-3', messageId: 'acc-3', traits: { company: { id: { x: 1 } } } }, key);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.path)).toEqual(['body.traits.company.id']);
  });

  it('two transactions creating the account of one domain at once make one account', async () => {
    const [{ id: first }] = await t.sql<{ id: string }>(
      `INSERT INTO lead (external_id, email) VALUES ('m-race-1', 'a@race.io') RETURNING id::text AS id`,
    );
    const [{ id: second }] = await t.sql<{ id: string }>(
      `INSERT INTO lead (external_id, email) VALUES ('m-race-2', 'b@race.io') RETURNING id::text AS id`,
    );
    const runner = t.app.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    let other: Promise<unknown> | null = null;
    try {
      await matchLeadAccounts(runner.manager, [{ leadId: first }]);
      other = t.app.dataSource.transaction((manager) => matchLeadAccounts(manager, [{ leadId: second }]));
      if (process.env.DATABASE_URL) {
        await until(
          async () =>
            (
              await t.sql<{ count: number }>(
                `SELECT count(*)::int AS count FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                  WHERE NOT l.granted AND a.datname = current_database()`,
              )
            )[0].count > 0,
          "the second transaction waits for the first's uncommitted account",
        );
      }
      // On PGlite the second waits for the one connection instead, which the first holds until released.
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    await other;
    expect(await accountsOfDomain('race.io')).toBe(1);
    const rows = await t.sql<{ account: string }>(`SELECT account_id::text AS account FROM lead WHERE external_id LIKE 'm-race-%'`);
    expect(new Set(rows.map((row) => row.account)).size).toBe(1);
  });
});

describe('merging accounts and moving leads', () => {
  it('a merge moves every contact, hides the source, and later writes naming the source land on the target', async () => {
    const a1 = await upsert({ externalId: 'g-a1', email: 'a1@merge-src.io' });
    await upsert({ externalId: 'g-a2', email: 'a2@merge-src.io' });
    const b1 = await upsert({ externalId: 'g-b1', email: 'b1@merge-dst.io', accountExternalId: 'merge-dst' });
    const source = a1.account?.id as string;
    const target = b1.account?.id as string;
    expect(ok(await merge(source, target)).mergeAccounts).toEqual({ id: target, contactCount: 3 });
    const [{ sourceRow }] = await t.sql<{ sourceRow: { merged: string } }>(
      `SELECT json_build_object('merged', merged_into_id::text) AS "sourceRow" FROM account WHERE id = $1`,
      [source],
    );
    expect(sourceRow.merged).toBe(target);
    const listed = ok(await t.gql<{ accounts: { nodes: Array<{ id: string }> } }>('{ accounts(first: 1000) { nodes { id } } }')).accounts;
    expect(listed.nodes.map((node) => node.id)).not.toContain(source);
    expect((await upsert({ externalId: 'g-a3', email: 'a3@merge-src.io' })).account?.id).toBe(target);
    // A client id of a merged account follows the merge too.
    const c = await upsert({ externalId: 'g-c1', accountExternalId: 'merge-chain' });
    ok(await merge(c.account?.id as string, target));
    expect((await upsert({ externalId: 'g-c2', accountExternalId: 'merge-chain' })).account?.id).toBe(target);
    const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_log WHERE action = 'account.merged' AND entity_id = $1`, [
      target,
    ]);
    expect(audit).toHaveLength(2);
  });

  it('refuses merging an account with itself, a merged one, or into a merged one, naming the field', async () => {
    const x = (await upsert({ externalId: 'g-x', email: 'x@merge-x.io' })).account?.id as string;
    const y = (await upsert({ externalId: 'g-y', email: 'y@merge-y.io' })).account?.id as string;
    expect(onlyError(await merge(x, x)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.targetId' }] });
    ok(await merge(x, y));
    expect(onlyError(await merge(x, y)).extensions).toMatchObject({ reason: 'INVALID_MERGE', problems: [{ path: 'input.sourceId' }] });
    const z = (await upsert({ externalId: 'g-z', email: 'z@merge-z.io' })).account?.id as string;
    expect(onlyError(await merge(z, x)).extensions).toMatchObject({ reason: 'INVALID_MERGE', problems: [{ path: 'input.targetId' }] });
    expect(onlyError(await merge('999999999', y)).extensions).toMatchObject({ code: 'NOT_FOUND', problems: [{ path: 'input.sourceId' }] });
  });

  it('refuses a merge of more than 5,000 contacts, naming the count, and writes nothing', async () => {
    const big = (await upsert({ externalId: 'g-big', accountExternalId: 'big-co' })).account?.id as string;
    const small = (await upsert({ externalId: 'g-small', accountExternalId: 'small-co' })).account?.id as string;
    await t.sql(
      `INSERT INTO lead (external_id, account_id, account_source) SELECT 'g-big-' || g, $1, 'client' FROM generate_series(1, 5000) g`,
      [big],
    );
    const error = onlyError(await merge(big, small));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MERGE_TOO_LARGE', problems: [{ path: 'input.sourceId' }] });
    expect(error.message).toContain('5001 contacts');
    expect(await t.sql('SELECT 1 FROM account WHERE id = $1 AND merged_into_id IS NOT NULL', [big])).toHaveLength(0);
    // upsertAccounts naming a merged account's externalId updates the account it was merged into.
    ok(await merge(small, (await upsert({ externalId: 'g-keep', accountExternalId: 'keep-co' })).account?.id as string));
    const payload = ok(
      await t.gql<{ upsertAccounts: { results: Array<{ account: { externalId: string; name: string } }> } }>(
        `mutation { upsertAccounts(input: { accounts: [{ externalId: "small-co", name: "Renamed" }] }) { results { account { externalId name } } } }`,
      ),
    ).upsertAccounts;
    expect(payload.results[0].account).toEqual({ externalId: 'keep-co', name: 'Renamed' });
  });

  it('a lead moved by hand stays where it was put, and a detached lead stays detached', async () => {
    const lead = await upsert({ externalId: 'v-1', email: 'v@split-a.io' });
    const other = (await upsert({ externalId: 'v-2', email: 'v@split-b.io' })).account?.id as string;
    const moved = ok(await move(lead.id, other)).moveLeadToAccount;
    expect(moved.account?.id).toBe(other);
    expect((await upsert({ externalId: 'v-1', email: 'v2@split-c.io' })).account?.id).toBe(other);
    expect(ok(await move(lead.id, null)).moveLeadToAccount.account).toBeNull();
    expect((await upsert({ externalId: 'v-1', email: 'v3@split-a.io' })).account).toBeNull();
    const audit = await t.sql(`SELECT 1 FROM audit_log WHERE action = 'lead.account_moved' AND entity_id = $1`, [lead.id]);
    expect(audit).toHaveLength(2);
    expect(onlyError(await move(lead.id, '999999999')).extensions).toMatchObject({
      code: 'NOT_FOUND',
      problems: [{ path: 'input.accountId' }],
    });
    expect(onlyError(await move('999999999', other)).extensions).toMatchObject({ code: 'NOT_FOUND', problems: [{ path: 'input.leadId' }] });
  });

  it('a bad accountExternalId names its field and writes nothing', async () => {
    const error = onlyError(await t.gql(`mutation { upsertLead(input: { externalId: "bad-acc", accountExternalId: " " }) { id } }`));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.accountExternalId' }] });
    expect(await t.sql(`SELECT 1 FROM lead WHERE external_id = 'bad-acc'`)).toHaveLength(0);
  });
});
