import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitCalibration, probabilityOf } from './calibration';

describe('fitCalibration (isotonic, pool-adjacent-violators)', () => {
  it('pools violators as worked by hand', () => {
    // Scores 1..6, converted 0 1 0 0 1 1. 1->0/1; 2->1/1 then 3->0/1 violates: pooled 1/2; 4->0/1
    // violates: pooled 1/3 (scores 2-4); 5->1/1 and 6->1/1 are equal: pooled 2/2.
    const fit = fitCalibration([1, 2, 3, 4, 5, 6], [0, 1, 0, 0, 1, 1]);
    expect(fit).toEqual({
      method: 'isotonic',
      steps: [
        { score: 1, p: 0, leads: 1 },
        { score: 2, p: 1 / 3, leads: 3 },
        { score: 5, p: 1, leads: 2 },
      ],
      leads: 6,
      conversions: 3,
    });
    expect([0, 1, 2, 3.5, 4, 4.99, 5, 100].map((score) => probabilityOf(fit, score))).toEqual([0, 0, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1, 1]);
  });

  it('weights tied scores by their count, whatever the input order', () => {
    // 10: 1 of 2, 20: 0 of 2 -> pooled 1/4 from 10; 30: 1 of 1.
    const fit = fitCalibration([30, 20, 10, 20, 10], [1, 0, 0, 0, 1]);
    expect(fit.steps).toEqual([
      { score: 10, p: 0.25, leads: 4 },
      { score: 30, p: 1, leads: 1 },
    ]);
  });

  it('merges steps with too few leads into the next one (the last into the previous one)', () => {
    // Plain PAV: {1: 0/1}, {2: 1/3}, {5: 2/2}. With 2 leads at least: {1: 1/4}, {5: 2/2}.
    expect(fitCalibration([1, 2, 3, 4, 5, 6], [0, 1, 0, 0, 1, 1], { minStepLeads: 2 }).steps).toEqual([
      { score: 1, p: 0.25, leads: 4 },
      { score: 5, p: 1, leads: 2 },
    ]);
    // The last step is short: pooled with the one before. 0/3 at 1..3, 1/1 at 9 -> 1/4 from 1.
    expect(fitCalibration([1, 2, 3, 9], [0, 0, 0, 1], { minStepLeads: 2 }).steps).toEqual([{ score: 1, p: 0.25, leads: 4 }]);
  });

  it('has no steps (and no probability) without leads', () => {
    const fit = fitCalibration([], []);
    expect(fit.steps).toEqual([]);
    expect(probabilityOf(fit, 10)).toBeNull();
  });

  const cohort = fc
    .array(fc.tuple(fc.integer({ min: -50, max: 150 }), fc.boolean()), { minLength: 1, maxLength: 300 })
    .map((rows) => ({ scores: rows.map(([score]) => score), converted: rows.map(([, hit]) => hit) }));

  it('is non-decreasing in the score and within [0, 1]', () => {
    fc.assert(
      fc.property(cohort, fc.integer({ min: 1, max: 40 }), ({ scores, converted }, minStepLeads) => {
        const fit = fitCalibration(scores, converted, { minStepLeads });
        for (let s = 1; s < fit.steps.length; s++) {
          expect(fit.steps[s].score).toBeGreaterThan(fit.steps[s - 1].score);
          expect(fit.steps[s].p).toBeGreaterThanOrEqual(fit.steps[s - 1].p);
        }
        let previous = -Infinity;
        for (let score = -60; score <= 160; score += 7) {
          const p = probabilityOf(fit, score)!;
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(p).toBeGreaterThanOrEqual(previous);
          previous = p;
        }
      }),
    );
  });

  it('keeps every lead and the conversion count: steps hold all leads, and their expected conversions add up', () => {
    fc.assert(
      fc.property(cohort, fc.integer({ min: 1, max: 40 }), ({ scores, converted }, minStepLeads) => {
        const fit = fitCalibration(scores, converted, { minStepLeads });
        const conversions = converted.filter(Boolean).length;
        expect(fit.conversions).toBe(conversions);
        expect(fit.steps.reduce((sum, step) => sum + step.leads, 0)).toBe(scores.length);
        expect(fit.steps.reduce((sum, step) => sum + step.p * step.leads, 0)).toBeCloseTo(conversions, 9);
        if (scores.length >= minStepLeads) for (const step of fit.steps) expect(step.leads).toBeGreaterThanOrEqual(minStepLeads);
      }),
    );
  });

  it('equals the empirical conversion rate when every lead has the same score', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20, max: 100 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), (score, converted) => {
        const fit = fitCalibration(Array(converted.length).fill(score), converted);
        expect(fit.steps).toHaveLength(1);
        expect(probabilityOf(fit, score)).toBe(converted.filter(Boolean).length / converted.length);
      }),
    );
  });

  it('reproduces the outcomes when they already increase with the score', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 100 }), fc.nat(), (raw, cut) => {
        const scores = [...raw].sort((a, b) => a - b);
        const split = cut % (scores.length + 1);
        const converted = scores.map((_, i) => i >= split);
        const fit = fitCalibration(scores, converted);
        scores.forEach((score, i) => {
          expect(probabilityOf(fit, score)).toBe(converted[i] ? 1 : 0);
        });
      }),
    );
  });
});
