/**
 * Conversion probability by score: isotonic regression (pool-adjacent-violators) of "converted"
 * on the score, over the leads of a backtest. The fit is a non-decreasing step function of the
 * score, kept as breakpoints: from `score` on (up to the next breakpoint), the probability is `p`,
 * estimated from the `leads` leads of that step. Pure: no database, no GraphQL.
 */

export interface CalibrationStep {
  /** The step starts at this score (the lowest score of its leads). */
  score: number;
  /** Share of the step's leads that converted. */
  p: number;
  /** Leads behind the estimate. */
  leads: number;
}

export interface Calibration {
  method: 'isotonic';
  steps: CalibrationStep[];
  leads: number;
  conversions: number;
}

export interface CalibrationOptions {
  /**
   * Steps with fewer leads than this are merged into a neighbour (the next one, the previous one
   * for the last step): pooling adjacent steps keeps the fit non-decreasing. 1 keeps plain PAV.
   */
  minStepLeads?: number;
}

interface Block {
  score: number;
  weight: number;
  positives: number;
}

const rate = (block: Block) => block.positives / block.weight;

/**
 * Fits the step function to (score, converted) pairs. Leads with the same score are one point
 * weighted by their count; PAV then pools adjacent blocks while a block's rate exceeds the next
 * one's (or equals it). O(n log n) for the sort, O(distinct scores) after.
 */
export function fitCalibration(
  scores: ArrayLike<number>,
  converted: ArrayLike<number | boolean>,
  options: CalibrationOptions = {},
): Calibration {
  if (scores.length !== converted.length) throw new Error(`scores (${scores.length}) and outcomes (${converted.length}) differ in length`);
  const n = scores.length;
  // Converted and other leads' scores apart, each sorted as numbers (typed arrays sort natively):
  // then one merge walk meets each distinct score once, with its count of each.
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`score ${scores[i]} is not a finite number`);
    if (converted[i]) positives++;
  }
  const hit = new Float64Array(positives);
  const miss = new Float64Array(n - positives);
  for (let i = 0, h = 0, m = 0; i < n; i++) {
    if (converted[i]) hit[h++] = scores[i];
    else miss[m++] = scores[i];
  }
  hit.sort();
  miss.sort();
  const stack: Block[] = [];
  let h = 0;
  let m = 0;
  while (h < hit.length || m < miss.length) {
    const score = Math.min(h < hit.length ? hit[h] : Infinity, m < miss.length ? miss[m] : Infinity);
    const block: Block = { score, weight: 0, positives: 0 };
    while (h < hit.length && hit[h] === score) {
      block.weight++;
      block.positives++;
      h++;
    }
    while (m < miss.length && miss[m] === score) {
      block.weight++;
      m++;
    }
    pushPooled(stack, block);
  }
  const conversions = positives;
  const minStepLeads = Math.max(1, options.minStepLeads ?? 1);
  const merged = mergeSmall(stack, minStepLeads);
  return {
    method: 'isotonic',
    steps: merged.map((block) => ({ score: block.score, p: rate(block), leads: block.weight })),
    leads: n,
    conversions,
  };
}

/** Adds a block, pooling it with the ones before it while they would break monotonicity. */
function pushPooled(stack: Block[], block: Block): void {
  let current = block;
  // rate(prev) >= rate(current), compared without division: equal rates are pooled too (same function, fewer steps).
  while (stack.length && stack[stack.length - 1].positives * current.weight >= current.positives * stack[stack.length - 1].weight) {
    const prev = stack.pop()!;
    current = { score: prev.score, weight: prev.weight + current.weight, positives: prev.positives + current.positives };
  }
  stack.push(current);
}

function mergeSmall(blocks: Block[], minLeads: number): Block[] {
  if (minLeads <= 1) return blocks;
  const out: Block[] = [];
  let pending: Block | null = null;
  for (const block of blocks) {
    const current: Block = pending
      ? { score: pending.score, weight: pending.weight + block.weight, positives: pending.positives + block.positives }
      : block;
    if (current.weight < minLeads) pending = current;
    else {
      out.push(current);
      pending = null;
    }
  }
  if (pending) {
    const last = out.pop();
    out.push(last ? { score: last.score, weight: last.weight + pending.weight, positives: last.positives + pending.positives } : pending);
  }
  return out;
}

/**
 * The probability for a score: the step it falls in (the last breakpoint at or below it); below the
 * first breakpoint, the first step's. Null without steps.
 */
export function probabilityOf(calibration: Pick<Calibration, 'steps'>, score: number): number | null {
  const { steps } = calibration;
  if (!steps.length) return null;
  let lo = 0;
  let hi = steps.length - 1;
  if (score < steps[0].score) return steps[0].p;
  // The last step whose score is <= `score`.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid].score <= score) lo = mid;
    else hi = mid - 1;
  }
  return steps[lo].p;
}
