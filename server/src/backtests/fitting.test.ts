import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitSample, hashOf, splitLeads, suggestPoints } from './fitting';
import { collapse, fitLogistic, projectPatterns } from './logistic-fit';
import { thresholdForShare } from './definition-tuning';
import { mulberry32 } from '../common/random';

const random = mulberry32;

/** Leads from a 2 x 2 table: a/b converted/not with the column on, c/d without. */
function table(a: number, b: number, c: number, d: number) {
  const fired: number[] = [];
  const converted: number[] = [];
  const add = (on: number, conv: number, count: number) => {
    for (let k = 0; k < count; k++) {
      fired.push(on);
      converted.push(conv);
    }
  };
  add(1, 1, a);
  add(1, 0, b);
  add(0, 1, c);
  add(0, 0, d);
  return {
    fired: Uint8Array.from(fired),
    converted: Uint8Array.from(converted),
    width: 1,
    rows: Uint32Array.from(fired.keys()),
    columns: [0],
  };
}

const logit = (p: number) => Math.log(p / (1 - p));

describe('fitLogistic', () => {
  it('solves one binary column in closed form: the log odds ratio, and Woolf’s standard error', () => {
    // Without a penalty the maximum likelihood is the saturated model: the two groups' log odds.
    const fit = fitLogistic(table(30, 10, 20, 40), { ridge: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(logit(20 / 60), 10);
    expect(fit.coefficients[0]).toBeCloseTo(logit(30 / 40) - logit(20 / 60), 10);
    expect(fit.standardErrors[0]).toBeCloseTo(Math.sqrt(1 / 30 + 1 / 10 + 1 / 20 + 1 / 40), 6);
    expect(fit.patterns).toBe(2);
  });

  it('with a ridge, stops where the penalised gradient is 0 (checked lead by lead, not by pattern)', () => {
    const next = random(7);
    const n = 400;
    const width = 3;
    const fired = new Uint8Array(n * width);
    const converted = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < width; c++) fired[i * width + c] = next() < 0.3 + 0.1 * c ? 1 : 0;
      converted[i] = next() < 0.3 + 0.3 * fired[i * width] ? 1 : 0;
    }
    const ridge = 2;
    const fit = fitLogistic({ fired, width, converted, rows: Uint32Array.from({ length: n }, (_, i) => i), columns: [0, 1, 2] }, { ridge });
    const gradient = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      let eta = fit.intercept;
      for (let c = 0; c < width; c++) eta += fired[i * width + c] * fit.coefficients[c];
      const residual = converted[i] - 1 / (1 + Math.exp(-eta));
      for (let c = 0; c < width; c++) gradient[c] += residual * fired[i * width + c];
      gradient[3] += residual;
    }
    for (let c = 0; c < width; c++) expect(Math.abs(gradient[c] - ridge * fit.coefficients[c])).toBeLessThan(1e-8);
    expect(Math.abs(gradient[3])).toBeLessThan(1e-8);
  });

  it('recovers known coefficients from data drawn from the model they define', () => {
    const truth = [1.2, -0.8, 0.5, 0];
    const intercept = -1;
    const next = random(42);
    const n = 60_000;
    const width = truth.length;
    const fired = new Uint8Array(n * width);
    const converted = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let eta = intercept;
      for (let c = 0; c < width; c++) {
        fired[i * width + c] = next() < 0.4 ? 1 : 0;
        eta += fired[i * width + c] * truth[c];
      }
      converted[i] = next() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    const fit = fitLogistic({ fired, width, converted, rows: Uint32Array.from({ length: n }, (_, i) => i), columns: [0, 1, 2, 3] });
    expect(fit.patterns).toBe(16);
    for (let c = 0; c < width; c++) expect(Math.abs(fit.coefficients[c] - truth[c])).toBeLessThan(4 * fit.standardErrors[c]);
    expect(fit.intercept).toBeCloseTo(intercept, 1);
  });

  it('does not depend on the order of the leads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), { minLength: 5, maxLength: 60 }),
        fc.integer(),
        (leads, seed) => {
          const fired = Uint8Array.from(leads.flatMap(([a, b]) => [a ? 1 : 0, b ? 1 : 0]));
          const converted = Uint8Array.from(leads, ([, , y]) => (y ? 1 : 0));
          const rows = Array.from(leads.keys());
          const shuffled = [...rows];
          const next = random(seed);
          for (let k = shuffled.length - 1; k > 0; k--) {
            const j = Math.floor(next() * (k + 1));
            [shuffled[k], shuffled[j]] = [shuffled[j], shuffled[k]];
          }
          const a = fitLogistic({ fired, width: 2, converted, rows, columns: [0, 1] });
          const b = fitLogistic({ fired, width: 2, converted, rows: shuffled, columns: [0, 1] });
          for (let c = 0; c < 2; c++) expect(b.coefficients[c]).toBeCloseTo(a.coefficients[c], 6);
          expect(Number.isFinite(a.intercept)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('projectPatterns', () => {
  it('gives the patterns, counts and order of collapsing the leads on fewer columns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 80 }),
        fc.subarray([0, 1, 2, 3, 4]),
        (leads, keep) => {
          const fired = Uint8Array.from(leads.flatMap((lead) => lead.slice(0, 4).map((on) => (on ? 1 : 0))));
          const converted = Uint8Array.from(leads, (lead) => (lead[4] ? 1 : 0));
          const rows = Array.from(leads.keys());
          const columns = keep.filter((c) => c < 4);
          const all = collapse({ fired, width: 4, converted, rows, columns: [0, 1, 2, 3] });
          expect(projectPatterns(all, columns)).toEqual(collapse({ fired, width: 4, converted, rows, columns }));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('suggestPoints', () => {
  it('scales log odds to whole points keeping the rules’ total absolute points', () => {
    const data = table(300, 100, 200, 400);
    const s = suggestPoints([{ rule: 'r', points: 20 }], data, { fit: { ridge: 0 } });
    const beta = logit(300 / 400) - logit(200 / 600);
    expect(s.pointsPerLogOdds).toBeCloseTo(20 / beta, 6);
    expect(s.rules[0]).toMatchObject({ suggestedPoints: 20, note: null });
    expect(s.rules[0].margin).toBeCloseTo(Math.round(1.96 * (20 / beta) * Math.sqrt(1 / 300 + 1 / 100 + 1 / 200 + 1 / 400) * 10) / 10, 6);
  });

  it('holds a penalty at 0 when the data leans positive without confidence, and turns it round with confidence', () => {
    const weak = suggestPoints([{ rule: 'p', points: -30 }], table(22, 18, 200, 200));
    expect(weak.rules[0].suggestedPoints).toBe(0);
    expect(weak.rules[0].note).toMatch(/held at 0 rather than flipping its sign/);
    const strong = suggestPoints([{ rule: 'p', points: -30 }], table(300, 100, 200, 400));
    expect(strong.rules[0].suggestedPoints).toBeGreaterThan(0);
  });

  it('suggests nothing for too little support or too few conversions, and says why', () => {
    const low = suggestPoints([{ rule: 'rare', points: 10 }], table(3, 2, 200, 300));
    expect(low.rules[0]).toMatchObject({ suggestedPoints: null, note: 'fired for 5 leads; at least 30 needed' });
    const few = suggestPoints([{ rule: 'r', points: 10 }], table(5, 100, 4, 100));
    expect(few).toMatchObject({ fitted: false, reason: 'the training part has 9 conversions; at least 30 are needed to fit points' });
    expect(few.rules[0].suggestedPoints).toBeNull();
  });
});

describe('fitSample', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => String(i + 1));
  /** Leads 0..n-1, lead i converted when i % every === 0. */
  const leads = (n: number, every: number) => ({
    rows: Uint32Array.from({ length: n }, (_, i) => i),
    converted: Uint8Array.from({ length: n }, (_, i) => (i % every === 0 ? 1 : 0)),
  });
  const count = (rows: Uint32Array, converted: Uint8Array) => rows.reduce((sum, i) => sum + converted[i], 0);

  it('takes every lead up to the bound', () => {
    const { rows, converted } = leads(2000, 3);
    const s = fitSample(rows, converted, ids, 2000);
    expect(s.rows).toBe(rows);
    expect(s.even).toBe(rows);
    expect(s.weights).toEqual({ converted: 1, other: 1 });
  });

  it('above it, keeps every conversion while they are rare, and its weights give back the counts', () => {
    const { rows, converted } = leads(20_000, 20); // 1,000 conversions
    const s = fitSample(rows, converted, ids, 4000);
    expect(s.rows.length).toBe(4000);
    expect(count(s.rows, converted)).toBe(1000);
    expect(s.weights.converted).toBe(1);
    expect(s.weights.other * 3000).toBeCloseTo(19_000, 8);
    expect([...s.rows].every((i, k) => k === 0 || i > s.rows[k - 1])).toBe(true);
    // The same leads every time, spread over the whole part.
    expect(fitSample(rows, converted, ids, 4000).rows).toEqual(s.rows);
    expect(s.rows.filter((i) => i >= 10_000).length).toBeGreaterThan(1800);
    // Its part in the training proportions (5% converted), for shares of leads.
    expect(count(s.even, converted)).toBe(Math.floor(1000 * (3000 / 19_000)));
    expect(s.even.length - count(s.even, converted)).toBe(3000);
    expect(s.even.every((i) => s.rows.includes(i))).toBe(true);
  });

  it('keeps both outcomes in proportion when conversions are common', () => {
    const { rows, converted } = leads(20_000, 2); // 10,000 conversions
    const s = fitSample(rows, converted, ids, 4000);
    expect(s.rows.length).toBe(4000);
    expect(count(s.rows, converted)).toBe(2000);
    expect(s.weights).toEqual({ converted: 5, other: 5 });
  });

  it('fits on the sample what the whole part gives, within the margins, and reports the whole part’s counts', () => {
    const rng = random(5);
    const n = 20_000;
    const R = 3;
    const fired = new Uint8Array(n * R);
    const converted = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let x = -3;
      for (let r = 0; r < R; r++) {
        fired[i * R + r] = rng() < 0.3 ? 1 : 0;
        x += fired[i * R + r] * [1, -0.5, 0.7][r];
      }
      converted[i] = rng() < 1 / (1 + Math.exp(-x)) ? 1 : 0;
    }
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const columns = [
      { rule: 'a', points: 10 },
      { rule: 'b', points: -5 },
      { rule: 'c', points: 7 },
    ];
    const full = suggestPoints(columns, { fired, width: R, converted, rows });
    const s = fitSample(rows, converted, ids, 5000);
    expect(count(s.rows, converted)).toBe(count(rows, converted)); // conversions are rare: all kept
    const sampled = suggestPoints(columns, { fired, width: R, converted, rows: s.rows, weights: s.weights });
    expect(sampled.trainingLeads).toBe(n);
    expect(sampled.intercept!).toBeCloseTo(full.intercept!, 0);
    sampled.rules.forEach((rule, r) => {
      expect(Math.abs(rule.fired - full.rules[r].fired)).toBeLessThan(0.05 * full.rules[r].fired);
      expect(Math.abs(rule.coefficient! - full.rules[r].coefficient!)).toBeLessThan(2 * rule.standardError!);
      // The sample holds less evidence than the whole part: wider margins, not narrower.
      expect(rule.standardError!).toBeGreaterThan(full.rules[r].standardError!);
    });
  });
});

describe('splits', () => {
  it('splits by a stable hash of the lead id, about the share asked for', () => {
    expect(hashOf('12345')).toBe(hashOf('12345'));
    expect(hashOf('12345')).not.toBe(hashOf('12346'));
    const ids = Array.from({ length: 10_000 }, (_, i) => String(i + 1));
    const leads = Uint32Array.from(ids.keys());
    const held = splitLeads('hash', 0.3, leads, ids, new Float64Array(ids.length));
    const share = held.reduce((a, b) => a + b, 0) / ids.length;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.32);
    expect(splitLeads('hash', 0.3, leads, ids, new Float64Array(ids.length))).toEqual(held);
  });

  it('by time, holds out the newest leads', () => {
    const created = Float64Array.from([5, 1, 4, 2, 3]);
    expect([...splitLeads('time', 0.4, Uint32Array.from([0, 1, 2, 3, 4]), ['a', 'b', 'c', 'd', 'e'], created)]).toEqual([1, 0, 1, 0, 0]);
  });

  it('picks the whole-point threshold whose share of leads at or above it is closest to the target', () => {
    const values = Float64Array.from([10, 20, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(thresholdForShare(values, 0.3)).toBe(70); // 70, 80, 90
    expect(thresholdForShare(values, 0)).toBe(91);
    expect(thresholdForShare(values, 1)).toBe(10);
    expect(thresholdForShare(values, 0.85)).toBe(20); // 9 of 10 (0.9) is closer than 7 of 10
  });
});
