/**
 * The ridge-regularised logistic regression behind fitted points: conversion on the rules' fire
 * indicators, all rules at once (docs/fitting.md explains the method and its choices).
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

/** Leads collapsed by fire pattern, in the order each pattern first occurs. */
export interface Patterns {
  /** Column positions (into `columns`) on per pattern: offsets[p] .. offsets[p + 1]. */
  offsets: Uint32Array;
  on: Uint32Array;
  count: Float64Array;
  positives: Float64Array;
}

/**
 * Interns lists of column positions as pattern numbers, in first-seen order. Keyed by a numeric
 * hash of the list (chained on collision and compared element by element), not by a string built
 * per lead: collapsing a million leads allocates nothing per lead.
 */
class PatternTable {
  private readonly index = new Map<number, number>();
  private readonly chain: number[] = [];
  private readonly on: number[] = [];
  private readonly offsets: number[] = [0];
  private readonly count: number[] = [];
  private readonly positives: number[] = [];

  add(list: readonly number[], length: number, count: number, positives: number): void {
    let h1 = 0x811c9dc5;
    let h2 = length;
    for (let j = 0; j < length; j++) {
      h1 = Math.imul(h1 ^ list[j], 0x01000193);
      h2 = Math.imul(h2 ^ (list[j] + 0x9e3779b9), 0x85ebca6b) ^ (h2 >>> 13);
    }
    const key = (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
    let p = this.index.get(key);
    while (p !== undefined && !this.same(p, list, length)) p = this.chain[p] >= 0 ? this.chain[p] : undefined;
    if (p === undefined) {
      p = this.count.length;
      const head = this.index.get(key);
      this.chain.push(head ?? -1);
      this.index.set(key, p);
      for (let j = 0; j < length; j++) this.on.push(list[j]);
      this.offsets.push(this.on.length);
      this.count.push(0);
      this.positives.push(0);
    }
    this.count[p] += count;
    this.positives[p] += positives;
  }

  private same(p: number, list: readonly number[], length: number): boolean {
    const from = this.offsets[p];
    if (this.offsets[p + 1] - from !== length) return false;
    for (let j = 0; j < length; j++) if (this.on[from + j] !== list[j]) return false;
    return true;
  }

  patterns(): Patterns {
    return {
      offsets: Uint32Array.from(this.offsets),
      on: Uint32Array.from(this.on),
      count: Float64Array.from(this.count),
      positives: Float64Array.from(this.positives),
    };
  }
}

/** The input's rows collapsed by which of its columns fired. */
export function collapse(input: FitInput): Patterns {
  const K = input.columns.length;
  const table = new PatternTable();
  const scratch: number[] = new Array(K).fill(0);
  for (let k = 0; k < input.rows.length; k++) {
    const i = input.rows[k];
    const base = i * input.width;
    let length = 0;
    for (let c = 0; c < K; c++) if (input.fired[base + input.columns[c]]) scratch[length++] = c;
    table.add(scratch, length, 1, input.converted[i] ? 1 : 0);
  }
  return table.patterns();
}

/**
 * Patterns of a subset of the columns (`keep`: ascending positions into the collapsed columns),
 * merged from `patterns` without going back to the leads: the same patterns, counts and order as
 * collapsing the leads on those columns.
 */
export function projectPatterns(patterns: Patterns, keep: readonly number[]): Patterns {
  const position = new Int32Array(keep.length ? Math.max(...keep) + 1 : 0).fill(-1);
  keep.forEach((c, j) => {
    position[c] = j;
  });
  const table = new PatternTable();
  const scratch: number[] = new Array(keep.length).fill(0);
  for (let p = 0; p < patterns.count.length; p++) {
    let length = 0;
    for (let o = patterns.offsets[p]; o < patterns.offsets[p + 1]; o++) {
      const c = patterns.on[o];
      if (c < position.length && position[c] >= 0) scratch[length++] = position[c];
    }
    table.add(scratch, length, patterns.count[p], patterns.positives[p]);
  }
  return table.patterns();
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
  return fitPatterns(collapse(input), input.columns.length, options);
}

/** fitLogistic on leads already collapsed into patterns over K columns. */
export function fitPatterns(pat: Patterns, K: number, options: Partial<FitOptions> = {}): FitResult {
  const { ridge, maxIterations, tolerance } = { ...DEFAULT_FIT_OPTIONS, ...options };
  const D = K + 1; // the intercept is parameter K
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
  /**
   * Negative Hessian (positive definite) and gradient of the objective at `b`, into the buffers.
   * `eta` already holds linear(b): the last objective evaluated was at `b` (the start, or the step
   * just taken), so the predictors are not computed twice.
   */
  const derivatives = (b: Float64Array) => {
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
