import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CELLS } from '../engine/ruleset-definition';
import { computeMetrics, downsample, type MetricsInput, type RuleInfo } from './metrics';
import { cellMoves, compareMetrics } from './metrics-comparison';

const cell = (name: string) => CELLS.indexOf(name);

/*
 * Ten leads with known scores and outcomes. Threshold 50; bands hot (0), warm (1), cold (2).
 *
 *   lead  score  converted  deal   cell  band  rules fired (R0 demo, R1 student, R2 big, R3 pricing, R4 vp)
 *   0     90     yes        1000   A1    hot   R0 R2 R4
 *   1     80     yes         500   A2    hot   R0 R2 R4
 *   2     80     no            0   A2    hot   R1 R2
 *   3     70     no            0   B1    warm  R1 R2 R4
 *   4     60     yes        2000   B2    warm  R0 R2
 *   5     50     no            0   B2    warm  R0 R2
 *   6     40     no            0   C3    cold  R2
 *   7     30     yes         300   C3    cold  R2 R3
 *   8     20     no            0   D4    cold  R1 R2
 *   9     10     no            0   D4    cold  R2
 */
const RULES: RuleInfo[] = [
  { rule: 'demo', label: 'Requested a demo', dimension: 'engagement', points: 30 },
  { rule: 'student', label: 'Student', dimension: 'fit', points: -10 },
  { rule: 'big', label: 'Big company', dimension: 'fit', points: 20 },
  { rule: 'pricing', label: 'Pricing page', dimension: 'engagement', points: 10 },
  { rule: 'vp', label: 'VP or above', dimension: 'fit', points: 15 },
];
const FIRED_BY_LEAD = [[0, 2, 4], [0, 2, 4], [1, 2], [1, 2, 4], [0, 2], [0, 2], [2], [2, 3], [1, 2], [2]];

function fixture(): MetricsInput {
  const fired = new Uint8Array(10 * RULES.length);
  FIRED_BY_LEAD.forEach((rules, i) => {
    rules.forEach((r) => {
      fired[i * RULES.length + r] = 1;
    });
  });
  return {
    scores: [90, 80, 80, 70, 60, 50, 40, 30, 20, 10],
    converted: [1, 1, 0, 0, 1, 0, 0, 1, 0, 0],
    dealValue: [1000, 500, 0, 0, 2000, 0, 0, 300, 0, 0],
    cells: ['A1', 'A2', 'A2', 'B1', 'B2', 'B2', 'C3', 'C3', 'D4', 'D4'].map(cell),
    bands: [0, 0, 0, 1, 1, 1, 2, 2, 2, 2],
    bandNames: ['hot', 'warm', 'cold'],
    qualified: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
    threshold: 50,
    rules: RULES,
    fired,
  };
}

describe('computeMetrics on ten hand-computed leads', () => {
  const metrics = computeMetrics(fixture());

  it('counts conversions and revenue', () => {
    expect(metrics).toMatchObject({ leads: 10, converted: 4, conversionRate: 0.4, revenue: 3800 });
  });

  it('computes ROC AUC from average ranks', () => {
    // Ascending ranks: 10->1, 20->2, 30->3, 40->4, 50->5, 60->6, 70->7, 80,80->8.5 each, 90->10.
    // Converted leads' ranks: 10 (90) + 8.5 (80) + 6 (60) + 3 (30) = 27.5; P = 4, N = 6.
    // AUC = (27.5 - 4*5/2) / (4*6) = 17.5 / 24. Pairwise check: 90 beats 6 negatives, 80 beats 5 and
    // ties 1 (5.5), 60 beats 4, 30 beats 2: 17.5 of 24 pairs.
    expect(metrics.auc).toBeCloseTo(17.5 / 24, 12);
    expect(metrics.auc).toBeCloseTo(0.7291666666666666, 12);
  });

  it('lists the ROC curve from the highest threshold down', () => {
    // Thresholds 90..10: (TP, FP) = (1,0) (2,1) (2,2) (3,2) (3,3) (3,4) (4,4) (4,5) (4,6); P = 4, N = 6.
    expect(metrics.rocCurve).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 0, tpr: 0.25, threshold: 90 },
      { fpr: 1 / 6, tpr: 0.5, threshold: 80 },
      { fpr: 2 / 6, tpr: 0.5, threshold: 70 },
      { fpr: 2 / 6, tpr: 0.75, threshold: 60 },
      { fpr: 3 / 6, tpr: 0.75, threshold: 50 },
      { fpr: 4 / 6, tpr: 0.75, threshold: 40 },
      { fpr: 4 / 6, tpr: 1, threshold: 30 },
      { fpr: 5 / 6, tpr: 1, threshold: 20 },
      { fpr: 1, tpr: 1, threshold: 10 },
    ]);
  });

  it('takes precision, recall and F1 at the qualification threshold', () => {
    // Qualified (>= 50): leads 0-5, 6 of 10; converted among them: 0, 1, 4 = 3.
    // precision 3/6 = 0.5, recall 3/4 = 0.75, F1 = 2 * 0.5 * 0.75 / 1.25 = 0.6, share to sales 6/10.
    expect(metrics.qualified).toBe(6);
    expect(metrics.precision).toBe(0.5);
    expect(metrics.recall).toBe(0.75);
    expect(metrics.f1).toBeCloseTo(0.6, 12);
    expect(metrics.shareToSales).toBe(0.6);
  });

  it('breaks conversion and revenue down by band and cell', () => {
    expect(metrics.bands).toEqual([
      { band: 'hot', leads: 3, converted: 2, conversionRate: 2 / 3, revenue: 1500 },
      { band: 'warm', leads: 3, converted: 1, conversionRate: 1 / 3, revenue: 2000 },
      { band: 'cold', leads: 4, converted: 1, conversionRate: 0.25, revenue: 300 },
    ]);
    expect(metrics.cells).toHaveLength(16);
    const byCell = Object.fromEntries(metrics.cells.map((c) => [c.cell, c]));
    expect(byCell.A1).toEqual({ cell: 'A1', leads: 1, converted: 1, conversionRate: 1, revenue: 1000 });
    expect(byCell.A2).toEqual({ cell: 'A2', leads: 2, converted: 1, conversionRate: 0.5, revenue: 500 });
    expect(byCell.B1).toEqual({ cell: 'B1', leads: 1, converted: 0, conversionRate: 0, revenue: 0 });
    expect(byCell.B2).toEqual({ cell: 'B2', leads: 2, converted: 1, conversionRate: 0.5, revenue: 2000 });
    expect(byCell.C3).toEqual({ cell: 'C3', leads: 2, converted: 1, conversionRate: 0.5, revenue: 300 });
    expect(byCell.D4).toEqual({ cell: 'D4', leads: 2, converted: 0, conversionRate: 0, revenue: 0 });
    expect(byCell.A3).toEqual({ cell: 'A3', leads: 0, converted: 0, conversionRate: null, revenue: 0 });
  });

  it('computes lift and cumulative gain by decile (ties in cohort order)', () => {
    // One lead per decile, by score with lead 1 before lead 2 (both 80). Overall rate 0.4, so a
    // converted lead's decile has lift 1 / 0.4 = 2.5. Conversions at deciles 1, 2, 5, 8.
    const expected = [
      [1, 1, 2.5, 0.25, 90],
      [2, 1, 2.5, 0.5, 80],
      [3, 0, 0, 0.5, 80],
      [4, 0, 0, 0.5, 70],
      [5, 1, 2.5, 0.75, 60],
      [6, 0, 0, 0.75, 50],
      [7, 0, 0, 0.75, 40],
      [8, 1, 2.5, 1, 30],
      [9, 0, 0, 1, 20],
      [10, 0, 0, 1, 10],
    ];
    expect(metrics.deciles.map((d) => [d.decile, d.converted, d.lift, d.cumulativeGain, d.maxScore])).toEqual(expected);
    expect(metrics.deciles.every((d) => d.leads === 1)).toBe(true);
  });

  it('measures each rule and fits suggested points', () => {
    const byRule = Object.fromEntries(metrics.rules.map((r) => [r.rule, r]));
    // demo: fired for 0,1,4,5 (a = 3 converted, b = 1 not); not fired for 2,3,6,7,8,9 (c = 1, d = 5).
    // conversion when fired 3/4, when not 1/6, lift 0.75 / 0.4 = 1.875;
    // w = ln(4/2) - ln(2/6) = ln 6 = 1.791759.
    expect(byRule.demo).toMatchObject({ fired: 4, fireRate: 0.4, conversionWhenFired: 0.75, conversionWhenNotFired: 1 / 6 });
    expect(byRule.demo.lift).toBeCloseTo(1.875, 12);
    expect(byRule.demo.logOddsRatio).toBeCloseTo(Math.log(6), 12);
    // student: fired for 2,3,8 (a = 0, b = 3); not fired 7 leads (c = 4, d = 3). w = ln(1/4) - ln(5/4) = ln(1/5).
    expect(byRule.student).toMatchObject({ fired: 3, fireRate: 0.3, conversionWhenFired: 0, conversionWhenNotFired: 4 / 7, lift: 0 });
    expect(byRule.student.logOddsRatio).toBeCloseTo(Math.log(1 / 5), 12);
    // big: fired for everyone: no evidence either way.
    expect(byRule.big).toMatchObject({
      fired: 10,
      fireRate: 1,
      conversionWhenFired: 0.4,
      conversionWhenNotFired: null,
      lift: 1,
      logOddsRatio: null,
      suggestedPoints: null,
    });
    // pricing: fired for lead 7 only (a = 1, b = 0, c = 3, d = 6). w = ln(2/1) - ln(4/7) = ln 3.5.
    expect(byRule.pricing.logOddsRatio).toBeCloseTo(Math.log(3.5), 12);
    // vp: fired for 0,1,3 (a = 2, b = 1, c = 2, d = 5). w = ln(3/2) - ln(3/6) = ln 3.
    expect(byRule.vp.logOddsRatio).toBeCloseTo(Math.log(3), 12);

    // Fit: k = (|-10| + |15|) / (ln 5 + ln 3) = 25 / 2.708050 = 9.231734 points per log odds
    //   student: 9.231734 * -1.609438 = -14.86 -> -15;  vp: 9.231734 * 1.098612 = 10.14 -> 10.
    // Engagement: k = (30 + 10) / (ln 6 + ln 3.5) = 40 / 3.044522 = 13.138350
    //   demo: 13.138350 * 1.791759 = 23.54 -> 24;  pricing: 13.138350 * 1.252763 = 16.46 -> 16.
    expect(metrics.pointsPerLogOdds.fit).toBeCloseTo(9.231734, 5);
    expect(metrics.pointsPerLogOdds.engagement).toBeCloseTo(13.13835, 5);
    expect(metrics.rules.map((r) => [r.rule, r.suggestedPoints])).toEqual([
      ['demo', 24],
      ['student', -15],
      ['big', null],
      ['pricing', 16],
      ['vp', 10],
    ]);
  });
});

describe('computeMetrics edge cases', () => {
  it('has no AUC, precision or curve when nobody (or everybody) converted, and no rates without leads', () => {
    const none = computeMetrics({ ...fixture(), converted: new Array(10).fill(0), dealValue: new Array(10).fill(0) });
    expect(none).toMatchObject({ auc: null, rocCurve: [], recall: null, f1: null, precision: 0, conversionRate: 0 });
    expect(none.deciles[0]).toMatchObject({ lift: null, cumulativeGain: null });
    const empty = computeMetrics({
      ...fixture(),
      scores: [],
      converted: [],
      dealValue: [],
      cells: [],
      bands: [],
      qualified: [],
      fired: [],
    });
    expect(empty).toMatchObject({ leads: 0, auc: null, conversionRate: null, precision: null, shareToSales: null });
    expect(empty.deciles.every((d) => d.leads === 0 && d.conversionRate === null)).toBe(true);
  });

  it('gives AUC 0.5 when every lead has the same score', () => {
    const same = computeMetrics({ ...fixture(), scores: new Array(10).fill(42) });
    // All tied: every converted lead has rank 5.5; (4 * 5.5 - 10) / 24 = 12 / 24.
    expect(same.auc).toBe(0.5);
    expect(same.rocCurve).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 1, tpr: 1, threshold: 42 },
    ]);
  });

  it('splits deciles by position when n is not a multiple of 10', () => {
    // 25 leads: decile d holds positions floor((d-1)*2.5) .. floor(d*2.5)-1: sizes 2,3,2,3,2,3,2,3,2,3.
    const n = 25;
    const metrics = computeMetrics({
      scores: Array.from({ length: n }, (_, i) => n - i),
      converted: Array.from({ length: n }, (_, i) => (i < 5 ? 1 : 0)),
      dealValue: new Array(n).fill(0),
      cells: new Array(n).fill(0),
      bands: new Array(n).fill(0),
      bandNames: ['all'],
      qualified: new Array(n).fill(0),
      threshold: 100,
      rules: [],
      fired: [],
    });
    expect(metrics.deciles.map((d) => d.leads)).toEqual([2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    // The 5 conversions are the top 5 positions: deciles 1 (2), 2 (3). Overall rate 5/25 = 0.2.
    expect(metrics.deciles.map((d) => d.converted)).toEqual([2, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(metrics.deciles[0].lift).toBe(5); // 2/2 / 0.2
    expect(metrics.deciles[1].cumulativeGain).toBe(1);
    expect(metrics.auc).toBe(1);
  });
});

function metricsInputOf(leads: Array<[number, boolean]>): MetricsInput {
  return {
    scores: leads.map(([s]) => s),
    converted: leads.map(([, c]) => (c ? 1 : 0)),
    dealValue: leads.map(() => 0),
    cells: leads.map(() => 0),
    bands: leads.map(() => 0),
    bandNames: ['all'],
    qualified: leads.map(() => 0),
    threshold: 0,
    rules: [],
    fired: [],
  };
}

describe('AUC against brute force (property)', () => {
  it('equals the share of (converted, not converted) pairs ordered right, ties half, and the area under the full ROC curve', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.boolean()), { minLength: 2, maxLength: 60 }), (leads) => {
        const pos = leads.filter(([, c]) => c).map(([s]) => s);
        const neg = leads.filter(([, c]) => !c).map(([s]) => s);
        const metrics = computeMetrics(metricsInputOf(leads));
        if (!pos.length || !neg.length) return metrics.auc === null;
        let wins = 0;
        for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
        const expected = wins / (pos.length * neg.length);
        // Trapezoids under the (not downsampled: <= 14 distinct scores) curve.
        let area = 0;
        for (let k = 1; k < metrics.rocCurve.length; k++) {
          const [a, b] = [metrics.rocCurve[k - 1], metrics.rocCurve[k]];
          area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
        }
        // Fractional scores take the general (hashing) path: same ranks, same AUC and curve shape.
        const fractional = computeMetrics({ ...metricsInputOf(leads), scores: leads.map(([s]) => s / 3 + 0.1) });
        return (
          Math.abs(metrics.auc! - expected) < 1e-12 &&
          Math.abs(area - expected) < 1e-12 &&
          Math.abs(fractional.auc! - expected) < 1e-12 &&
          fractional.rocCurve.map((p) => [p.fpr, p.tpr]).join() === metrics.rocCurve.map((p) => [p.fpr, p.tpr]).join()
        );
      }),
      { seed: 20251124, numRuns: 300 },
    );
  });
});

describe('downsample', () => {
  it('keeps at most 101 points, the first and the last among them', () => {
    const points = Array.from({ length: 250 }, (_, i) => i);
    const kept = downsample(points, 101);
    expect(kept).toHaveLength(101);
    expect(kept[0]).toBe(0);
    expect(kept[100]).toBe(249);
    expect(kept[50]).toBe(125); // round(50 * 249 / 100) = round(124.5) = 125
    expect(downsample([1, 2, 3], 101)).toEqual([1, 2, 3]);
  });

  it('is applied to a long ROC curve', () => {
    const n = 400;
    const metrics = computeMetrics({
      scores: Array.from({ length: n }, (_, i) => i),
      converted: Array.from({ length: n }, (_, i) => i % 2),
      dealValue: new Array(n).fill(0),
      cells: new Array(n).fill(0),
      bands: new Array(n).fill(0),
      bandNames: ['all'],
      qualified: new Array(n).fill(0),
      threshold: 1000,
      rules: [],
      fired: [],
    });
    expect(metrics.rocCurve).toHaveLength(101);
    expect(metrics.rocCurve[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(metrics.rocCurve[100]).toEqual({ fpr: 1, tpr: 1, threshold: 0 });
  });
});

describe('comparing two versions', () => {
  it('lists cell moves as a sparse matrix with up to 5 examples each', () => {
    const from = ['A1', 'A1', 'A2', 'A1', 'A1', 'A1', 'A1', 'A1', 'A1'].map(cell);
    const to = ['A1', 'B1', 'A2', 'B1', 'B1', 'B1', 'B1', 'B1', 'B1'].map(cell);
    const converted = [1, 1, 0, 0, 0, 1, 0, 0, 0];
    const ids = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9'];
    expect(cellMoves(from, to, converted, ids)).toEqual([
      { from: 'A1', to: 'A1', leads: 1, converted: 1, examples: ['l1'] },
      { from: 'A1', to: 'B1', leads: 7, converted: 2, examples: ['l2', 'l4', 'l5', 'l6', 'l7'] },
      { from: 'A2', to: 'A2', leads: 1, converted: 0, examples: ['l3'] },
    ]);
  });

  it('gives every metric as candidate minus baseline', () => {
    const base = fixture();
    const baseline = computeMetrics(base);
    // The candidate drops lead 7 from 30 to 5 points and lifts lead 2 (not converted) to 95.
    const candidateInput = { ...base, scores: [90, 80, 95, 70, 60, 50, 40, 5, 20, 10], qualified: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0] };
    const candidate = computeMetrics(candidateInput);
    // Negatives now score 95, 70, 50, 40, 20, 10. Converted 90 beats 5 of them (all but 95), 80 beats
    // 5, 60 beats 4 (50, 40, 20, 10), 5 beats none: 14 of 24 pairs.
    expect(candidate.auc).toBeCloseTo(14 / 24, 12);
    const moves = cellMoves(base.cells, base.cells, base.converted, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    const comparison = compareMetrics(candidate, baseline, moves);
    expect(comparison.deltas.auc).toBeCloseTo(14 / 24 - 17.5 / 24, 12);
    expect(comparison.deltas).toMatchObject({ precision: 0, recall: 0, f1: 0, shareToSales: 0, qualified: 0 });
    expect(comparison.deltas.deciles[0]).toEqual({ decile: 1, conversionRate: -1, lift: -2.5, cumulativeGain: -0.25 });
    expect(comparison.deltas.bands.find((b) => b.band === 'hot')).toEqual({
      band: 'hot',
      leads: 0,
      converted: 0,
      conversionRate: 0,
      revenue: 0,
    });
    expect(comparison.deltas.rules.find((r) => r.rule === 'demo')).toEqual({
      rule: 'demo',
      baselinePoints: 30,
      candidatePoints: 30,
      fireRate: 0,
      conversionWhenFired: 0,
      lift: 0,
    });
    expect(comparison.leadsChangingCell).toBe(0);
    expect(comparison.baseline).toBe(baseline);
  });

  it('names rules only one version has', () => {
    const base = fixture();
    const baseline = computeMetrics(base);
    const candidate = computeMetrics({ ...base, rules: base.rules.map((r, i) => (i === 3 ? { ...r, rule: 'pricing2', points: 12 } : r)) });
    const rules = compareMetrics(candidate, baseline, []).deltas.rules;
    expect(rules.find((r) => r.rule === 'pricing')).toMatchObject({ baselinePoints: 10, candidatePoints: null, fireRate: null });
    expect(rules.find((r) => r.rule === 'pricing2')).toMatchObject({ baselinePoints: null, candidatePoints: 12, fireRate: null });
  });
});
