import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COHORT, seedBacktestLeads } from './support/backtest-leads';
import { type Run, RUN_BACKTEST } from './support/backtest-queries';
import { DEFAULT_B2B, type Doc, ok } from './support/rule-sets';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Backtests of lead rule sets that read their account: the cohort's leads get their account's
 * CURRENT attributes and score (accounts keep no history), on the five leads of
 * test/support/backtest-leads.ts, two of which belong to an account graded A.
 */

let t: TestApp;

function withAccountFacts(): Doc {
  const doc = structuredClone(DEFAULT_B2B);
  doc.facts.push(
    { name: 'accountFitGrade', type: 'string', source: 'account', field: 'fitGrade' },
    { name: 'accountEmployees', type: 'number', source: 'accountAttribute', attribute: 'employees' },
  );
  doc.rules.push(
    {
      name: 'fit-account-grade-a',
      conditions: { all: [{ fact: 'accountFitGrade', operator: 'equal', value: 'A' }] },
      event: { type: 'score', params: { dimension: 'fit', points: 15, label: 'A-fit account' } },
    },
    {
      name: 'fit-account-large',
      conditions: { all: [{ fact: 'accountEmployees', operator: 'greaterThanInclusive', value: 1000 }] },
      event: { type: 'score', params: { dimension: 'fit', points: 5, label: 'Large account' } },
    },
  );
  return doc;
}

beforeAll(async () => {
  t = await createTestApp();
  await seedBacktestLeads(t);
  await t.sql(
    `INSERT INTO attribute_definition (scope, name, type, label) VALUES ('account', 'employees', 'number', 'Employees') ON CONFLICT DO NOTHING`,
  );
  const [{ id }] = await t.sql<{ id: string }>(
    `INSERT INTO account (external_id, name, attributes) VALUES ('bt-account', 'Backtested', '{"employees": 2000}') RETURNING id::text AS id`,
  );
  await t.sql(`UPDATE lead SET account_id = $1, account_source = 'manual' WHERE external_id IN ('early-demo', 'won-quiet')`, [id]);
  await t.sql(
    `INSERT INTO model_score (model, subject_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total, fit_grade,
                              engagement_level, cell, band, qualified, action, action_label, scored_at)
     VALUES ('account', $1, 0, 'account-default', 1, 70, 50, 120, 'A', 2, 'A2', 'hot', true, 'account_play', 'Run the play', now())
     ON CONFLICT (model, subject_id) DO UPDATE SET fit_grade = 'A'`,
    [id],
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('backtests of rule sets with facts about accounts', () => {
  it("reads each lead's account's current grade and attributes", async () => {
    const run = ok(
      await t.gql<{ runBacktest: Run }>(RUN_BACKTEST, { input: { cohort: COHORT, definition: withAccountFacts() } }),
    ).runBacktest;
    expect(run.status).toBe('completed');
    const rules = run.results!.metrics.rules;
    expect(rules.find((r) => r.rule === 'fit-account-grade-a')).toMatchObject({ fired: 2, conversionWhenFired: 1 });
    expect(rules.find((r) => r.rule === 'fit-account-large')).toMatchObject({ fired: 2 });
  });
});
