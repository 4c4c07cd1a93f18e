import { CELLS, type Dimension } from '../engine/ruleset-definition';

/**
 * How well a rule set separates the leads that converted from those that did not, on a cohort of
 * historical leads scored as of their cutoff. Pure: typed arrays in, plain objects out.
 *
 * Conventions used throughout:
 * - A rate is null when its denominator is 0 (no leads, no positives...), never NaN.
 * - Leads are ranked by score, highest first; equal scores keep the cohort's order (by lead id),
 *   which only matters for where decile boundaries cut through a run of equal scores.
 * - "Predicted positive" means qualified: total >= the rule set's qualification threshold.
 */

export interface RuleInfo {
  rule: string;
  label: string;
  dimension: Dimension;
  points: number;
}

export interface MetricsInput {
  /** Total score per lead. */
  scores: ArrayLike<number>;
  converted: ArrayLike<number>;
  /** Deal value per lead (counted as revenue when converted). */
  dealValue: ArrayLike<number>;
  /** Index into CELLS (A1, A2 ... D4) per lead. */
  cells: ArrayLike<number>;
  /** Index into bandNames per lead. */
  bands: ArrayLike<number>;
  bandNames: readonly string[];
  qualified: ArrayLike<number>;
  threshold: number;
  rules: readonly RuleInfo[];
  /** fired[i * rules.length + r] = 1 when rule r fired for lead i. */
  fired: ArrayLike<number>;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Leads scoring at least this are predicted positive; null for the first point (none are). */
  threshold: number | null;
}

export interface GroupMetrics {
  leads: number;
  converted: number;
  conversionRate: number | null;
  revenue: number;
}

export interface BandMetrics extends GroupMetrics {
  band: string;
}

export interface CellMetrics extends GroupMetrics {
  cell: string;
}

export interface DecileMetrics extends GroupMetrics {
  /** 1 = the 10% of leads with the highest scores. */
  decile: number;
  minScore: number | null;
  maxScore: number | null;
  /** Conversion rate of the decile over the cohort's. */
  lift: number | null;
  /** Share of all conversions found in deciles 1..d. */
  cumulativeGain: number | null;
}

export interface RuleMetrics {
  rule: string;
  label: string;
  dimension: Dimension;
  currentPoints: number;
  fired: number;
  fireRate: number | null;
  conversionWhenFired: number | null;
  conversionWhenNotFired: number | null;
  /** Conversion when fired over the cohort's conversion rate. */
  lift: number | null;
  /** Smoothed log odds ratio of conversion, fired vs not fired; null when the rule fired for all leads or none. */
  logOddsRatio: number | null;
  suggestedPoints: number | null;
}

export interface BacktestMetrics {
  leads: number;
  converted: number;
  conversionRate: number | null;
  revenue: number;
  /** Area under the ROC curve (probability that a converted lead outscores one that did not; ties count half). */
  auc: number | null;
  rocCurve: RocPoint[];
  threshold: number;
  /** Leads at or above the threshold: what would go to sales. */
  qualified: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  shareToSales: number | null;
  bands: BandMetrics[];
  cells: CellMetrics[];
  deciles: DecileMetrics[];
  rules: RuleMetrics[];
  /** Points per unit of log odds used for suggestedPoints, per dimension. */
  pointsPerLogOdds: Record<Dimension, number | null>;
}

export const MAX_ROC_POINTS = 101;

const rate = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null);

/** Distinct scores, highest first, and each lead's position in that list. */
function scoreBuckets(scores: ArrayLike<number>): { distinct: Float64Array; bucketOf: Uint32Array } {
  const n = scores.length;
  const bucketOf = new Uint32Array(n);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const score = scores[i];
    if (score < min) min = score;
    if (score > max) max = score;
    if (integers && !Number.isInteger(score)) integers = false;
  }
  if (n > 0 && integers && max - min <= 1_000_000) {
    // Whole-point scores (the usual case): index by value, no hashing.
    const present = new Uint8Array(max - min + 1);
    for (let i = 0; i < n; i++) present[max - scores[i]] = 1;
    const rank = new Uint32Array(present.length);
    const distinct: number[] = [];
    for (let v = 0; v < present.length; v++) {
      if (!present[v]) continue;
      rank[v] = distinct.length;
      distinct.push(max - v);
    }
    for (let i = 0; i < n; i++) bucketOf[i] = rank[max - scores[i]];
    return { distinct: Float64Array.from(distinct), bucketOf };
  }
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!seen.has(scores[i])) seen.set(scores[i], 0);
  const distinct = Float64Array.from(seen.keys()).sort().reverse();
  distinct.forEach((score, index) => {
    seen.set(score, index);
  });
  for (let i = 0; i < n; i++) bucketOf[i] = seen.get(scores[i])!;
  return { distinct, bucketOf };
}

/** Lead indexes by score, highest first; equal scores in index order (a stable counting sort). */
function rankOrder(bucketOf: Uint32Array, buckets: number): Uint32Array {
  const starts = new Uint32Array(buckets + 1);
  for (let i = 0; i < bucketOf.length; i++) starts[bucketOf[i] + 1] += 1;
  for (let b = 0; b < buckets; b++) starts[b + 1] += starts[b];
  const order = new Uint32Array(bucketOf.length);
  for (let i = 0; i < bucketOf.length; i++) order[starts[bucketOf[i]]++] = i;
  return order;
}

/**
 * ROC AUC from ranks (Mann-Whitney U): rank all leads by score ascending, equal scores sharing
 * their average rank; AUC = (sum of converted leads' ranks - P(P+1)/2) / (P * N).
 * ROC points: one per distinct score, from the highest threshold down, after (0, 0).
 */
function rocAndAuc(distinct: Float64Array, positives: Float64Array, negatives: Float64Array): { auc: number | null; curve: RocPoint[] } {
  let P = 0;
  let N = 0;
  for (let b = 0; b < distinct.length; b++) {
    P += positives[b];
    N += negatives[b];
  }
  if (P === 0 || N === 0) return { auc: null, curve: [] };
  // Ascending: the last bucket holds the lowest score.
  let below = 0;
  let rankSum = 0;
  for (let b = distinct.length - 1; b >= 0; b--) {
    const count = positives[b] + negatives[b];
    const averageRank = below + (count + 1) / 2;
    rankSum += positives[b] * averageRank;
    below += count;
  }
  const auc = (rankSum - (P * (P + 1)) / 2) / (P * N);
  const curve: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  let tp = 0;
  let fp = 0;
  for (let b = 0; b < distinct.length; b++) {
    tp += positives[b];
    fp += negatives[b];
    curve.push({ fpr: fp / N, tpr: tp / P, threshold: distinct[b] });
  }
  return { auc, curve: downsample(curve, MAX_ROC_POINTS) };
}

/** At most `max` points: the first, the last and evenly spaced ones between (by position on the curve). */
export function downsample<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const last = points.length - 1;
  const kept: T[] = [];
  for (let k = 0; k < max; k++) kept.push(points[Math.round((k * last) / (max - 1))]);
  return kept;
}

function group(leads: number, converted: number, revenue: number): GroupMetrics {
  return { leads, converted, conversionRate: rate(converted, leads), revenue: roundMoney(revenue) };
}

export function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * A first estimate of each rule's points, one rule at a time, on the leads given. Backtests replace
 * it with the joint fit on the training part (fitting.ts, docs/fitting.md): judged alone, two rules
 * that fire together both get the credit, and a penalty can turn into a bonus on noise.
 *
 *
 * 1. The rule's evidence is its log odds ratio of conversion, fired vs not fired, with add-one
 *    smoothing so that small counts are pulled towards 0:
 *      w = ln((a + 1) / (b + 1)) - ln((c + 1) / (d + 1))
 *    a/b = converted/not converted among leads where it fired, c/d = among those where it did not.
 *    A rule that fired for every lead or for none has no evidence (null).
 * 2. Log odds are put on the rule set's own scale with one constant per dimension, points per unit
 *    of log odds, chosen so that the suggestions spend the same total absolute points as the
 *    rule set does today on the rules with evidence:
 *      k = sum |current points| / sum |w|   (over the dimension's rules with evidence)
 *    so thresholds (grades, levels, qualification) keep roughly their meaning.
 * 3. suggested = round(k * w).
 *
 * Rules are judged one by one (no interactions; two rules that fire together both get the
 * credit), which is what a points table can express anyway.
 */
function ruleMetrics(
  input: MetricsInput,
  n: number,
  totalConverted: number,
): { rules: RuleMetrics[]; scale: Record<Dimension, number | null> } {
  const R = input.rules.length;
  const firedCount = new Float64Array(R);
  const firedConverted = new Float64Array(R);
  for (let i = 0; i < n; i++) {
    const base = i * R;
    const conv = input.converted[i];
    for (let r = 0; r < R; r++) {
      if (input.fired[base + r]) {
        firedCount[r] += 1;
        firedConverted[r] += conv;
      }
    }
  }
  const overall = rate(totalConverted, n);
  const rules: RuleMetrics[] = input.rules.map((rule, r) => {
    const fired = firedCount[r];
    const a = firedConverted[r];
    const b = fired - a;
    const c = totalConverted - a;
    const d = n - fired - c;
    const conversionWhenFired = rate(a, fired);
    return {
      rule: rule.rule,
      label: rule.label,
      dimension: rule.dimension,
      currentPoints: rule.points,
      fired,
      fireRate: rate(fired, n),
      conversionWhenFired,
      conversionWhenNotFired: rate(c, n - fired),
      lift: conversionWhenFired !== null && overall ? conversionWhenFired / overall : null,
      logOddsRatio: fired === 0 || fired === n ? null : Math.log((a + 1) / (b + 1)) - Math.log((c + 1) / (d + 1)),
      suggestedPoints: null,
    };
  });
  const scale: Record<Dimension, number | null> = { fit: null, engagement: null };
  for (const dimension of ['fit', 'engagement'] as const) {
    let points = 0;
    let evidence = 0;
    for (const rule of rules) {
      if (rule.dimension !== dimension || rule.logOddsRatio === null) continue;
      points += Math.abs(rule.currentPoints);
      evidence += Math.abs(rule.logOddsRatio);
    }
    const k = evidence > 0 ? points / evidence : null;
    scale[dimension] = k;
    for (const rule of rules) {
      if (rule.dimension === dimension && rule.logOddsRatio !== null && k !== null)
        rule.suggestedPoints = Math.round(k * rule.logOddsRatio) + 0; // + 0: no -0
    }
  }
  return { rules, scale };
}

export function computeMetrics(input: MetricsInput): BacktestMetrics {
  const n = input.scores.length;
  const { distinct, bucketOf } = scoreBuckets(input.scores);
  const positives = new Float64Array(distinct.length);
  const negatives = new Float64Array(distinct.length);
  const bandStats = input.bandNames.map(() => ({ leads: 0, converted: 0, revenue: 0 }));
  const cellStats = CELLS.map(() => ({ leads: 0, converted: 0, revenue: 0 }));
  let converted = 0;
  let revenue = 0;
  let qualified = 0;
  let truePositives = 0;
  for (let i = 0; i < n; i++) {
    const conv = input.converted[i] ? 1 : 0;
    const value = conv ? input.dealValue[i] : 0;
    if (conv) positives[bucketOf[i]] += 1;
    else negatives[bucketOf[i]] += 1;
    converted += conv;
    revenue += value;
    const band = bandStats[input.bands[i]];
    band.leads += 1;
    band.converted += conv;
    band.revenue += value;
    const cell = cellStats[input.cells[i]];
    cell.leads += 1;
    cell.converted += conv;
    cell.revenue += value;
    if (input.qualified[i]) {
      qualified += 1;
      truePositives += conv;
    }
  }

  const { auc, curve } = rocAndAuc(distinct, positives, negatives);
  const precision = rate(truePositives, qualified);
  const recall = rate(truePositives, converted);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  const overall = rate(converted, n);
  const order = rankOrder(bucketOf, distinct.length);
  const deciles: DecileMetrics[] = [];
  let cumulative = 0;
  for (let d = 1; d <= 10; d++) {
    const from = Math.floor(((d - 1) * n) / 10);
    const to = Math.floor((d * n) / 10);
    let conv = 0;
    let value = 0;
    for (let p = from; p < to; p++) {
      const i = order[p];
      if (input.converted[i]) {
        conv += 1;
        value += input.dealValue[i];
      }
    }
    cumulative += conv;
    const stats = group(to - from, conv, value);
    deciles.push({
      decile: d,
      ...stats,
      maxScore: to > from ? input.scores[order[from]] : null,
      minScore: to > from ? input.scores[order[to - 1]] : null,
      lift: stats.conversionRate !== null && overall ? stats.conversionRate / overall : null,
      cumulativeGain: rate(cumulative, converted),
    });
  }

  const { rules, scale } = ruleMetrics(input, n, converted);
  return {
    leads: n,
    converted,
    conversionRate: overall,
    revenue: roundMoney(revenue),
    auc,
    rocCurve: curve,
    threshold: input.threshold,
    qualified,
    precision,
    recall,
    f1,
    shareToSales: rate(qualified, n),
    bands: input.bandNames.map((band, b) => ({ band, ...group(bandStats[b].leads, bandStats[b].converted, bandStats[b].revenue) })),
    cells: CELLS.map((cell, c) => ({ cell, ...group(cellStats[c].leads, cellStats[c].converted, cellStats[c].revenue) })),
    deciles,
    rules,
    pointsPerLogOdds: scale,
  };
}
