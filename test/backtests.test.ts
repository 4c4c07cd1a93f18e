import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { BacktestService } from '../server/src/backtests/backtest.service';
import type { BacktestDispatcher } from '../server/src/backtests/backtest-rows';
import { createLogger } from '../server/src/common/logger';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { at, COHORT, seedBacktestLeads } from './support/backtest-leads';
import { type Metrics, RUN, RUN_BACKTEST, type Run } from './support/backtest-queries';
import { ok } from './support/rule-sets';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Backtests through GraphQL, on the five leads of test/support/backtest-leads.ts (late-demo's demo
 * request came after its conversion and open-late's after the 30 days: neither may count). Fitted
 * suggestions and applying them: backtest-suggestions.test.ts.
 */

let t: TestApp;
let activeVersionId: string;
let definition: RuleSetDefinition;

async function run(input: Record<string, unknown>): Promise<Run> {
  return ok(await t.gql<{ runBacktest: Run }>(RUN_BACKTEST, { input })).runBacktest;
}

const rule = (metrics: Metrics, name: string) => metrics.rules.find((r) => r.rule === name)!;

beforeAll(async () => {
  t = await createTestApp();
  ({ activeVersionId, definition } = await seedBacktestLeads(t));
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
