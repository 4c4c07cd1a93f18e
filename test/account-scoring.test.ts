import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  ACME,
  ACME_FIT,
  type AccountScoringWorld,
  VP,
  accountScoringHelpers,
  setUpAccountScoring,
} from './support/account-scoring';
import { ok, onlyError } from './support/scores';
import type { TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * Account scores (issue 18 item 2) through GraphQL: the shipped account rule set
 * (rules/account-default.json) scores each account from its attributes and its contacts whenever
 * one of them is scored, one leaves, or its attributes change; merges and decay included.
 * Publishes, big accounts and other models: account-scoring-models.test.ts.
 */

let w: AccountScoringWorld;
let t: TestApp;
const { account, upsertAccount, contact, demoRequest, settled } = accountScoringHelpers(() => w);
const RECORD_ANY = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }';
let burst = 0;
/** A demo request of an hour ago, with a key of its own. */
const nextDemo = (leadExternalId: string) => {
  burst += 1;
  return {
    leadExternalId,
    type: 'DEMO_REQUEST',
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    idempotencyKey: `burst-${burst}`,
  };
};

beforeAll(async () => {
  w = await setUpAccountScoring();
  t = w.t;
});

afterAll(async () => {
  await w?.t.close();
});

describe('account scores', () => {
  let ana: string;
  let bo: string;

  it('two warm contacts of one company make its account hot, with reasons naming them', async () => {
    await upsertAccount('acct-acme', ACME);
    // A VP and a director of a target-industry company of 800: each lead's fit is 55 and 50.
    ana = await contact('acme-ana', 'acct-acme', {
      firstName: 'Ana',
      lastName: 'Alves',
      industry: 'software',
      companySize: 800,
      seniority: 'vp',
    });
    bo = await contact('acme-bo', 'acct-acme', {
      firstName: 'Bo',
      lastName: 'Berg',
      industry: 'software',
      companySize: 800,
      seniority: 'director',
    });
    const created = await account('acct-acme');
    expect(created.score).toMatchObject({ model: 'account', fit: ACME_FIT, engagement: 0, band: 'warm', ruleSetVersion: 1 });

    // One engaged VP: senior contact engaged (+15) and recent activity (+10) only.
    expect(await demoRequest('acme-ana')).toMatchObject({ band: 'warm' });
    const one = await account('acct-acme');
    expect(one.score).toMatchObject({ fit: ACME_FIT, engagement: 25, total: ACME_FIT + 25, band: 'warm' });
    expect(one.history[0]).toMatchObject({ cause: 'activity_recorded', before: { total: ACME_FIT }, after: { total: ACME_FIT + 25 } });

    // The second: two engaged contacts (+25) whose capped engagement sums to 80 (+20) as well.
    expect(await demoRequest('acme-bo')).toMatchObject({ band: 'warm' });
    const two = await account('acct-acme');
    expect(two.score).toMatchObject({ engagement: 70, total: ACME_FIT + 70, band: 'hot', cell: 'A1' });
    expect(two.history[0]).toMatchObject({ cause: 'activity_recorded', before: { band: 'warm' }, after: { band: 'hot' } });
    const reason = (rule: string) => two.score?.reasons.find((r) => r.rule === rule);
    expect(reason('engagement-two-engaged')?.contacts).toEqual([
      { leadId: ana, label: 'Ana Alves' },
      { leadId: bo, label: 'Bo Berg' },
    ]);
    expect(reason('engagement-senior-engaged')?.contacts).toEqual([{ leadId: ana, label: 'Ana Alves' }]);
    expect(reason('fit-target-industry')?.contacts).toEqual([]);
    expect(two.scores.map((score) => score.model)).toEqual(['account']);
    const [stored] = await t.sql<{ total: number }>(`SELECT total FROM model_score WHERE model = 'account' AND subject_id = $1`, [two.id]);
    expect(stored.total).toBe(ACME_FIT + 70);
  });

  it('moving a contact out recomputes the account it left', async () => {
    ok(
      await t.gql('mutation($input: MoveLeadToAccountInput!) { moveLeadToAccount(input: $input) { id } }', {
        input: { leadId: bo, accountId: null },
      }),
    );
    await until(async () => (await account('acct-acme')).score?.total === ACME_FIT + 25, 'the account is recomputed without Bo');
    const after = await account('acct-acme');
    expect(after.score?.reasons.find((r) => r.rule === 'engagement-senior-engaged')?.contacts).toEqual([
      { leadId: ana, label: 'Ana Alves' },
    ]);
    expect(after.history[0]).toMatchObject({ before: { band: 'hot' }, after: { band: 'warm' } });
  });

  it("a change of the account's attributes recomputes it", async () => {
    await upsertAccount('acct-grows', { industry: 'software', employees: 10, country: 'US' });
    await contact('grows-fay', 'acct-grows', { firstName: 'Fay', industry: 'software', companySize: 10 });
    expect((await account('acct-grows')).score).toMatchObject({ fit: 25 - 15 + 15 });
    await upsertAccount('acct-grows', { employees: 800 });
    await until(async () => (await account('acct-grows')).score?.fit === ACME_FIT, 'the account is recomputed with its new size');
    expect((await account('acct-grows')).history[0]).toMatchObject({ cause: 'rescore', before: { total: 25 }, after: { total: ACME_FIT } });
  });

  it('refuses a lead model and an oversized history page, naming the argument', async () => {
    const byModel = onlyError(await t.gql('query { account(externalId: "acct-acme") { score(model: "default") { total } } }'));
    expect(byModel.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'model' }] });
    const unknown = onlyError(await t.gql('query { account(externalId: "acct-acme") { history(model: "nope") { cause } } }'));
    expect(unknown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'model' }] });
    const page = onlyError(await t.gql(ACCOUNT, { x: 'acct-acme', first: 201 }));
    expect(page.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'first' }] });
  });

  it('a merge while its contacts record activities ends in a consistent score, without deadlock', async () => {
    await upsertAccount('acct-src', ACME);
    await upsertAccount('acct-dst', ACME);
    const people = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
    for (const [i, name] of people.entries())
      await contact(`merge-${name}`, i % 2 ? 'acct-src' : 'acct-dst', {
        firstName: name,
        industry: 'software',
        companySize: 800,
        seniority: 'director',
      });
    const ids = await t.sql<{ id: string; external_id: string }>(
      `SELECT id::text AS id, external_id FROM account WHERE external_id IN ('acct-src', 'acct-dst')`,
    );
    const idOf = (x: string) => ids.find((row) => row.external_id === x)?.id;
    const results = await Promise.all([
      ...people.map((name) => demoRequest(`merge-${name}`)),
      t.gql('mutation($input: MergeAccountsInput!) { mergeAccounts(input: $input) { id } }', {
        input: { sourceId: idOf('acct-src'), targetId: idOf('acct-dst') },
      }),
      ...people.map((name) => demoRequest(`merge-${name}`)),
    ]);
    expect(results.filter((result) => 'errors' in result && result.errors)).toEqual([]);
    await settled();
    // Settled: recomputing the target now changes nothing, and it counts all six contacts.
    const again = await t.app.dataSource.transaction((manager) =>
      t.app.services.accountScoring.recompute(manager, [idOf('acct-dst') as string], {
        cause: 'rescore',
        asOf: new Date(),
        skipLocked: false,
        bigAccounts: 'read',
      }),
    );
    expect(again).toMatchObject({ scored: 1, changed: 0 });
    const merged = await account('acct-dst');
    expect(merged.score?.reasons.find((reason) => reason.rule === 'engagement-two-engaged')?.contacts).toHaveLength(6);
  });

  it('a burst of activities on the contacts of two accounts settles on their scores', async () => {
    await upsertAccount('acct-busy-1', ACME);
    await upsertAccount('acct-busy-2', ACME);
    const people = Array.from({ length: 10 }, (_, i) => `busy-${i}`);
    for (const [i, name] of people.entries()) await contact(name, `acct-busy-${(i % 2) + 1}`, { firstName: name, ...VP });
    const results = await Promise.all([...people, ...people, ...people].map((name) => t.gql(RECORD_ANY, { input: nextDemo(name) })));
    expect(results.filter((result) => result.errors)).toEqual([]);
    await settled();
    const ids = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id LIKE 'acct-busy-%' ORDER BY id`);
    const again = await t.app.dataSource.transaction((manager) =>
      t.app.services.accountScoring.recompute(
        manager,
        ids.map((row) => row.id),
        { cause: 'rescore', asOf: new Date(), skipLocked: false, bigAccounts: 'read' },
      ),
    );
    expect(again).toMatchObject({ scored: 2, changed: 0 });
    for (const x of ['acct-busy-1', 'acct-busy-2'])
      expect((await account(x)).score?.reasons.find((reason) => reason.rule === 'engagement-two-engaged')?.contacts).toHaveLength(5);
  });

  it('the decay pass recomputes the accounts of the leads it re-scores (cause decay)', async () => {
    await upsertAccount('acct-quiet', ACME);
    await contact('quiet-eve', 'acct-quiet', { firstName: 'Eve', industry: 'software', companySize: 800, seniority: 'vp' });
    // Active 7 days ago (minus 2 minutes) when recorded: "active in the last 7 days" holds now, not 4 minutes later.
    await demoRequest('quiet-eve', new Date(Date.now() - 8 * 86_400_000 + 120_000).toISOString());
    const before = await account('acct-quiet');
    expect(before.score?.reasons.map((reason) => reason.rule)).toContain('engagement-recent');
    const asOf = new Date(Date.now() + 240_000).toISOString();
    ok(await t.gql('mutation($asOf: DateTimeISO) { runDecayPass(asOf: $asOf) { leadsScored } }', { asOf }));
    const after = await account('acct-quiet');
    expect(after.score?.reasons.map((reason) => reason.rule)).not.toContain('engagement-recent');
    expect(after.history[0]).toMatchObject({ cause: 'decay', before: { total: before.score?.total } });
  });
});
