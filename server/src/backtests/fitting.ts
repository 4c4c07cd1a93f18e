/**
 * Points fitted from outcomes: a ridge-regularised logistic regression of conversion on the rules'
 * fire indicators, all rules at once (docs/fitting.md explains the method and its choices).
 * Pure: typed arrays in, plain objects out; no database or GraphQL.
 *
 * Leads that fired exactly the same rules are one row of the fit (with their count and
 * conversions): a rule set of R rules yields far fewer distinct fire patterns than leads, so after
 * one O(N·R) pass each Newton step costs O(patterns · k²) (k = rules fired per pattern) plus
 * an R³/3 Cholesky, whatever N is.
 */

export interface FitOptions {
  /** L2 penalty on every coefficient but the intercept (a Gaussian prior of variance 1/ridge). */
  ridge: number;
  maxIterations: number;
  /** Stops when no coefficient moves more than this (log odds). */
  tolerance: number;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = { ridge: 1, maxIterations: 50, tolerance: 1e-8 };

export interface FitInput {
  /** fired[i * width + c] = 1 when column c is on for lead i. */
  fired: ArrayLike<number>;
  width: number;
  converted: ArrayLike<number>;
  /** The leads to fit on (indexes into the rows of `fired`). */
  rows: ArrayLike<number>;
  /** The columns to fit (indexes < width). */
  columns: ArrayLike<number>;
}

export interface FitResult {
  intercept: number;
  /** One per entry of `columns`. */
  coefficients: Float64Array;
  /** Standard errors from the inverse of the penalised Hessian at the solution. */
  standardErrors: Float64Array;
  iterations: number;
  converged: boolean;
  /** Distinct fire patterns the leads collapsed into. */
  patterns: number;
}

interface Patterns {
  /** Column positions (into `columns`) on per pattern: offsets[p] .. offsets[p + 1]. */
  offsets: Uint32Array;
  on: Uint32Array;
  count: Float64Array;
  positives: Float64Array;
}

function collapse(input: FitInput): Patterns {
  const K = input.columns.length;
  const index = new Map<string, number>();
  const on: number[] = [];
  const offsets: number[] = [0];
  const count: number[] = [];
  const positives: number[] = [];
  const scratch: number[] = [];
  for (let k = 0; k < input.rows.length; k++) {
    const i = input.rows[k];
    const base = i * input.width;
    scratch.length = 0;
    for (let c = 0; c < K; c++) if (input.fired[base + input.columns[c]]) scratch.push(c);
    const key = scratch.join(',');
    let p = index.get(key);
    if (p === undefined) {
      p = count.length;
      index.set(key, p);
      for (const c of scratch) on.push(c);
      offsets.push(on.length);
      count.push(0);
      positives.push(0);
    }
    count[p] += 1;
    positives[p] += input.converted[i] ? 1 : 0;
  }
  return {
    offsets: Uint32Array.from(offsets),
    on: Uint32Array.from(on),
    count: Float64Array.from(count),
    positives: Float64Array.from(positives),
  };
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** ln(1 + e^x) without overflow. */
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** In-place Cholesky of a symmetric positive definite matrix (row-major, lower triangle used); false when not positive definite. */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b for x, given cholesky()'s factor. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * Maximises Σ [y ln μ + (n − y) ln(1 − μ)] − ridge/2 · |β|² (intercept unpenalised) by Newton's
 * method with step halving, μ = σ(β₀ + Σ βc·x_c).
 */
export function fitLogistic(input: FitInput, options: Partial<FitOptions> = {}): FitResult {
  const { ridge, maxIterations, tolerance } = { ...DEFAULT_FIT_OPTIONS, ...options };
  const K = input.columns.length;
  const D = K + 1; // the intercept is parameter K
  const pat = collapse(input);
  const P = pat.count.length;
  const beta = new Float64Array(D);
  let total = 0;
  let totalPositives = 0;
  for (let p = 0; p < P; p++) {
    total += pat.count[p];
    totalPositives += pat.positives[p];
  }
  // Start at the base rate (clamped so that a cohort with no conversions still starts finite).
  const base = Math.min(Math.max((totalPositives + 0.5) / (total + 1), 1e-6), 1 - 1e-6);
  beta[K] = Math.log(base / (1 - base));

  const eta = new Float64Array(P);
  const linear = (b: Float64Array) => {
    for (let p = 0; p < P; p++) {
      let s = b[K];
      for (let o = pat.offsets[p]; o < pat.offsets[p + 1]; o++) s += b[pat.on[o]];
      eta[p] = s;
    }
  };
  const objective = (b: Float64Array) => {
    linear(b);
    let ll = 0;
    for (let p = 0; p < P; p++) ll += pat.positives[p] * eta[p] - pat.count[p] * softplus(eta[p]);
    let penalty = 0;
    for (let c = 0; c < K; c++) penalty += b[c] * b[c];
    return ll - (ridge / 2) * penalty;
  };

  const hessian = new Float64Array(D * D);
  const gradient = new Float64Array(D);
  /** Negative Hessian (positive definite) and gradient of the objective at `b`, into the buffers. */
  const derivatives = (b: Float64Array) => {
    linear(b);
    hessian.fill(0);
    gradient.fill(0);
    for (let p = 0; p < P; p++) {
      const mu = sigmoid(eta[p]);
      const residual = pat.positives[p] - pat.count[p] * mu;
      const w = pat.count[p] * mu * (1 - mu);
      const from = pat.offsets[p];
      const to = pat.offsets[p + 1];
      gradient[K] += residual;
      hessian[K * D + K] += w;
      for (let o = from; o < to; o++) {
        const c = pat.on[o];
        gradient[c] += residual;
        hessian[K * D + c] += w;
        for (let o2 = from; o2 <= o; o2++) hessian[c * D + pat.on[o2]] += w;
      }
    }
    for (let c = 0; c < K; c++) {
      gradient[c] -= ridge * b[c];
      hessian[c * D + c] += ridge;
    }
    // The lower triangle was filled by rows with on[] ascending; mirror it so the factorisation can read either.
    for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) hessian[j * D + i] = hessian[i * D + j];
    // The intercept alone can be unidentified (no conversions at all): a whisker of ridge keeps it finite.
    hessian[K * D + K] += 1e-9 * (total || 1);
  };

  let iterations = 0;
  let converged = false;
  let current = objective(beta);
  while (iterations < maxIterations) {
    iterations += 1;
    derivatives(beta);
    const factor = Float64Array.from(hessian);
    if (!cholesky(factor, D)) break;
    const step = choleskySolve(factor, D, gradient);
    let scale = 1;
    let next = new Float64Array(D);
    let value = -Infinity;
    for (let halving = 0; halving < 30; halving++) {
      for (let d = 0; d < D; d++) next[d] = beta[d] + scale * step[d];
      value = objective(next);
      if (value >= current - 1e-12 * Math.abs(current)) break;
      scale /= 2;
    }
    let moved = 0;
    for (let d = 0; d < D; d++) moved = Math.max(moved, Math.abs(next[d] - beta[d]));
    beta.set(next);
    next = new Float64Array(D);
    current = value;
    if (moved < tolerance) {
      converged = true;
      break;
    }
  }

  derivatives(beta);
  const factor = Float64Array.from(hessian);
  const standardErrors = new Float64Array(K).fill(Number.NaN);
  if (cholesky(factor, D)) {
    const unit = new Float64Array(D);
    for (let c = 0; c < K; c++) {
      unit.fill(0);
      unit[c] = 1;
      standardErrors[c] = Math.sqrt(choleskySolve(factor, D, unit)[c]);
    }
  }
  return { intercept: beta[K], coefficients: beta.slice(0, K), standardErrors, iterations, converged, patterns: P };
}

// ---- suggestions ----

export interface SuggestionRule {
  rule: string;
  points: number;
  /** Its column in `fired` (default: its position in the list). */
  column?: number;
}

export interface SuggestionOptions {
  /** A rule (or candidate) must fire for at least this many training leads, and not fire for at least as many. */
  minSupport: number;
  /** The training part must hold at least this many conversions and as many non-conversions. */
  minConversions: number;
  /** z for the margins and for the sign check (1.96: 95%). */
  z: number;
  /** Points per unit of log odds when the rule set has no points to keep comparable. */
  fallbackScale: number;
  fit: Partial<FitOptions>;
}

export const DEFAULT_SUGGESTION_OPTIONS: SuggestionOptions = { minSupport: 30, minConversions: 30, z: 1.96, fallbackScale: 10, fit: {} };

export interface RuleSuggestion {
  rule: string;
  currentPoints: number;
  /** Training leads it fired for. */
  fired: number;
  suggestedPoints: number | null;
  /** Half-width of the 95% interval of suggestedPoints, in points. */
  margin: number | null;
  /** Fitted log odds (before the sign check). */
  coefficient: number | null;
  standardError: number | null;
  /** Why there is no suggestion, or why it was held at 0. */
  note: string | null;
}

export interface SuggestionFit {
  /** False when nothing is suggested (see reason). */
  fitted: boolean;
  reason: string | null;
  trainingLeads: number;
  trainingConverted: number;
  /** Points per unit of log odds: one scale for every rule, so fit + engagement stays a sum of log odds. */
  pointsPerLogOdds: number | null;
  intercept: number | null;
  iterations: number;
  patterns: number;
  rules: RuleSuggestion[];
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * Fits all eligible columns jointly on the training rows and turns the coefficients into whole points:
 *
 * - A column that fired for fewer than minSupport training leads (or for all but fewer) gets no
 *   suggestion and says why. Nothing is fitted when the training part holds fewer than
 *   minConversions conversions or non-conversions.
 * - Signs are kept honest: a penalty (current points < 0) is only suggested as a bonus, and a bonus
 *   as a penalty, when the 95% interval excludes 0; otherwise the column is held at 0 and the rest
 *   are fitted again without it.
 * - One scale k for all columns: `scaleFrom` columns keep their total absolute points
 *   (k = Σ|current| / Σ|β|), or `scale` when given (candidates put on the rules' scale).
 */
export function suggestPoints(
  columns: readonly SuggestionRule[],
  input: Omit<FitInput, 'columns'>,
  options: Partial<SuggestionOptions> & { scale?: number | null; scaleFrom?: readonly number[] } = {},
): SuggestionFit {
  const opts = { ...DEFAULT_SUGGESTION_OPTIONS, ...options };
  const n = input.rows.length;
  let converted = 0;
  for (let k = 0; k < n; k++) converted += input.converted[input.rows[k]] ? 1 : 0;
  const fired = new Float64Array(columns.length);
  for (let k = 0; k < n; k++) {
    const base = input.rows[k] * input.width;
    for (let c = 0; c < columns.length; c++) fired[c] += input.fired[base + (columns[c].column ?? c)] ? 1 : 0;
  }
  const rules: RuleSuggestion[] = columns.map((column, c) => ({
    rule: column.rule,
    currentPoints: column.points,
    fired: fired[c],
    suggestedPoints: null,
    margin: null,
    coefficient: null,
    standardError: null,
    note: null,
  }));
  const empty = (reason: string): SuggestionFit => ({
    fitted: false,
    reason,
    trainingLeads: n,
    trainingConverted: converted,
    pointsPerLogOdds: null,
    intercept: null,
    iterations: 0,
    patterns: 0,
    rules: rules.map((rule) => ({ ...rule, note: reason })),
  });
  if (converted < opts.minConversions) {
    return empty(`the training part has ${plural(converted, 'conversion')}; at least ${opts.minConversions} are needed to fit points`);
  }
  if (n - converted < opts.minConversions) {
    return empty(
      `the training part has ${plural(n - converted, 'lead')} that did not convert; at least ${opts.minConversions} are needed to fit points`,
    );
  }

  const eligible: number[] = [];
  for (let c = 0; c < columns.length; c++) {
    const f = fired[c];
    if (f === 0) rules[c].note = `never fired in the training part`;
    else if (f < opts.minSupport) rules[c].note = `fired for ${plural(f, 'lead')}; at least ${opts.minSupport} needed`;
    else if (n - f < opts.minSupport)
      rules[c].note = `fired for all but ${plural(n - f, 'lead')}; at least ${opts.minSupport} without it needed`;
    else eligible.push(c);
  }

  let active = eligible;
  const at = (list: number[]) => list.map((c) => columns[c].column ?? c);
  let fit = fitLogistic({ ...input, columns: at(active) }, opts.fit);
  let iterations = fit.iterations;
  // Sign check, then a refit without the columns held at 0 (at most a few rounds: each drops columns).
  for (let round = 0; round < 5; round++) {
    const held: number[] = [];
    active.forEach((c, j) => {
      const beta = fit.coefficients[j];
      const se = fit.standardErrors[j];
      const flips = (columns[c].points < 0 && beta > 0) || (columns[c].points > 0 && beta < 0);
      if (flips && !(Math.abs(beta) - opts.z * se > 0)) held.push(c);
    });
    if (!held.length) break;
    for (const c of held) {
      const j = active.indexOf(c);
      const sign = fit.coefficients[j] > 0 ? '+' : '';
      rules[c].coefficient = fit.coefficients[j];
      rules[c].standardError = fit.standardErrors[j];
      rules[c].note =
        `the data leans the other way (${sign}${fit.coefficients[j].toFixed(2)} ± ${(opts.z * fit.standardErrors[j]).toFixed(2)} log odds) without confidence: held at 0 rather than flipping its sign`;
    }
    active = active.filter((c) => !held.includes(c));
    fit = fitLogistic({ ...input, columns: at(active) }, opts.fit);
    iterations += fit.iterations;
  }

  let k = options.scale ?? null;
  if (k === null) {
    const scaleFrom = new Set(options.scaleFrom ?? columns.map((_, c) => c));
    let points = 0;
    let evidence = 0;
    active.forEach((c, j) => {
      if (!scaleFrom.has(c)) return;
      points += Math.abs(columns[c].points);
      evidence += Math.abs(fit.coefficients[j]);
    });
    k = points > 0 && evidence > 0 ? points / evidence : opts.fallbackScale;
  }
  active.forEach((c, j) => {
    const rule = rules[c];
    rule.coefficient = fit.coefficients[j];
    rule.standardError = fit.standardErrors[j];
    rule.suggestedPoints = Math.round(k * fit.coefficients[j]) + 0; // + 0: no -0
    rule.margin = Number.isFinite(fit.standardErrors[j]) ? Math.round(opts.z * k * fit.standardErrors[j] * 10) / 10 : null;
  });
  for (const c of eligible) if (!active.includes(c)) rules[c].suggestedPoints = 0;
  return {
    fitted: true,
    reason: null,
    trainingLeads: n,
    trainingConverted: converted,
    pointsPerLogOdds: k,
    intercept: fit.intercept,
    iterations,
    patterns: fit.patterns,
    rules,
  };
}

// ---- splits ----

/**
 * A stable 32-bit hash of a lead id, the same in every process and database: FNV-1a, then
 * MurmurHash3's finaliser (FNV alone spreads short sequential ids poorly over the high bits).
 */
export function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type SplitKind = 'hash' | 'time';

/**
 * Which of `leads` are held out (1) and which train (0):
 * - hash: a lead is held out when the hash of its id falls in the first `holdoutShare` of the range;
 * - time: the newest `holdoutShare` of the leads by creation time (ties by position) are held out.
 */
export function splitLeads(
  kind: SplitKind,
  holdoutShare: number,
  leads: ArrayLike<number>,
  leadIds: readonly string[],
  createdAt: ArrayLike<number>,
): Uint8Array {
  const holdout = new Uint8Array(leads.length);
  if (kind === 'hash') {
    const cut = holdoutShare * 2 ** 32;
    for (let k = 0; k < leads.length; k++) holdout[k] = hashOf(leadIds[leads[k]]) < cut ? 1 : 0;
    return holdout;
  }
  const order = Array.from({ length: leads.length }, (_, k) => k).sort((a, b) => createdAt[leads[a]] - createdAt[leads[b]] || a - b);
  const from = leads.length - Math.round(holdoutShare * leads.length);
  for (let p = from; p < order.length; p++) holdout[order[p]] = 1;
  return holdout;
}
