import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { BacktestService } from '../server/src/backtests/backtest.service';
import type { BacktestDispatcher } from '../server/src/backtests/backtest-rows';
import { createLogger } from '../server/src/common/logger';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { FITTED_COHORT, insertFittedCohort } from './support/fitted-cohort';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';

/*
 * Backtests through GraphQL. Five leads created in January 2025, looked at 30 days after creation
 * (and always 1 ms before their outcome):
 *
 *   lead          fit (default rules)                  activities (days after creation)          outcome
 *   late-demo     sweet-spot size, software, VP: 55    pricing view +2, demo request +12         converted +10
 *   early-demo    same: 55                             pricing view +5, demo request +5          converted +15
 *   lost-student  student: -30                         page views +1                             lost +20
 *   open-late     300 staff, software, director: 50    e-mail open +3, demo request +40          open
 *   won-quiet     enterprise, finance, CEO, budget     none                                      converted +25
 *
 * late-demo's demo request came after its conversion and open-late's after the 30 days: neither may
 * count, so only early-demo fires eng-requested-demo.
 */

const DAY = 86_400_000;
const BASE = Date.parse('2025-01-10T09:00:00.000Z');
const at = (lead: number, days: number) => new Date(BASE + lead * 3_600_000 + days * DAY).toISOString();

const LEADS = [
  {
    externalId: 'late-demo',
    email: 'ana@late.io',
    attributes: { industry: 'software', companySize: 800, seniority: 'vp' },
    outcome: ['CONVERTED', 10, 5000],
  },
  {
    externalId: 'early-demo',
    email: 'bo@early.io',
    attributes: { industry: 'software', companySize: 800, seniority: 'vp' },
    outcome: ['CONVERTED', 15, 8000],
  },
  {
    externalId: 'lost-student',
    email: 'cy@uni.edu',
    attributes: { industry: 'education', companySize: 20, seniority: 'student' },
    outcome: ['LOST', 20, null],
  },
  {
    externalId: 'open-late',
    email: 'di@open.io',
    attributes: { industry: 'software', companySize: 300, seniority: 'director' },
    outcome: null,
  },
  {
    externalId: 'won-quiet',
    email: 'ed@bank.com',
    attributes: { industry: 'financial_services', companySize: 6000, seniority: 'c_level', budgetConfirmed: true },
    outcome: ['CONVERTED', 25, 120000],
  },
] as const;

const ACTIVITIES: Array<[lead: number, type: string, days: number]> = [
  [0, 'PRICING_PAGE_VIEW', 2],
  [0, 'DEMO_REQUEST', 12],
  [1, 'PRICING_PAGE_VIEW', 5],
  [1, 'DEMO_REQUEST', 5],
  [2, 'PAGE_VIEW', 1],
  [2, 'PAGE_VIEW', 1.5],
  [3, 'EMAIL_OPEN', 3],
  [3, 'DEMO_REQUEST', 40],
];

const COHORT = { createdFrom: '2025-01-01T00:00:00Z', createdTo: '2025-02-01T00:00:00Z', cutoffDaysAfterCreation: 30 };

const METRICS = `leads converted conversionRate revenue auc rocCurve { fpr tpr threshold } threshold qualified precision recall f1 shareToSales
  bands { band leads converted conversionRate revenue } cells { cell leads converted conversionRate revenue }
  deciles { decile leads converted conversionRate lift cumulativeGain }
  rules { rule label dimension currentPoints fired fireRate conversionWhenFired conversionWhenNotFired lift logOddsRatio suggestedPoints }
  pointsPerLogOdds { fit engagement }`;
const RUN = `id status cohortId cohortChecksum ruleSetKey versionId version definitionChecksum compareToVersionId compareToVersion compareChecksum
  openLeads error createdBy durationMs cohortSpec { createdFrom createdTo cutoffAt cutoffDaysAfterCreation source segment attributes { name value } }
  results { compiled metrics { ${METRICS} }
    comparison { baselineVersionId baselineVersion baseline { auc qualified bands { band leads } }
      deltas { auc precision recall f1 shareToSales qualified bands { group leads converted conversionRate revenue } cells { group leads }
               deciles { decile lift cumulativeGain } rules { rule baselinePoints candidatePoints fireRate lift } }
      cellMoves { from to leads converted examples } leadsChangingCell } }`;
const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { ${RUN} } }`;

interface Metrics {
  leads: number;
  converted: number;
  auc: number | null;
  qualified: number;
  precision: number | null;
  recall: number | null;
  shareToSales: number | null;
  revenue: number;
  bands: Array<{ band: string; leads: number; converted: number }>;
  cells: Array<{ cell: string; leads: number; converted: number; revenue: number }>;
  deciles: Array<{ decile: number; leads: number; converted: number }>;
  rules: Array<{ rule: string; fired: number; currentPoints: number; conversionWhenFired: number | null; suggestedPoints: number | null }>;
  rocCurve: Array<{ fpr: number; tpr: number; threshold: number | null }>;
}
interface Run {
  id: string;
  status: string;
  cohortId: string | null;
  cohortChecksum: string;
  ruleSetKey: string;
  versionId: string | null;
  version: number | null;
  definitionChecksum: string;
  compareToVersionId: string | null;
  openLeads: string;
  error: string | null;
  results: {
    compiled: boolean;
    metrics: Metrics;
    comparison: {
      baselineVersionId: string;
      baselineVersion: number;
      baseline: { auc: number; qualified: number; bands: Array<{ band: string; leads: number }> };
      deltas: {
        auc: number;
        qualified: number;
        bands: Array<{ group: string; leads: number }>;
        cells: Array<{ group: string; leads: number }>;
        rules: Array<{ rule: string; baselinePoints: number; candidatePoints: number }>;
      };
      cellMoves: Array<{ from: string; to: string; leads: number; converted: number; examples: string[] }>;
      leadsChangingCell: number;
    } | null;
  } | null;
}

let t: TestApp;
let activeVersionId: string;
let definition: RuleSetDefinition;

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

async function run(input: Record<string, unknown>): Promise<Run> {
  return ok(await t.gql<{ runBacktest: Run }>(RUN_BACKTEST, { input })).runBacktest;
}

const rule = (metrics: Metrics, name: string) => metrics.rules.find((r) => r.rule === name)!;

beforeAll(async () => {
  t = await createTestApp();
  for (const lead of LEADS) {
    ok(
      await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
        input: { externalId: lead.externalId, email: lead.email, attributes: lead.attributes },
      }),
    );
  }
  ok(
    await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
      input: { externalId: 'outside', attributes: { industry: 'software' } },
    }),
  );
  // The API creates leads now; these are historical ones.
  for (const [index, lead] of LEADS.entries())
    await t.sql('UPDATE lead SET created_at = $2::timestamptz WHERE external_id = $1', [lead.externalId, at(index, 0)]);
  await t.sql(`UPDATE lead SET created_at = '2025-03-01T00:00:00Z' WHERE external_id = 'outside'`);
  ok(
    await t.gql(`mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { results { duplicate } } }`, {
      input: ACTIVITIES.map(([lead, type, days], k) => ({
        leadExternalId: LEADS[lead].externalId,
        type,
        occurredAt: at(lead, days),
        idempotencyKey: `bt-${k}`,
      })),
    }),
  );
  for (const [index, lead] of LEADS.entries()) {
    if (!lead.outcome) continue;
    const [outcome, days, dealValue] = lead.outcome;
    ok(
      await t.gql(`mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }`, {
        input: { externalId: lead.externalId, outcome, at: at(index, days), dealValue },
      }),
    );
  }
  const { activeRuleSets } = ok(
    await t.gql<{ activeRuleSets: Array<{ versionId: string; definition: RuleSetDefinition }> }>(
      '{ activeRuleSets { versionId definition } }',
    ),
  );
  activeVersionId = activeRuleSets[0].versionId;
  definition = activeRuleSets[0].definition;
});

afterAll(async () => {
  await t?.close();
});

describe('runBacktest', () => {
  let first: Run;

  it('backtests a version on a cohort, inline, with nothing after a lead’s outcome counted', async () => {
    first = await run({ cohort: COHORT, versionId: activeVersionId });
    expect(first).toMatchObject({
      status: 'completed',
      versionId: activeVersionId,
      version: 1,
      ruleSetKey: definition.key,
      openLeads: 'NOT_CONVERTED',
      error: null,
    });
    expect(first.cohortId).toMatch(/^\d+$/);
    const metrics = first.results!.metrics;
    expect(first.results!.compiled).toBe(true);
    expect(metrics).toMatchObject({ leads: 5, converted: 3, revenue: 133000 });
    // Only early-demo's demo request was before its cutoff (late-demo converted before its request).
    expect(rule(metrics, 'eng-requested-demo')).toMatchObject({ fired: 1, conversionWhenFired: 1 });
    // late-demo 55 + 10 (pricing view) = 65; early-demo 55 + 48 (40 + 10 decayed 2 days past grace) = 103;
    // won-quiet >= 60; open-late 50; lost-student -30: every converted lead outscores the others.
    expect(metrics.auc).toBe(1);
    expect(metrics).toMatchObject({ qualified: 1, precision: 1, recall: 1 / 3, shareToSales: 0.2 });
    expect(metrics.bands.find((b) => b.band === 'warm')!.leads).toBeGreaterThanOrEqual(2);
    expect(metrics.cells.find((c) => c.cell === 'B2')).toMatchObject({ leads: 1, converted: 1, revenue: 8000 });
    expect(metrics.cells.find((c) => c.cell === 'D4')).toMatchObject({ leads: 1, converted: 0 });
    expect(metrics.deciles.map((d) => d.leads)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(metrics.rocCurve[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
  });

  it('reuses the prepared cohort and gives the same results again (reproducible)', async () => {
    const again = await run({ cohort: { ...COHORT, createdFrom: '2025-01-01T00:00:00.000Z' }, versionId: activeVersionId });
    expect(again.id).not.toBe(first.id);
    expect(again.cohortId).toBe(first.cohortId);
    expect(again.cohortChecksum).toBe(first.cohortChecksum);
    expect(again.definitionChecksum).toBe(first.definitionChecksum);
    expect(again.results!.metrics).toEqual(first.results!.metrics);
    const byId = await run({ cohortId: first.cohortId, versionId: activeVersionId, openLeads: 'EXCLUDED' });
    expect(byId.results!.metrics).toMatchObject({ leads: 4, converted: 3, auc: 1 });

    const { backtestCohorts } = ok(
      await t.gql<{
        backtestCohorts: Array<{
          id: string;
          leadCount: number;
          convertedCount: number;
          decidedCount: number;
          activityCount: number;
          cached: boolean;
          spec: { cutoffDaysAfterCreation: number };
        }>;
      }>('{ backtestCohorts { id leadCount convertedCount decidedCount activityCount cached spec { cutoffDaysAfterCreation } } }'),
    );
    // Activities before the cutoffs: late-demo 1, early-demo 2, lost-student 2, open-late 1.
    expect(backtestCohorts).toEqual([
      {
        id: first.cohortId,
        leadCount: 5,
        convertedCount: 3,
        decidedCount: 4,
        activityCount: 6,
        cached: true,
        spec: { cutoffDaysAfterCreation: 30 },
      },
    ]);
  });

  it('compares two versions: every metric’s delta and the leads moving between cells', async () => {
    const candidate = structuredClone(definition);
    candidate.rules.find((r) => r.name === 'eng-requested-demo')!.event.params.points = 70;
    const { createDraft } = ok(
      await t.gql<{ createDraft: { id: string } }>(`mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }`, {
        input: { ruleSetKey: definition.key, definition: candidate },
      }),
    );
    const compared = await run({ cohortId: first.cohortId, versionId: createDraft.id, compareToVersionId: activeVersionId });
    expect(compared).toMatchObject({ status: 'completed', versionId: createDraft.id, version: 2, compareToVersionId: activeVersionId });
    const comparison = compared.results!.comparison!;
    expect(comparison.baselineVersion).toBe(1);
    expect(comparison.baseline.auc).toBe(1);
    // early-demo: engagement 70 + 10 = 80, decayed to 76: level 1, total 131 (hot) instead of B2, 103 (warm).
    expect(comparison.cellMoves.filter((m) => m.from !== m.to)).toEqual([
      { from: 'B2', to: 'B1', leads: 1, converted: 1, examples: ['early-demo'] },
    ]);
    expect(comparison.cellMoves.reduce((sum, m) => sum + m.leads, 0)).toBe(5);
    expect(comparison.leadsChangingCell).toBe(1);
    expect(comparison.deltas).toMatchObject({ auc: 0, qualified: 0 });
    // Hot had no lead under the baseline (no rate to compare); warm converts 3/3 and then 2/2.
    expect(comparison.deltas.bands).toEqual([
      { group: 'hot', leads: 1, converted: 1, conversionRate: null, revenue: 8000 },
      { group: 'warm', leads: -1, converted: -1, conversionRate: 0, revenue: -8000 },
      { group: 'cold', leads: 0, converted: 0, conversionRate: 0, revenue: 0 },
    ]);
    expect(comparison.deltas.cells.find((c) => c.group === 'B1')!.leads).toBe(1);
    expect(comparison.deltas.rules.find((r) => r.rule === 'eng-requested-demo')).toMatchObject({
      baselinePoints: 40,
      candidatePoints: 70,
      fireRate: 0,
    });
  });

  it('backtests an unsaved draft definition', async () => {
    const draft = structuredClone(definition);
    draft.rules = draft.rules.filter((r) => r.name !== 'eng-pricing-view');
    draft.qualification = { ...draft.qualification, threshold: 60 };
    const result = await run({ cohortId: first.cohortId, definition: draft });
    expect(result).toMatchObject({ status: 'completed', versionId: null, version: null, ruleSetKey: definition.key });
    expect(result.definitionChecksum).not.toBe(first.definitionChecksum);
    const metrics = result.results!.metrics;
    expect(metrics.rules.some((r) => r.rule === 'eng-pricing-view')).toBe(false);
    // At 60: early-demo (103 - 10 = 93... still >= 60), won-quiet; late-demo drops to 55.
    expect(metrics.qualified).toBe(2);
    expect(metrics.precision).toBe(1);
  });

  it('names the wrong field of a bad input', async () => {
    const bad = async (input: Record<string, unknown>) => {
      const result = await t.gql(RUN_BACKTEST, { input });
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      return result.errors![0].extensions!.problems!.map((p) => p.path);
    };
    expect(
      await bad({
        cohort: { ...COHORT, createdFrom: '2025-02-01T00:00:00Z', createdTo: '2025-01-01T00:00:00Z' },
        versionId: activeVersionId,
      }),
    ).toEqual(['input.cohort.createdTo']);
    expect(await bad({ cohort: { createdFrom: COHORT.createdFrom, createdTo: COHORT.createdTo }, versionId: activeVersionId })).toEqual([
      'input.cohort.cutoffAt',
    ]);
    expect(await bad({ cohort: { ...COHORT, cutoffDaysAfterCreation: -1 }, versionId: activeVersionId })).toEqual([
      'input.cohort.cutoffDaysAfterCreation',
    ]);
    expect(
      await bad({
        cohort: { createdFrom: COHORT.createdFrom, createdTo: COHORT.createdTo, cutoffAt: '2025-01-15T00:00:00Z' },
        versionId: activeVersionId,
      }),
    ).toEqual(['input.cohort.cutoffAt']);
    expect(
      await bad({
        cohort: {
          ...COHORT,
          attributes: [
            { name: 'shoeSize', value: 42 },
            { name: 'industry', value: { a: 1 } },
          ],
        },
        versionId: activeVersionId,
      }),
    ).toEqual(['input.cohort.attributes[0].name', 'input.cohort.attributes[1].value']);
    expect(await bad({ cohort: COHORT })).toEqual(['input.versionId']);
    expect(await bad({ cohort: COHORT, cohortId: first.cohortId, versionId: activeVersionId })).toEqual(['input.cohort']);
    const invalid = { ...definition, grades: { A: 10, B: 40, C: 20 } };
    expect((await bad({ cohort: COHORT, definition: invalid }))[0]).toMatch(/^input\.definition\.grades/);

    const missing = await t.gql(RUN_BACKTEST, { input: { cohort: COHORT, versionId: '999999' } });
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', problems: [{ path: 'input.versionId' }] });
    expect(await t.sql(`SELECT count(*)::int AS n FROM backtest_run WHERE status <> 'completed'`)).toEqual([{ n: 0 }]);
  });

  it('lets viewers read runs but not start them', async () => {
    const viewer: UserPrincipal = { kind: 'user', userId: '0', email: 'v@test.local', name: 'Viewer', role: 'viewer' };
    const denied = await t.gqlAs(viewer, RUN_BACKTEST, { input: { cohortId: first.cohortId, versionId: activeVersionId } });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const read = ok(
      await t.gqlAs<{ backtestRun: Run; backtestRuns: Run[] }>(
        viewer,
        `query($id: ID!, $key: String) { backtestRun(id: $id) { ${RUN} } backtestRuns(ruleSetKey: $key, first: 2) { id status results { metrics { leads } } } }`,
        { id: first.id, key: definition.key },
      ),
    );
    expect(read.backtestRun.results!.metrics).toEqual(first.results!.metrics);
    expect(read.backtestRuns).toHaveLength(2);
    expect(Number(read.backtestRuns[0].id)).toBeGreaterThan(Number(read.backtestRuns[1].id));
    const sales: UserPrincipal = { ...viewer, role: 'sales', email: 's@test.local' };
    expect(
      ok(await t.gqlAs<{ runBacktest: Run }>(sales, RUN_BACKTEST, { input: { cohortId: first.cohortId, versionId: activeVersionId } }))
        .runBacktest.status,
    ).toBe('completed');
  });

  it('queues cohorts over the inline limit and completes them in a worker', async () => {
    const dispatched: string[] = [];
    const dispatcher: BacktestDispatcher = { dispatch: async (runId) => void dispatched.push(runId) };
    const service = new BacktestService(
      t.app.dataSource,
      t.app.services.workflow,
      () => t.app.services.leads.attributeCatalog(),
      createLogger('silent'),
      { inlineLimit: 2 },
    );
    service.setDispatcher(dispatcher);
    // A cohort not prepared yet: the worker prepares it.
    const queued = await service.runBacktest(
      { name: 'user:test', role: 'marketing' },
      { cohort: { ...COHORT, cutoffDaysAfterCreation: 5 }, versionId: activeVersionId },
    );
    expect(queued).toMatchObject({ status: 'queued', cohortId: null });
    expect(dispatched).toEqual([queued.id]);
    const pending = ok(
      await t.gql<{ backtestRun: Run }>(`query($id: ID!) { backtestRun(id: $id) { status results { compiled } } }`, { id: queued.id }),
    ).backtestRun;
    expect(pending).toEqual({ status: 'queued', results: null });
    await service.executeRun(queued.id);
    const done = ok(
      await t.gql<{ backtestRun: Run }>(`query($id: ID!) { backtestRun(id: $id) { ${RUN} } }`, { id: queued.id }),
    ).backtestRun;
    expect(done.status).toBe('completed');
    expect(done.cohortId).not.toBe(first.cohortId);
    // Five days in: early-demo's request at exactly +5 days is at its cutoff, so it counts.
    expect(done.results!.metrics.leads).toBe(5);
    expect(rule(done.results!.metrics, 'eng-requested-demo').fired).toBe(1);
  });
});

describe('fresh cohorts', () => {
  const SPEC = { ...COHORT, cutoffDaysAfterCreation: 31 };
  const COHORT_FIELDS = 'id generation leadCount convertedCount outcomesChangedSince';
  type Cohort = { id: string; generation: number; leadCount: number; convertedCount: number; outcomesChangedSince: number };
  const prepare = async (refresh?: boolean) =>
    ok(
      await t.gql<{ prepareBacktestCohort: Cohort }>(
        `mutation($input: BacktestCohortInput!, $refresh: Boolean) { prepareBacktestCohort(input: $input, refresh: $refresh) { ${COHORT_FIELDS} } }`,
        { input: SPEC, refresh },
      ),
    ).prepareBacktestCohort;
  const cohort = async (id: string) =>
    ok(await t.gql<{ backtestCohorts: Cohort[] }>(`{ backtestCohorts(first: 100) { ${COHORT_FIELDS} } }`)).backtestCohorts.find(
      (c) => c.id === id,
    )!;
  const setOutcome = async (input: Record<string, unknown>) =>
    ok(await t.gql(`mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }`, { input }));

  it('counts the outcomes recorded since a cohort was prepared, and a new backtest of the spec sees them', async () => {
    const old = await prepare();
    expect(old).toMatchObject({ generation: 0, leadCount: 5, convertedCount: 3, outcomesChangedSince: 0 });
    expect((await prepare()).id).toBe(old.id);
    try {
      await setOutcome({ externalId: 'open-late', outcome: 'CONVERTED', at: at(3, 35), dealValue: 900 });
      await setOutcome({ externalId: 'won-quiet', outcome: 'CONVERTED', at: at(4, 25), dealValue: 130000 });
      expect((await cohort(old.id)).outcomesChangedSince).toBe(2);

      const fresh = ok(
        await t.gql<{ runBacktest: Run & { outcomesChangedSince: number } }>(
          `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id cohortId outcomesChangedSince results { metrics { leads converted revenue } } } }`,
          {
            input: { cohort: SPEC, versionId: activeVersionId },
          },
        ),
      ).runBacktest;
      expect(fresh.cohortId).not.toBe(old.id);
      expect(fresh.outcomesChangedSince).toBe(0);
      expect(fresh.results!.metrics).toMatchObject({ leads: 5, converted: 4, revenue: 5000 + 8000 + 900 + 130000 });
      expect(await cohort(fresh.cohortId!)).toMatchObject({ generation: 1, convertedCount: 4, outcomesChangedSince: 0 });
      // The old cohort keeps what it saw, and says so; runs on it by id use it as it is.
      expect(await cohort(old.id)).toMatchObject({ generation: 0, convertedCount: 3, outcomesChangedSince: 2 });
      expect(
        ok(await t.gql<{ backtestCohort: Cohort }>(`query($id: ID!) { backtestCohort(id: $id) { ${COHORT_FIELDS} } }`, { id: old.id }))
          .backtestCohort,
      ).toEqual(await cohort(old.id));
      const onOld = ok(
        await t.gql<{ runBacktest: { cohortId: string; outcomesChangedSince: number; results: { metrics: { converted: number } } } }>(
          `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { cohortId outcomesChangedSince results { metrics { converted } } } }`,
          {
            input: { cohortId: old.id, versionId: activeVersionId },
          },
        ),
      ).runBacktest;
      expect(onOld).toEqual({ cohortId: old.id, outcomesChangedSince: 2, results: { metrics: { converted: 3 } } });
      // Unchanged since: the same spec reuses the fresh cohort; refresh prepares it anew regardless.
      expect((await prepare()).id).toBe(fresh.cohortId);
      expect(await prepare(true)).toMatchObject({ generation: 2, convertedCount: 4, outcomesChangedSince: 0 });
    } finally {
      await setOutcome({ externalId: 'open-late', outcome: 'OPEN' });
      await setOutcome({ externalId: 'won-quiet', outcome: 'CONVERTED', at: at(4, 25), dealValue: 120000 });
    }
  });
});

describe('cohort filters that match nothing', () => {
  const refused = async (mutation: string, input: Record<string, unknown>) => {
    const result = await t.gql(mutation, { input });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    return result.errors![0].extensions!.problems as Array<{ path: string; message: string }>;
  };
  const PREPARE = `mutation($input: BacktestCohortInput!) { prepareBacktestCohort(input: $input) { id } }`;

  it('refuses a typo, naming the field and listing the values that do occur', async () => {
    const [runs] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM backtest_run');
    const [cohorts] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM backtest_cohort');
    const typo = await refused(RUN_BACKTEST, {
      cohort: { ...COHORT, attributes: [{ name: 'industry', value: 'softwar' }] },
      versionId: activeVersionId,
    });
    expect(typo).toEqual([
      {
        path: 'input.cohort.attributes[0].value',
        message: expect.stringContaining('known values there: "software" (3), "education" (1), "financial_services" (1)'),
      },
    ]);
    const segment = await refused(RUN_BACKTEST, { cohort: { ...COHORT, segment: 'x-educaton' }, versionId: activeVersionId });
    expect(segment).toEqual([
      { path: 'input.cohort.segment', message: expect.stringMatching(/has segment "x-educaton"; no lead there has one$/) },
    ]);
    const prepared = await refused(PREPARE, { ...COHORT, source: 'webinar' });
    expect(prepared.map((p) => p.path)).toEqual(['input.source']);
    // Each filter matches some lead, but no lead matches both.
    const both = await refused(RUN_BACKTEST, {
      cohort: {
        ...COHORT,
        attributes: [
          { name: 'industry', value: 'education' },
          { name: 'seniority', value: 'vp' },
        ],
      },
      versionId: activeVersionId,
    });
    expect(both).toEqual([{ path: 'input.cohort', message: expect.stringContaining('matches all of these filters together') }]);
    const empty = await refused(RUN_BACKTEST, {
      cohort: { ...COHORT, createdFrom: '2024-01-01T00:00:00Z', createdTo: '2024-02-01T00:00:00Z' },
      versionId: activeVersionId,
    });
    expect(empty.map((p) => p.path)).toEqual(['input.cohort.createdFrom']);
    expect(await t.sql('SELECT count(*)::int AS n FROM backtest_run')).toEqual([runs]);
    expect(await t.sql('SELECT count(*)::int AS n FROM backtest_cohort')).toEqual([cohorts]);
  });
});

describe('fitted suggestions, holdout and apply', () => {
  // The cohort and the model behind its outcomes: test/support/fitted-cohort.ts.
  const SUGGESTIONS = `split { kind holdoutShare trainingLeads holdoutLeads } fitted reason pointsPerLogOdds
    rules { rule currentPoints fired suggestedPoints margin coefficient standardError note }
    candidates { rule label dimension definition fired lift suggestedPoints margin }
    holdout { leads converted current { auc threshold qualified } suggested { auc threshold qualified } withCandidates { auc } }`;
  interface Suggestion {
    rule: string;
    currentPoints: number;
    fired: number;
    suggestedPoints: number | null;
    margin: number | null;
    coefficient: number | null;
    note: string | null;
  }
  interface Suggestions {
    split: { kind: string; holdoutShare: number; trainingLeads: number; holdoutLeads: number };
    fitted: boolean;
    reason: string | null;
    pointsPerLogOdds: number | null;
    rules: Suggestion[];
    candidates: Array<{ rule: string; definition: { rule: { name: string } }; fired: number; suggestedPoints: number | null }>;
    holdout: {
      leads: number;
      converted: number;
      current: { auc: number };
      suggested: { auc: number } | null;
      withCandidates: { auc: number } | null;
    };
  }
  const runWithSuggestions = async (input: Record<string, unknown>) =>
    ok(
      await t.gql<{
        runBacktest: {
          id: string;
          status: string;
          results: { suggestions: Suggestions; metrics: { rules: Array<{ rule: string; suggestedPoints: number | null }> } };
        };
      }>(
        `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status results { suggestions { ${SUGGESTIONS} } metrics { rules { rule suggestedPoints } } } } }`,
        { input },
      ),
    ).runBacktest;
  let fittedRun: Awaited<ReturnType<typeof runWithSuggestions>>;
  const byRule = (s: Suggestions, name: string) => s.rules.find((r) => r.rule === name)!;

  beforeAll(async () => {
    await insertFittedCohort(t);
    fittedRun = await runWithSuggestions({ cohort: FITTED_COHORT, versionId: activeVersionId });
  });

  it('fits all rules jointly on the training part, with a margin per rule, and judges them on the holdout part', () => {
    expect(fittedRun.status).toBe('completed');
    const s = fittedRun.results.suggestions;
    expect(s.split).toEqual({ kind: 'HASH', holdoutShare: 0.3, trainingLeads: expect.any(Number), holdoutLeads: expect.any(Number) });
    expect(s.split.trainingLeads + s.split.holdoutLeads).toBe(1500);
    expect(s.split.holdoutLeads).toBeGreaterThan(350);
    expect(s.split.holdoutLeads).toBeLessThan(550);
    expect(s).toMatchObject({ fitted: true, reason: null });
    const sweet = byRule(s, 'fit-company-size-sweet-spot');
    expect(sweet.suggestedPoints).toBeGreaterThan(sweet.currentPoints);
    expect(sweet.margin).toBeGreaterThan(0);
    expect(sweet.margin).toBeLessThan(Math.abs(sweet.suggestedPoints!));
    // The scale: points per log odds, the same for every rule.
    expect(sweet.suggestedPoints).toBe(Math.round(s.pointsPerLogOdds! * sweet.coefficient!));
    expect(byRule(s, 'fit-seniority-executive').suggestedPoints).toBeGreaterThan(0);
    // The rule table shows the same fitted points.
    expect(fittedRun.results.metrics.rules.find((r) => r.rule === 'fit-seniority-executive')!.suggestedPoints).toBe(
      byRule(s, 'fit-seniority-executive').suggestedPoints,
    );
    expect(s.holdout.leads).toBe(s.split.holdoutLeads);
    expect(s.holdout.suggested!.auc).toBeGreaterThan(s.holdout.current.auc + 0.02);
  });

  it('does not flip a penalty into a bonus without confident evidence, and says why a rule gets nothing', () => {
    const s = fittedRun.results.suggestions;
    const student = byRule(s, 'fit-student');
    expect(student.currentPoints).toBe(-30);
    expect(student.suggestedPoints).toBe(0);
    expect(student.note).toMatch(/without confidence: held at 0/);
    // Consultancies convert far better here: the evidence is strong enough to turn the penalty round.
    const consulting = byRule(s, 'fit-consultancy-or-agency');
    expect(consulting.currentPoints).toBe(-10);
    expect(consulting.suggestedPoints).toBeGreaterThan(0);
    expect(consulting.suggestedPoints! - consulting.margin!).toBeGreaterThan(0);
    const budget = byRule(s, 'fit-budget-confirmed');
    expect(budget.suggestedPoints).toBeNull();
    expect(budget.note).toMatch(/^fired for \d+ leads?; at least 30 needed$/);
    expect(byRule(s, 'fit-competitor')).toMatchObject({ fired: 0, suggestedPoints: null, note: 'never fired in the training part' });
  });

  it('suggests nothing when the cohort has too few conversions, and says why', async () => {
    const small = await runWithSuggestions({ cohort: COHORT, versionId: activeVersionId, split: { kind: 'TIME', holdoutShare: 0.4 } });
    const s = small.results.suggestions;
    expect(s.split).toMatchObject({ kind: 'TIME', holdoutShare: 0.4, trainingLeads: 3, holdoutLeads: 2 });
    expect(s.fitted).toBe(false);
    expect(s.reason).toMatch(/^the training part has \d conversions?; at least 30 are needed to fit points$/);
    expect(s.rules.every((r) => r.suggestedPoints === null && r.note === s.reason)).toBe(true);
    expect(small.results.metrics.rules.every((r) => r.suggestedPoints === null)).toBe(true);
    expect(s.candidates).toEqual([]);
  });

  it('refuses a split share out of range, naming the field', async () => {
    const result = await t.gql(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`, {
      input: { cohort: COHORT, versionId: activeVersionId, split: { holdoutShare: 0.99 } },
    });
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'input.split.holdoutShare', message: 'must be from 0.05 to 0.95' }],
    });
  });

  const APPLY = `mutation($input: ApplyBacktestSuggestionsInput!) { applyBacktestSuggestions(input: $input) {
    version { id status ruleSetKey definition }
    evidence { backtestRunId stale mqlShareBefore mqlShareAfter mqlsPerWeekBefore mqlsPerWeekAfter notes appliedRules { rule from to }
      thresholds { qualificationBefore qualificationAfter bands { band before after } }
      holdout { leads converted activeVersionId active { auc } draft { auc } } } } }`;
  interface Applied {
    version: { id: string; status: string; ruleSetKey: string; definition: RuleSetDefinition };
    evidence: {
      backtestRunId: string;
      stale: boolean;
      mqlShareBefore: number;
      mqlShareAfter: number;
      mqlsPerWeekBefore: number;
      mqlsPerWeekAfter: number;
      notes: string[];
      appliedRules: Array<{ rule: string; from: number; to: number }>;
      thresholds: { qualificationBefore: number; qualificationAfter: number };
      holdout: { leads: number; converted: number; activeVersionId: string; active: { auc: number }; draft: { auc: number } };
    };
  }

  it('applies the suggestions as a new draft whose threshold keeps today’s MQL share, with the holdout comparison on it', async () => {
    const { applyBacktestSuggestions: applied } = ok(
      await t.gql<{ applyBacktestSuggestions: Applied }>(APPLY, { input: { runId: fittedRun.id, target: { keepMqlShare: true } } }),
    );
    expect(applied.version).toMatchObject({ status: 'draft', ruleSetKey: definition.key });
    const points = (name: string) => applied.version.definition.rules.find((r) => r.name === name)?.event.params.points;
    const s = fittedRun.results.suggestions;
    expect(points('fit-company-size-sweet-spot')).toBe(byRule(s, 'fit-company-size-sweet-spot').suggestedPoints);
    // A rule held at 0 stays in the draft, neutral, and the evidence says so.
    expect(points('fit-student')).toBe(0);
    expect(applied.evidence.notes.some((note) => note.startsWith('fit-student now awards 0 points'))).toBe(true);
    // Rules without a suggestion keep their points.
    expect(points('fit-budget-confirmed')).toBe(15);
    expect(applied.evidence.mqlShareAfter).toBeCloseTo(applied.evidence.mqlShareBefore, 1);
    expect(applied.evidence.thresholds.qualificationAfter).toBe(applied.version.definition.qualification.threshold);
    expect(applied.evidence.holdout).toMatchObject({ leads: s.holdout.leads, converted: s.holdout.converted, activeVersionId });
    expect(applied.evidence.holdout.draft.auc).toBeGreaterThan(applied.evidence.holdout.active.auc);
    expect(applied.evidence.stale).toBe(false);

    // The review page reads the same evidence from the version.
    const { ruleSetVersion } = ok(
      await t.gql<{ ruleSetVersion: { evidence: Applied['evidence'] } }>(
        `query($id: ID!) { ruleSetVersion(id: $id) { evidence { backtestRunId stale holdout { leads converted activeVersionId active { auc } draft { auc } } } } }`,
        { id: applied.version.id },
      ),
    );
    expect(ruleSetVersion.evidence).toMatchObject({ backtestRunId: fittedRun.id, stale: false, holdout: applied.evidence.holdout });
    const { ruleSetVersion: active } = ok(
      await t.gql<{ ruleSetVersion: { evidence: null } }>(`query($id: ID!) { ruleSetVersion(id: $id) { evidence { backtestRunId } } }`, {
        id: activeVersionId,
      }),
    );
    expect(active.evidence).toBeNull();

    // The draft's own backtest on the same cohort is queued with it: it calibrates the draft's conversion probability.
    const [draftRun] = await t.sql<{ id: string; cohortId: string; status: string }>(
      `SELECT id::text AS id, cohort_id::text AS "cohortId", status FROM backtest_run WHERE version_id = $1::bigint`,
      [applied.version.id],
    );
    const [fitted] = await t.sql<{ cohortId: string }>(`SELECT cohort_id::text AS "cohortId" FROM backtest_run WHERE id = $1::bigint`, [
      fittedRun.id,
    ]);
    expect(draftRun.cohortId).toBe(fitted.cohortId);
    if (draftRun.status === 'queued') await t.app.services.backtests.executeRun(draftRun.id); // small cohorts run at once
    const [calibration] = await t.sql<{ accepted: boolean }>(
      `SELECT steps IS NOT NULL AS accepted FROM score_calibration WHERE run_id = $1::bigint`,
      [draftRun.id],
    );
    expect(calibration.accepted).toBe(true);
  });

  it('re-tunes the threshold to the MQLs a week sales can take, and adds chosen candidate rules', async () => {
    const candidate = fittedRun.results.suggestions.candidates.find((c) => c.suggestedPoints)!;
    const { applyBacktestSuggestions: applied } = ok(
      await t.gql<{ applyBacktestSuggestions: Applied }>(APPLY, {
        input: {
          runId: fittedRun.id,
          rules: ['fit-seniority-executive'],
          candidates: candidate ? [candidate.rule] : null,
          target: { mqlsPerWeek: 12 },
        },
      }),
    );
    // 1,500 leads over 26 weeks: about 58 a week, so 12 MQLs a week is about a fifth of them.
    expect(applied.evidence.mqlsPerWeekAfter).toBeGreaterThan(8);
    expect(applied.evidence.mqlsPerWeekAfter).toBeLessThan(16);
    expect(applied.evidence.appliedRules.map((r) => r.rule)).toEqual(['fit-seniority-executive']);
    if (candidate) expect(applied.version.definition.rules.some((r) => r.name === candidate.rule)).toBe(true);
  });

  it('refuses a target that is not exactly one, and names unknown rules', async () => {
    const both = await t.gql(APPLY, { input: { runId: fittedRun.id, target: { keepMqlShare: true, mqlsPerWeek: 5 } } });
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.target' }] });
    const unknown = await t.gql(APPLY, {
      input: { runId: fittedRun.id, rules: ['fit-company-size-sweet-spot', 'no-such-rule'], target: { keepMqlShare: true } },
    });
    expect(unknown.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'input.rules[1]', message: expect.stringContaining('no rule "no-such-rule"') }],
    });
    const held = await t.gql(APPLY, { input: { runId: fittedRun.id, rules: ['fit-budget-confirmed'], target: { keepMqlShare: true } } });
    expect(held.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'input.rules[0]', message: expect.stringContaining('has no suggestion') }],
    });
  });
});
