import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { ok, onlyError } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * Account scores (issue 18 items 2 and 6) through GraphQL: the shipped account rule set
 * (rules/account-default.json) scores each account from its attributes and its contacts, whenever
 * one of them is scored; an account model's publish re-scores every account; a big account is left
 * to the worker.
 */

interface ModelScore {
  model: string;
  ruleSetVersion: number;
  total: number;
  fit: number;
  engagement: number;
  cell: string;
  band: string;
  lastActivityAt: string | null;
  reasons: Array<{ rule: string; points: number; contacts: Array<{ leadId: string; label: string }> }>;
}
interface Change {
  cause: string;
  ruleSetVersion: number;
  before: { total: number; band: string } | null;
  after: { total: number; band: string };
}
/** A rule set document as JSON, changed in place by the tests. */
type Definition = {
  facts: Array<Record<string, unknown>>;
  rules: Array<{
    name: string;
    conditions: unknown;
    event: { type: string; params: { dimension: string; points: number; label: string } };
  }>;
};
interface AccountNode {
  id: string;
  score: ModelScore | null;
  scores: ModelScore[];
  history: Change[];
}

const SCORE = 'model ruleSetVersion total fit engagement cell band lastActivityAt reasons { rule points contacts { leadId label } }';
const ACCOUNT = `query($x: String, $first: Int) { account(externalId: $x) {
  id score { ${SCORE} } scores { ${SCORE} } history(first: $first) { cause ruleSetVersion before { total band } after { total band } } } }`;
const UPSERT_ACCOUNTS =
  'mutation($input: UpsertAccountsInput!) { upsertAccounts(input: $input) { failedCount results { errors { path message } } } }';
const UPSERT_LEAD = 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id score { total band } } }';
const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { score { total band } } }';

/** The shipped account rule set's firmographic fit for these attributes: target industry, 200-5,000 employees, a served country. */
const ACME = { industry: 'software', employees: 800, country: 'US' };
const ACME_FIT = 25 + 25 + 15;
/** After the publish test's version 2 (industry +5). */
const ACME_FIT_V2 = ACME_FIT + 5;

let t: TestApp;
let marketing: UserPrincipal;
let marketing2: UserPrincipal;
let sales: UserPrincipal;
const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
let keys = 0;

async function account(externalId: string, first = 20): Promise<AccountNode> {
  return ok(await t.gql<{ account: AccountNode }>(ACCOUNT, { x: externalId, first })).account;
}

async function upsertAccount(externalId: string, attributes: Record<string, unknown>): Promise<void> {
  const { upsertAccounts } = ok(
    await t.gql<{ upsertAccounts: { results: Array<{ errors: unknown[] }> } }>(UPSERT_ACCOUNTS, {
      input: { accounts: [{ externalId, name: externalId, attributes }] },
    }),
  );
  expect(upsertAccounts.results[0].errors).toEqual([]);
}

async function contact(externalId: string, accountExternalId: string | null, attributes: Record<string, unknown>): Promise<string> {
  const input = { externalId, email: `${externalId}@${accountExternalId ?? 'none'}.example`, accountExternalId, attributes };
  return ok(await t.gql<{ upsertLead: { id: string } }>(UPSERT_LEAD, { input })).upsertLead.id;
}

async function demoRequest(leadExternalId: string): Promise<{ total: number; band: string }> {
  keys += 1;
  const input = { leadExternalId, type: 'DEMO_REQUEST', occurredAt: hourAgo, idempotencyKey: `acct-scoring-${keys}` };
  return ok(await t.gql<{ recordActivity: { score: { total: number; band: string } } }>(RECORD, { input })).recordActivity.score;
}

/** Releases a new version of a rule set (draft, two approvals, publish) and waits for its re-score job to complete. */
async function release(ruleSetKey: string, change: (definition: Definition) => void): Promise<void> {
  const { ruleSet } = ok(
    await t.gql<{ ruleSet: { activeVersionId: string } }>('query($key: String!) { ruleSet(key: $key) { activeVersionId } }', {
      key: ruleSetKey,
    }),
  );
  const { ruleSetVersion } = ok(
    await t.gql<{ ruleSetVersion: { definition: Definition } }>('query($id: ID!) { ruleSetVersion(id: $id) { definition } }', {
      id: ruleSet.activeVersionId,
    }),
  );
  const definition = structuredClone(ruleSetVersion.definition);
  change(definition);
  const draft = ok(
    await t.gqlAs<{ createDraft: { id: string } }>(marketing, 'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
      input: { ruleSetKey, definition },
    }),
  ).createDraft;
  await publishDraft(draft.id, ruleSetKey);
}

/** Has the draft reviewed (two approvals) and published; waits for its re-score job to complete. */
async function publishDraft(draftId: string, ruleSetKey: string): Promise<void> {
  ok(await t.gqlAs(marketing, 'mutation($id: ID!) { submitForReview(versionId: $id) { id } }', { id: draftId }));
  for (const reviewer of [marketing2, sales])
    ok(
      await t.gqlAs(reviewer, 'mutation($input: ReviewInput!) { approveVersion(input: $input) { id } }', {
        input: { versionId: draftId },
      }),
    );
  const { publishVersion } = ok(
    await t.gql<{ publishVersion: { rescoreJob: { id: string } } }>(
      'mutation($id: ID!) { publishVersion(versionId: $id) { rescoreJob { id } } }',
      {
        id: draftId,
      },
    ),
  );
  await until(
    async () => {
      const { rescoreJob } = ok(
        await t.gql<{ rescoreJob: { status: string } }>('query($id: ID!) { rescoreJob(id: $id) { status } }', publishVersion.rescoreJob),
      );
      if (rescoreJob.status === 'failed') throw new Error(`the re-score job of ${ruleSetKey} failed`);
      return rescoreJob.status === 'completed';
    },
    `the re-score job of ${ruleSetKey} completes`,
    60_000,
  );
}

async function user(name: string, role: 'marketing' | 'sales'): Promise<UserPrincipal> {
  const created = await t.app.services.auth.createUser({ email: `${name}@acme.io`, name, role, password: 'correct horse battery' });
  return { kind: 'user', userId: created.id, email: created.email, name: created.name, role };
}

beforeAll(async () => {
  t = await createTestApp({ workers: true });
  marketing = await user('marketing1', 'marketing');
  marketing2 = await user('marketing2', 'marketing');
  sales = await user('sales1', 'sales');
  // The account-scope attributes the shipped account rule set reads.
  for (const [name, type] of [
    ['industry', 'string'],
    ['employees', 'number'],
    ['country', 'string'],
    ['annualRevenue', 'number'],
  ])
    ok(
      await t.gql('mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { name } }', {
        input: { name, type, label: name, scope: 'ACCOUNT' },
      }),
    );
});

afterAll(async () => {
  await t?.close();
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

  it('a publish of the account model re-scores every account (the job completes)', async () => {
    await upsertAccount('acct-other', { industry: 'software', employees: 50, country: 'DE' });
    await contact('other-cy', 'acct-other', { firstName: 'Cy', industry: 'software', companySize: 50 });
    // More accounts than one chunk of a re-score job (5,000): the job lists them page after page.
    await t.sql(`INSERT INTO account (external_id, name) SELECT 'acct-bulk-' || g, 'Bulk ' || g FROM generate_series(1, 5100) AS g`);
    await release('account-default', (definition) => {
      const industry = definition.rules.find((rule) => rule.name === 'fit-target-industry');
      if (!industry) throw new Error('the shipped account rule set has no fit-target-industry rule');
      industry.event.params.points += 5;
    });

    const acme = await account('acct-acme');
    expect(acme.score).toMatchObject({ ruleSetVersion: 2, fit: ACME_FIT_V2 });
    expect(acme.history[0]).toMatchObject({ cause: 'rule_set_published', ruleSetVersion: 2 });
    expect((await account('acct-other')).score).toMatchObject({ ruleSetVersion: 2, fit: 25 + 15 + 5 });
    const [left] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM account a WHERE a.merged_into_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM model_score s WHERE s.model = 'account' AND s.subject_id = a.id AND s.rule_set_version = 2)`,
    );
    expect(left.n).toBe(0);
  });

  it('leaves an account of 3,000 contacts to the worker, which recomputes it', async () => {
    await upsertAccount('acct-big', ACME);
    const [{ id }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id = 'acct-big'`);
    await t.sql(
      `INSERT INTO lead (external_id, email, account_id, account_source, attributes)
       SELECT 'big-' || g, 'p' || g || '@big.example', $1::bigint, 'client', '{"seniority": "manager"}'::jsonb
         FROM generate_series(1, 3000) AS g`,
      [id],
    );
    await demoRequest('big-1');
    // The request scored the lead, asked for the account's recompute and read no contact.
    expect((await account('acct-big')).score).toBeNull();
    const [pending] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM account_rescore_pending WHERE account_id = $1::bigint`, [
      id,
    ]);
    expect(pending.n).toBe(1);

    await until(async () => (await account('acct-big')).score !== null, 'the worker recomputes the big account', 30_000);
    const big = await account('acct-big');
    expect(big.score).toMatchObject({ fit: ACME_FIT_V2, ruleSetVersion: 2, lastActivityAt: hourAgo });
    expect(big.history[0]).toMatchObject({ cause: 'activity_recorded', before: null });
    await until(
      async () => (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM account_rescore_pending'))[0].n === 0,
      'no account work is left',
    );
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
    await until(
      async () =>
        (
          await t.sql<{ n: number }>(
            'SELECT ((SELECT count(*) FROM account_rescore_pending) + (SELECT count(*) FROM account_recompute_log))::int AS n',
          )
        )[0].n === 0,
      'the deferred account work is done',
    );
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

  it('the decay pass recomputes the accounts of the leads it re-scores (cause decay)', async () => {
    await upsertAccount('acct-quiet', ACME);
    await contact('quiet-eve', 'acct-quiet', { firstName: 'Eve', industry: 'software', companySize: 800, seniority: 'vp' });
    // Active 7 days ago (minus 2 minutes) when recorded: "active in the last 7 days" holds now, not 4 minutes later.
    keys += 1;
    const occurredAt = new Date(Date.now() - 8 * 86_400_000 + 120_000).toISOString();
    ok(
      await t.gql(RECORD, {
        input: { leadExternalId: 'quiet-eve', type: 'DEMO_REQUEST', occurredAt, idempotencyKey: `acct-scoring-${keys}` },
      }),
    );
    const before = await account('acct-quiet');
    expect(before.score?.reasons.map((reason) => reason.rule)).toContain('engagement-recent');
    const asOf = new Date(Date.now() + 240_000).toISOString();
    ok(await t.gql('mutation($asOf: DateTimeISO) { runDecayPass(asOf: $asOf) { leadsScored } }', { asOf }));
    const after = await account('acct-quiet');
    expect(after.score?.reasons.map((reason) => reason.rule)).not.toContain('engagement-recent');
    expect(after.history[0]).toMatchObject({ cause: 'decay', before: { total: before.score?.total } });
  });

  it('a second account model scores the same accounts on its own', async () => {
    ok(
      await t.gql('mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }', {
        input: { key: 'product-fit', name: 'Product fit', subject: 'ACCOUNT' },
      }),
    );
    // Without a definition, the model's first rule set starts from the shipped account rule set (version 1's points).
    const { createRuleSet } = ok(
      await t.gqlAs<{ createRuleSet: { versions: Array<{ id: string }> } }>(
        marketing,
        'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { versions { id } } }',
        { input: { key: 'product-fit-accounts', name: 'Product fit of accounts', model: 'product-fit' } },
      ),
    );
    await publishDraft(createRuleSet.versions[0].id, 'product-fit-accounts');
    const acme = await account('acct-acme');
    expect(acme.scores.map((score) => score.model)).toEqual(['account', 'product-fit']);
    expect(acme.score).toMatchObject({ model: 'account', fit: ACME_FIT_V2 });
    const { account: other } = ok(
      await t.gql<{ account: { score: ModelScore; history: Change[] } }>(
        `query { account(externalId: "acct-acme") { score(model: "product-fit") { ${SCORE} } history(model: "product-fit") { cause ruleSetVersion } } }`,
      ),
    );
    expect(other.score).toMatchObject({ model: 'product-fit', fit: ACME_FIT, ruleSetVersion: 1 });
    expect(other.history).toEqual([{ cause: 'rule_set_published', ruleSetVersion: 1 }]);
  });

  it('re-scores the contacts of an account whose score changed when a lead rule set reads it (account_changed)', async () => {
    await release('default-b2b', (definition) => {
      definition.facts.push({ name: 'accountFitGrade', label: 'Account fit grade', type: 'string', source: 'account', field: 'fitGrade' });
      definition.rules.push({
        name: 'fit-account-a',
        conditions: { all: [{ fact: 'accountFitGrade', operator: 'equal', value: 'A' }] },
        event: { type: 'score', params: { dimension: 'fit', points: 10, label: 'Their company fits' } },
      });
    });
    await upsertAccount('acct-fits', ACME);
    // Scored first without the account's score (it has none), then again once the account is scored A.
    await contact('fits-dee', 'acct-fits', { firstName: 'Dee', industry: 'software', companySize: 800, seniority: 'vp' });
    const { lead } = ok(
      await t.gql<{
        lead: { score: { fit: number; reasons: Array<{ rule: string }> }; scoreHistory: { edges: Array<{ node: { cause: string } }> } };
      }>('query { lead(externalId: "fits-dee") { score { fit reasons { rule } } scoreHistory(first: 5) { edges { node { cause } } } } }'),
    );
    expect(lead.score.reasons.map((reason) => reason.rule)).toContain('fit-account-a');
    expect(lead.score.fit).toBe(55 + 10);
    expect(lead.scoreHistory.edges.map((edge) => edge.node.cause)).toEqual(['account_changed', 'lead_created']);
    expect((await account('acct-fits')).score).toMatchObject({ fit: ACME_FIT_V2 });
  });
});
