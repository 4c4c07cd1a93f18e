import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';

/*
 * Conversion probability on a lead's score, from the latest accepted backtest of its version.
 * Three groups of 20 leads, no activities, so each group has one score under the default rules:
 *
 *   group     attributes                          outcomes                   expected rate
 *   student   education, 20 staff, student        2 converted, 18 lost       2/20
 *   director  software, 300 staff, director       8 converted, 12 lost       8/20
 *   vp        software, 800 staff, vp             15 converted, 5 lost       15/20
 *
 * The rates rise with the groups' scores (-30 < 50 < 55), so the isotonic fit is the groups' own
 * rates, each step holding 20 leads (the minimum step size).
 */

const DAY = 86_400_000;
const GROUPS = [
  { name: 'student', attributes: { industry: 'education', companySize: 20, seniority: 'student' }, converted: 2 },
  { name: 'director', attributes: { industry: 'software', companySize: 300, seniority: 'director' }, converted: 8 },
  { name: 'vp', attributes: { industry: 'software', companySize: 800, seniority: 'vp' }, converted: 15 },
] as const;
const PER_GROUP = 20;

const PROBABILITY = `conversionProbability { value stale reason source { backtestRunId cohortSize conversions calibratedAt cohortEndsAt } }`;
const LEADS = `{ leads(first: 100) { edges { node { externalId score { total ruleSetVersion ${PROBABILITY} } } } } }`;

interface Probability {
  value: number | null;
  stale: boolean;
  reason: string | null;
  source: { backtestRunId: string; cohortSize: number; conversions: number; calibratedAt: string; cohortEndsAt: string } | null;
}
interface LeadRow {
  externalId: string;
  score: { total: number; ruleSetVersion: number; conversionProbability: Probability };
}

let t: TestApp;
let versionId: string;
const now = Date.now();
const createdAt = (k: number) => new Date(now - 100 * DAY + k * 60_000).toISOString();
const window = {
  createdFrom: new Date(now - 110 * DAY).toISOString(),
  createdTo: new Date(now - 80 * DAY).toISOString(),
  cutoffDaysAfterCreation: 30,
};

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

async function leads(): Promise<Map<string, LeadRow>> {
  const { leads } = ok(await t.gql<{ leads: { edges: Array<{ node: LeadRow }> } }>(LEADS));
  return new Map(leads.edges.map(({ node }) => [node.externalId, node]));
}

async function backtest(cohort: Record<string, unknown>): Promise<{ id: string; status: string }> {
  const { runBacktest } = ok(
    await t.gql<{ runBacktest: { id: string; status: string } }>(
      'mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }',
      { input: { cohort, versionId } },
    ),
  );
  expect(runBacktest.status).toBe('completed');
  return runBacktest;
}

beforeAll(async () => {
  t = await createTestApp();
  let k = 0;
  for (const group of GROUPS) {
    for (let i = 0; i < PER_GROUP; i++, k++) {
      const externalId = `${group.name}-${i}`;
      ok(
        await t.gql('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', {
          input: { externalId, attributes: group.attributes },
        }),
      );
      await t.sql('UPDATE lead SET created_at = $2::timestamptz WHERE external_id = $1', [externalId, createdAt(k)]);
      const outcome = i < group.converted ? 'CONVERTED' : 'LOST';
      ok(
        await t.gql('mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }', {
          input: { externalId, outcome, at: new Date(now - 90 * DAY + k * 60_000).toISOString() },
        }),
      );
    }
  }
  const { activeRuleSets } = ok(await t.gql<{ activeRuleSets: Array<{ versionId: string }> }>('{ activeRuleSets { versionId } }'));
  versionId = activeRuleSets[0].versionId;
});

afterAll(async () => {
  await t?.close();
});

describe('score.conversionProbability', () => {
  it('says there is none before any backtest of the version', async () => {
    const lead = (await leads()).get('vp-0')!;
    expect(lead.score.conversionProbability).toEqual({
      value: null,
      stale: false,
      source: null,
      reason: `no backtest of version ${lead.score.ruleSetVersion} of default-b2b yet`,
    });
  });

  it('is refused, and says why, when the backtest has too few conversions', async () => {
    const run = await backtest({ ...window, attributes: [{ name: 'seniority', value: 'student' }] });
    const probability = (await leads()).get('student-0')!.score.conversionProbability;
    expect(probability).toMatchObject({ value: null, stale: false, source: { backtestRunId: run.id, cohortSize: 20, conversions: 2 } });
    expect(probability.reason).toBe(
      `no accepted backtest of version 1 of default-b2b: the latest (run ${run.id}) has 2 conversions among its 20 leads; calibration needs at least 20`,
    );
  });

  it('maps each score to its conversion rate on the accepted backtest, on every lead of the list', async () => {
    const run = await backtest(window);
    const rows = await leads();
    const totals = new Map<string, number>();
    for (const group of GROUPS) {
      const rate = group.converted / PER_GROUP;
      for (let i = 0; i < PER_GROUP; i++) {
        const row = rows.get(`${group.name}-${i}`)!;
        expect(row.score.conversionProbability).toMatchObject({
          value: rate,
          stale: false,
          reason: null,
          source: { backtestRunId: run.id, cohortSize: 60, conversions: 25 },
        });
        totals.set(group.name, row.score.total);
      }
    }
    // The groups' scores rise with their rates (else the fit would pool them).
    expect(totals.get('student')!).toBeLessThan(totals.get('director')!);
    expect(totals.get('director')!).toBeLessThan(totals.get('vp')!);
    // The same on a single lead's query.
    const { lead } = ok(
      await t.gql<{ lead: { score: { conversionProbability: Probability } } }>(`{ lead(externalId: "vp-3") { score { ${PROBABILITY} } } }`),
    );
    expect(lead.score.conversionProbability.value).toBe(0.75);
    expect(Date.parse(lead.score.conversionProbability.source!.cohortEndsAt)).toBe(Date.parse(window.createdTo));
  });

  it('keeps the accepted calibration when a later backtest is refused', async () => {
    const { backtestRuns } = ok(await t.gql<{ backtestRuns: Array<{ id: string }> }>('{ backtestRuns(first: 1) { id } }'));
    await backtest({ ...window, attributes: [{ name: 'seniority', value: 'vp' }] });
    expect((await leads()).get('vp-0')!.score.conversionProbability).toMatchObject({
      value: 0.75,
      source: { backtestRunId: backtestRuns[0].id },
    });
  });

  it('is stale when the accepted backtest’s cohort ends more than 180 days ago', async () => {
    // The same leads, a year earlier: a newer accepted backtest, on old evidence.
    await t.sql(`UPDATE lead SET created_at = created_at - interval '365 days'`);
    const old = { ...window, createdFrom: new Date(now - 475 * DAY).toISOString(), createdTo: new Date(now - 445 * DAY).toISOString() };
    const run = await backtest(old);
    const probability = (await leads()).get('director-0')!.score.conversionProbability;
    expect(probability).toMatchObject({ value: 0.4, stale: true, source: { backtestRunId: run.id } });
    expect(probability.reason).toBe(`backtest ${run.id}'s cohort ends 445 days ago (more than 180); backtest newer leads`);
  });
});
