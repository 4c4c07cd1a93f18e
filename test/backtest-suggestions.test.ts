import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { COHORT, seedBacktestLeads } from './support/backtest-leads';
import { FITTED_COHORT, insertFittedCohort } from './support/fitted-cohort';
import { ok } from './support/rule-sets';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Backtest suggestions through GraphQL: points fitted on a training part and judged on a holdout
 * part (test/support/fitted-cohort.ts), then applied as a new draft.
 */

let t: TestApp;
let activeVersionId: string;
let definition: RuleSetDefinition;

beforeAll(async () => {
  t = await createTestApp();
  ({ activeVersionId, definition } = await seedBacktestLeads(t));
});

afterAll(async () => {
  await t?.close();
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
