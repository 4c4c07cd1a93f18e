import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Metrics, RUN, type Run } from './support/backtest-queries';
import { DEFAULT_B2B, ok } from './support/rule-sets';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Backtests of an account model through GraphQL. Five companies, two contacts each, created in
 * January 2025; an account is looked at 30 days after its first contact, and always 1 ms before it
 * converted (its own outcome, or a contact's first conversion) or was lost (its own, or its last
 * contact's):
 *
 *   account    contacts' activities (days after 6 Jan)          outcome                          score
 *   acme.io    pricing 3, demo 5 / pricing 4                    contact converts day 12 (20,000) two engaged: 90
 *   beta.io    demo 6, pricing 7 / pricing 8                    account converts day 20 (50,000) two engaged: 90
 *   gamma.io   page view 4 / none                               both contacts lost (15, 18)      10
 *   delta.io   e-mail open 5 / none                             open                             10
 *   zeta.io    demo 4, pricing 5 / demo 6 (all after day 3)     contact converts day 3 (9,000)   10
 *
 * Contacts' engagement is their default-model score as of the account's cutoff: zeta's came after
 * its conversion and may not count.
 */

const DAY = 86_400_000;
const BASE = Date.parse('2025-01-06T09:00:00.000Z');
const at = (days: number) => new Date(BASE + days * DAY).toISOString();

type Contact = [
  externalId: string,
  email: string,
  createdDay: number,
  activities: Array<[string, number]>,
  outcome: [string, number, number | null] | null,
];
const CONTACTS: Contact[] = [
  [
    'acme-1',
    'ann@acme.io',
    0,
    [
      ['PRICING_PAGE_VIEW', 3],
      ['DEMO_REQUEST', 5],
    ],
    ['CONVERTED', 12, 20000],
  ],
  ['acme-2', 'bob@acme.io', 1, [['PRICING_PAGE_VIEW', 4]], null],
  [
    'beta-1',
    'cat@beta.io',
    2,
    [
      ['DEMO_REQUEST', 6],
      ['PRICING_PAGE_VIEW', 7],
    ],
    null,
  ],
  ['beta-2', 'dan@beta.io', 2, [['PRICING_PAGE_VIEW', 8]], null],
  ['gamma-1', 'eve@gamma.io', 3, [['PAGE_VIEW', 4]], ['LOST', 15, null]],
  ['gamma-2', 'fay@gamma.io', 3, [], ['LOST', 18, null]],
  ['delta-1', 'gus@delta.io', 4, [['EMAIL_OPEN', 5]], null],
  ['delta-2', 'hal@delta.io', 5, [], null],
  [
    'zeta-1',
    'ivy@zeta.io',
    0,
    [
      ['DEMO_REQUEST', 4],
      ['PRICING_PAGE_VIEW', 5],
    ],
    ['CONVERTED', 3, 9000],
  ],
  ['zeta-2', 'jon@zeta.io', 0, [['DEMO_REQUEST', 6]], null],
];
const COHORT = { createdFrom: '2025-01-01T00:00:00Z', createdTo: '2025-02-01T00:00:00Z', cutoffDaysAfterCreation: 30 };

const rule = (name: string, dimension: 'fit' | 'engagement', points: number, fact: string, value: number) => ({
  name,
  conditions: { all: [{ fact, operator: 'greaterThanInclusive', value }] },
  event: { type: 'score', params: { dimension, points, label: name } },
});

const ACCOUNT_DEFINITION = {
  formatVersion: 1,
  subject: 'account',
  key: 'committee',
  name: 'Buying committee',
  facts: [
    { name: 'contactCount', type: 'number', source: 'contacts', aggregate: 'count' },
    { name: 'engagedContacts', type: 'number', source: 'contacts', aggregate: 'engagedCount', minEngagement: 5 },
    { name: 'committeeEngagement', type: 'number', source: 'contacts', aggregate: 'sumEngagement', cap: 60 },
  ],
  rules: [
    rule('fit-several-contacts', 'fit', 10, 'contactCount', 2),
    rule('eng-two-engaged', 'engagement', 50, 'engagedContacts', 2),
    rule('eng-committee', 'engagement', 30, 'committeeEngagement', 30),
  ],
  caps: { fit: { min: 0, max: 100 }, engagement: { min: 0, max: 100 } },
  decay: { model: 'none' },
  grades: DEFAULT_B2B.grades,
  levels: DEFAULT_B2B.levels,
  cells: DEFAULT_B2B.cells,
  bands: [{ name: 'hot', min: 80 }, { name: 'cold' }],
  qualification: { threshold: 60, label: 'Qualified account' },
};

const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { subject ${RUN} } }`;
type AccountRun = Run & { subject: string };

let t: TestApp;
let accountVersionId: string;

async function run(input: Record<string, unknown>): Promise<AccountRun> {
  return ok(await t.gql<{ runBacktest: AccountRun }>(RUN_BACKTEST, { input })).runBacktest;
}

async function draftOf(input: Record<string, unknown>): Promise<string> {
  ok(await t.gql(`mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { id } }`, { input }));
  const { ruleSet } = ok(
    await t.gql<{ ruleSet: { versions: Array<{ id: string }> } }>('query($key: String!) { ruleSet(key: $key) { versions { id } } }', {
      key: input.key,
    }),
  );
  return ruleSet.versions[0].id;
}

beforeAll(async () => {
  t = await createTestApp();
  for (const [externalId, email] of CONTACTS)
    ok(await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, { input: { externalId, email } }));
  // Historical contacts, each in its company's account (by e-mail domain, as account matching does).
  for (const [externalId, , day] of CONTACTS) await t.sql('UPDATE lead SET created_at = $2 WHERE external_id = $1', [externalId, at(day)]);
  await t.sql(
    `INSERT INTO account (domain, name) SELECT DISTINCT split_part(email, '@', 2), split_part(email, '@', 2) FROM lead
      ON CONFLICT (domain) DO NOTHING`,
  );
  await t.sql(`UPDATE lead l SET account_id = a.id FROM account a WHERE a.domain = split_part(l.email, '@', 2) AND l.account_id IS NULL`);
  ok(
    await t.gql(`mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { results { duplicate } } }`, {
      input: CONTACTS.flatMap(([externalId, , , activities]) =>
        activities.map(([type, day], k) => ({
          leadExternalId: externalId,
          type,
          occurredAt: at(day),
          idempotencyKey: `${externalId}-${k}`,
        })),
      ),
    }),
  );
  for (const [externalId, , , , outcome] of CONTACTS) {
    if (!outcome) continue;
    const [kind, day, dealValue] = outcome;
    ok(
      await t.gql(`mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }`, {
        input: { externalId, outcome: kind, at: at(day), dealValue },
      }),
    );
  }
  await t.sql(`UPDATE account SET outcome = 'converted', outcome_at = $1, deal_value = 50000 WHERE domain = 'beta.io'`, [at(20)]);
  accountVersionId = await draftOf({
    key: ACCOUNT_DEFINITION.key,
    name: ACCOUNT_DEFINITION.name,
    model: 'account',
    definition: ACCOUNT_DEFINITION,
  });
});

afterAll(async () => {
  await t?.close();
});

const ruleOf = (metrics: Metrics, name: string) => metrics.rules.find((r) => r.rule === name)!;

describe('backtest of an account model', () => {
  let first: AccountRun;

  it('scores accounts from their contacts as of the cutoff and reports the lead metrics over accounts', async () => {
    first = await run({ cohort: COHORT, versionId: accountVersionId });
    expect(first).toMatchObject({
      status: 'completed',
      subject: 'ACCOUNT',
      error: null,
      versionId: accountVersionId,
      ruleSetKey: 'committee',
    });
    const metrics = first.results!.metrics;
    // acme (a contact's deal), beta (the account's deal) and zeta converted; gamma lost; delta open.
    expect(metrics).toMatchObject({ leads: 5, converted: 3, revenue: 79000 });
    expect(ruleOf(metrics, 'eng-two-engaged')).toMatchObject({ fired: 2, conversionWhenFired: 1 });
    expect(ruleOf(metrics, 'eng-committee')).toMatchObject({ fired: 2 });
    expect(ruleOf(metrics, 'fit-several-contacts')).toMatchObject({ fired: 5 });
    // acme and beta outscore gamma and delta; zeta (nothing before its conversion) ties with them.
    expect(metrics.auc).toBeCloseTo(5 / 6, 10);
    expect(metrics).toMatchObject({ qualified: 2, precision: 1 });
    expect(metrics.bands.find((b) => b.band === 'hot')).toMatchObject({ leads: 2, converted: 2 });
  });

  it('its cohort says it holds accounts', async () => {
    const { backtestCohort } = ok(
      await t.gql<{ backtestCohort: { subject: string; accountCount: number; leadCount: number; description: string } }>(
        'query($id: ID!) { backtestCohort(id: $id) { subject accountCount leadCount description } }',
        { id: first.cohortId },
      ),
    );
    expect(backtestCohort).toMatchObject({ subject: 'ACCOUNT', accountCount: 5 });
    expect(backtestCohort.leadCount).toBeGreaterThan(5);
    expect(backtestCohort.description).toMatch(/^Accounts of /);
  });

  it('has no per-lead export: no link, and the CSV route answers 409', async () => {
    const { backtestRun } = ok(
      await t.gql<{ backtestRun: { exportUrl: string | null } }>('query($id: ID!) { backtestRun(id: $id) { exportUrl } }', {
        id: first.id,
      }),
    );
    expect(backtestRun.exportUrl).toBeNull();
    const response = await fetch(`${(await t.http()).url}/backtests/${first.id}/leads.csv`, {
      headers: { authorization: `Bearer ${await t.adminToken()}` },
    });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('scored accounts');
  });

  it('leaves open accounts out when asked, reuses the cohort and reads back the same run', async () => {
    const decided = await run({ cohortId: first.cohortId, versionId: accountVersionId, openLeads: 'EXCLUDED' });
    expect(decided.cohortId).toBe(first.cohortId);
    expect(decided.results!.metrics).toMatchObject({ leads: 4, converted: 3 });
    expect(decided.results!.metrics.auc).toBeCloseTo(2.5 / 3, 10);
    const { backtestRun } = ok(
      await t.gql<{ backtestRun: AccountRun }>(`query($id: ID!) { backtestRun(id: $id) { subject ${RUN} } }`, { id: first.id }),
    );
    expect(backtestRun.subject).toBe('ACCOUNT');
    expect(backtestRun.results!.metrics).toEqual(first.results!.metrics);
  });

  it('backtests an unsaved account definition and compares it to a version', async () => {
    const lighter = { ...ACCOUNT_DEFINITION, rules: ACCOUNT_DEFINITION.rules.slice(0, 2) };
    const compared = await run({ cohort: COHORT, definition: lighter, compareToVersionId: accountVersionId });
    expect(compared).toMatchObject({ status: 'completed', subject: 'ACCOUNT', cohortId: first.cohortId });
    expect(compared.results!.comparison!.deltas.rules).toContainEqual(
      expect.objectContaining({ rule: 'eng-committee', baselinePoints: 30, candidatePoints: null }),
    );
    expect(compared.results!.comparison!.cellMoves.reduce((sum, move) => sum + move.leads, 0)).toBe(5);
  });

  it('refuses a lead cohort for an account model, and a lead version to compare with', async () => {
    const leadRun = await run({ cohort: COHORT, definition: DEFAULT_B2B });
    expect(leadRun).toMatchObject({ status: 'completed', subject: 'LEAD' });
    expect(leadRun.results!.metrics.leads).toBe(CONTACTS.length);
    const wrongCohort = await t.gql(RUN_BACKTEST, { input: { cohortId: leadRun.cohortId, versionId: accountVersionId } });
    expect(wrongCohort.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(wrongCohort.errors?.[0].message).toMatch(/input\.cohortId: .*cohort of leads/);
    const { activeRuleSets } = ok(await t.gql<{ activeRuleSets: Array<{ versionId: string }> }>('{ activeRuleSets { versionId } }'));
    const wrongBaseline = await t.gql(RUN_BACKTEST, {
      input: { cohort: COHORT, versionId: accountVersionId, compareToVersionId: activeRuleSets[0].versionId },
    });
    expect(wrongBaseline.errors?.[0].message).toMatch(/input\.compareToVersionId: must be a version of a model scoring accounts/);
    const noAccounts = await t.gql(RUN_BACKTEST, {
      input: { cohort: { ...COHORT, createdFrom: '2024-01-01T00:00:00Z', createdTo: '2024-02-01T00:00:00Z' }, versionId: accountVersionId },
    });
    expect(noAccounts.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(noAccounts.errors?.[0].message).toMatch(/input\.cohort: no lead created .* belongs to an account/);
  });

  it('prepares the cohort again when an account outcome changes', async () => {
    await t.sql(`UPDATE account SET outcome = 'converted', outcome_at = $1, deal_value = 1000 WHERE domain = 'delta.io'`, [at(40)]);
    const again = await run({ cohort: COHORT, versionId: accountVersionId });
    expect(again.cohortId).not.toBe(first.cohortId);
    expect(again.results!.metrics).toMatchObject({ leads: 5, converted: 4, revenue: 80000 });
  });
});

describe('backtest of a second lead model', () => {
  it('runs on leads like the default model', async () => {
    ok(
      await t.gql(`mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }`, {
        input: { key: 'product', name: 'Product line', subject: 'LEAD' },
      }),
    );
    const versionId = await draftOf({
      key: 'product-line',
      name: 'Product line',
      model: 'product',
      definition: { ...DEFAULT_B2B, key: 'product-line' },
    });
    const product = await run({ cohort: COHORT, versionId });
    expect(product).toMatchObject({ status: 'completed', subject: 'LEAD', ruleSetKey: 'product-line' });
    expect(product.results!.metrics).toMatchObject({ leads: CONTACTS.length, converted: 2 });
    expect(product.results!.metrics.auc).not.toBeNull();
  });
});
