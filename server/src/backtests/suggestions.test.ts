import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../common/paths';
import type { FactType, RuleSetDefinition } from '../engine/ruleset-definition';
import { enumerateCandidates, quantileRanges, withCandidates } from './candidates';
import { SnapshotBuilder, type CohortSnapshot } from './cohort-snapshot';
import { scoreCohort, scoreFromFired } from './cohort-scoring';
import { retuneThresholds, withPoints } from './definition-tuning';
import { computeSuggestions } from './suggestions';

const DEFAULT = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleSetDefinition;
const TYPES = new Map<string, FactType>([
  ['industry', 'string'],
  ['companySize', 'number'],
  ['seniority', 'string'],
  ['region', 'string'],
]);

/**
 * 4,000 leads decided by a known model. `region` is read by no rule of the default rule set and
 * converts far better in "north": the candidate rules must find it.
 */
function cohort(): CohortSnapshot {
  const builder = new SnapshotBuilder(4000, 1);
  let seed = 11;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let i = 0; i < 4000; i++) {
    const size = [20, 100, 800, 8000][i % 4];
    const region = ['north', 'south', 'east'][i % 3];
    const seniority = i % 5 === 0 ? 'vp' : 'manager';
    const logit = -1.5 + (size === 800 ? 1 : 0) + (region === 'north' ? 1.5 : 0) + (seniority === 'vp' ? 0.8 : 0);
    const converted = next() < 1 / (1 + Math.exp(-logit));
    builder.add({
      lead_id: String(i + 1),
      external_id: `l${i}`,
      email: null,
      segment: null,
      source: null,
      attributes: { industry: 'retail', companySize: size, seniority, region },
      created_ms: 1_700_000_000_000 + i * 60_000,
      cutoff_ms: 1_700_000_000_000 + i * 60_000,
      converted,
      decided: true,
      deal_value: null,
      activity_types: '',
      activity_age_ms: '',
      activity_properties: '',
    });
  }
  return builder.build({ cohortId: 't', checksum: 't', properties: [{}] });
}

describe('candidate rules', () => {
  it('cuts numbers at their quantiles, giving a heavy value a range of its own', () => {
    const values = [...Array(60).fill(0), ...Array.from({ length: 40 }, (_, k) => k + 1)];
    const ranges = quantileRanges(values, 4, 10);
    expect(ranges[0]).toEqual([null, 1, 60]);
    expect(ranges.reduce((sum, [, , count]) => sum + count, 0)).toBe(100);
    expect(quantileRanges([1, 2, 3], 4, 10)).toEqual([]);
  });

  it('finds what no rule reads, declares the facts it needs, and the rule set stays scoreable', async () => {
    const snapshot = cohort();
    const rows = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
    const candidates = enumerateCandidates(DEFAULT, snapshot, rows, TYPES);
    const north = candidates.find((c) => c.rule.name === 'cand-region-north')!;
    expect(north.rule.conditions).toEqual({ all: [{ fact: 'region', operator: 'equal', value: 'north' }] });
    expect(north.facts).toEqual([{ name: 'region', label: 'region', type: 'string', source: 'attribute' }]);
    expect(north.rule.event.params.dimension).toBe('fit');
    // companySize is a declared fact already: its ranges reuse it.
    expect(candidates.filter((c) => c.rule.name.startsWith('cand-companysize')).every((c) => c.facts.length === 0)).toBe(true);
    const scored = await scoreCohort(withCandidates(DEFAULT, candidates), snapshot);
    const column = DEFAULT.rules.length + candidates.indexOf(north);
    let fired = 0;
    for (let i = 0; i < snapshot.size; i++) fired += scored.fired[i * scored.rules.length + column];
    expect(fired).toBe(Math.ceil(4000 / 3));
  });

  it('suggests the strong candidate with points on the rules’ scale, and the holdout part prefers the fitted rule set', async () => {
    const snapshot = cohort();
    const leads = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
    const current = await scoreCohort(DEFAULT, snapshot);
    const s = await computeSuggestions(DEFAULT, snapshot, leads, current, TYPES);
    expect(s.fitted).toBe(true);
    expect(s.split.trainingLeads + s.split.holdoutLeads).toBe(4000);
    const north = s.candidates.find((c) => c.rule === 'cand-region-north')!;
    expect(north.suggestedPoints).toBeGreaterThan(0);
    expect(north.definition.rule.name).toBe('cand-region-north');
    expect(s.holdout.withCandidates!.auc!).toBeGreaterThan(s.holdout.suggested!.auc! + 0.05);
    expect(s.holdout.suggested!.auc!).toBeGreaterThanOrEqual(s.holdout.current.auc! - 0.01);
  });

  it('screens candidates on a sample of the training part but reports them over all of it', async () => {
    const snapshot = cohort();
    const leads = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
    const current = await scoreCohort(DEFAULT, snapshot);
    const full = await computeSuggestions(DEFAULT, snapshot, leads, current, TYPES);
    const sampled = await computeSuggestions(DEFAULT, snapshot, leads, current, TYPES, {
      candidates: { max: 40, minZ: 3, screenLeads: 1000 },
    });
    const north = sampled.candidates.find((c) => c.rule === 'cand-region-north')!;
    expect(north).toEqual(full.candidates.find((c) => c.rule === 'cand-region-north'));
    // Its figures are those of every training lead in "north", not of the 1,000 screened.
    expect(north.fired).toBeGreaterThan(1000 / 3 + 200);
    expect(sampled.rules).toEqual(full.rules);
  });

  it('above fitLeads training leads, fits on a sample and still finds the candidate; the holdout stays whole', async () => {
    const snapshot = cohort();
    const leads = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
    const current = await scoreCohort(DEFAULT, snapshot);
    const full = await computeSuggestions(DEFAULT, snapshot, leads, current, TYPES);
    const sampled = await computeSuggestions(DEFAULT, snapshot, leads, current, TYPES, { fitLeads: 1500 });
    expect(sampled.split).toEqual(full.split);
    expect(sampled.holdout.leads).toBe(full.holdout.leads);
    expect(sampled.holdout.current).toEqual(full.holdout.current);
    expect(sampled.fitted).toBe(true);
    // Fitted on fewer leads: wider margins, the same points within them.
    const fitted = sampled.rules.filter((r) => r.coefficient !== null && r.suggestedPoints !== 0);
    expect(fitted.length).toBeGreaterThan(0);
    for (const rule of fitted) {
      const whole = full.rules.find((r) => r.rule === rule.rule)!;
      expect(rule.standardError!).toBeGreaterThan(whole.standardError!);
      expect(Math.abs(rule.coefficient! - whole.coefficient!)).toBeLessThan(2.5 * rule.standardError!);
      expect(Math.abs(rule.fired - whole.fired)).toBeLessThan(0.1 * whole.fired + 30);
    }
    const north = sampled.candidates.find((c) => c.rule === 'cand-region-north')!;
    expect(north.suggestedPoints).toBeGreaterThan(0);
    expect(sampled.holdout.withCandidates!.auc!).toBeGreaterThan(sampled.holdout.suggested!.auc! + 0.05);
    // Reproducible: the same sample every run.
    expect(await computeSuggestions(DEFAULT, snapshot, leads, current, TYPES, { fitLeads: 1500 })).toEqual(sampled);
  });
});

describe('retuneThresholds', () => {
  it('keeps each grade, band and the MQL share of the leads when points change', async () => {
    const snapshot = cohort();
    const rows = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
    const current = await scoreCohort(DEFAULT, snapshot);
    // Every point doubled: thresholds should double too (up to whole points and ties).
    const doubled = withPoints(DEFAULT, new Map(DEFAULT.rules.map((r) => [r.name, 2 * r.event.params.points])), []);
    const wide = { ...doubled, caps: { fit: { min: -200, max: 400 }, engagement: { min: -200, max: 400 } } };
    const next = scoreFromFired(
      wide,
      snapshot,
      current.fired,
      DEFAULT.rules.length,
      DEFAULT.rules.map((_, r) => r),
    );
    const tuned = retuneThresholds(
      { definition: DEFAULT, scores: current },
      { definition: wide, scores: next },
      rows,
      { keepMqlShare: true },
      10,
    );
    expect(tuned.mqlShareAfter).toBeCloseTo(tuned.mqlShareBefore, 10);
    const share = (values: Float64Array, t: number) => values.filter((v) => v >= t).length / values.length;
    expect(share(next.fit, tuned.definition.grades.B)).toBeCloseTo(share(current.fit, DEFAULT.grades.B), 10);
    expect(tuned.definition.grades.A).toBeGreaterThan(tuned.definition.grades.B);
    expect(tuned.definition.grades.B).toBeGreaterThan(tuned.definition.grades.C);
    // 400 leads a week over 10 weeks: 40 MQLs a week is a tenth of them.
    const perWeek = retuneThresholds(
      { definition: DEFAULT, scores: current },
      { definition: wide, scores: next },
      rows,
      { mqlsPerWeek: 40 },
      10,
    );
    expect(perWeek.mqlsPerWeekBefore).toBeCloseTo(tuned.mqlShareBefore * 400, 10);
    expect(Math.abs(perWeek.mqlsPerWeekAfter! - 40)).toBeLessThan(40);
  });
});
