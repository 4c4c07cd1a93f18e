import { collapse, type FitInput, type FitOptions, fitPatterns, projectPatterns } from './logistic-fit';

/**
 * Points fitted from outcomes (logistic-fit.ts does the regression), and the split of a cohort into
 * the part they are fitted on and the part held out to judge them.
 * Pure: typed arrays in, plain objects out; no database or GraphQL.
 */

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
 * - On a sample of the training part (`input.weights`: fitSample), the counts reported are the
 *   sample's weighted up to the training part, and the coefficients, their standard errors and the
 *   sign check those of the sample, which is all the fit has seen.
 * - One scale k for all columns: `scaleFrom` columns keep their total absolute points
 *   (k = Σ|current| / Σ|β|), or `scale` when given (candidates put on the rules' scale).
 */
export function suggestPoints(
  columns: readonly SuggestionRule[],
  input: Omit<FitInput, 'columns'> & { weights?: ClassWeights },
  options: Partial<SuggestionOptions> & { scale?: number | null; scaleFrom?: readonly number[] } = {},
): SuggestionFit {
  const opts = { ...DEFAULT_SUGGESTION_OPTIONS, ...options };
  // On a sample (input.weights), every count reported is the sample's weighted up: an estimate of
  // the training part's, rounded to whole leads. Support is also required in the sample itself.
  const wConverted = input.weights?.converted ?? 1;
  const wOther = input.weights?.other ?? 1;
  let weighted = 0;
  let weightedConverted = 0;
  const fired = new Float64Array(columns.length);
  const inSample = new Float64Array(columns.length);
  const at = Uint32Array.from(columns, (column, c) => column.column ?? c);
  for (let k = 0; k < input.rows.length; k++) {
    const i = input.rows[k];
    const w = input.converted[i] ? wConverted : wOther;
    weighted += w;
    if (input.converted[i]) weightedConverted += w;
    const base = i * input.width;
    for (let c = 0; c < at.length; c++)
      if (input.fired[base + at[c]]) {
        fired[c] += w;
        inSample[c] += 1;
      }
  }
  const sampleSize = input.rows.length;
  const n = Math.round(weighted);
  const converted = Math.round(weightedConverted);
  for (let c = 0; c < fired.length; c++) fired[c] = Math.round(fired[c]);
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
    else if (inSample[c] < opts.minSupport || sampleSize - inSample[c] < opts.minSupport)
      rules[c].note =
        `fired for ${plural(inSample[c], 'lead')} of the ${plural(sampleSize, 'lead')} fitted on; at least ${opts.minSupport} with it and without it needed`;
    else eligible.push(c);
  }

  let active = eligible;
  // Collapsed once on every eligible column; each refit on fewer columns merges those patterns.
  const collapsed = collapse({ ...input, columns: eligible.map((c) => at[c]) });
  const fitOn = (list: number[]) =>
    fitPatterns(
      list.length === eligible.length
        ? collapsed
        : projectPatterns(
            collapsed,
            list.map((c) => eligible.indexOf(c)),
          ),
      list.length,
      opts.fit,
    );
  let fit = fitOn(active);
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
    fit = fitOn(active);
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
    // A sample stratified by outcome shifts only the intercept, by the log of the ratio of the two
    // outcomes' sampling rates (Prentice and Pyke, 1979); the coefficients need no correction.
    intercept: fit.intercept - Math.log(wOther / wConverted),
    iterations,
    patterns: fit.patterns,
    rules,
  };
}

// ---- the sample fitted on ----

/** Most training leads the fits use (fitSample); up to that many, all of them. */
export const FIT_LEADS = 100_000;

/** FIT_LEADS, or BACKTEST_FIT_LEADS when set to a positive number (benches compare bounds in one process). */
export function fitLeadsBound(): number {
  const value = Number(process.env.BACKTEST_FIT_LEADS);
  return Number.isFinite(value) && value > 0 ? value : process.env.BACKTEST_FIT_LEADS === 'none' ? Infinity : FIT_LEADS;
}

/** Training leads a sampled converted (or not converted) lead stands for. */
export interface ClassWeights {
  converted: number;
  other: number;
}

/** The training leads a fit uses, and how many training leads each stands for (by outcome). */
export interface FitSample {
  rows: Uint32Array;
  weights: ClassWeights;
  /**
   * Of `rows`, those that keep the training part's share of conversions (the over-sampled outcome
   * thinned evenly): what shares of leads (thresholds) are measured on.
   */
  even: Uint32Array;
}

/**
 * At most `max` of the training `rows`, stratified by outcome: every converted lead while they are
 * at most half of `max` (conversions are what a fit is short of), else both outcomes in their
 * training proportions; the rest of the sample from the other outcome. Within an outcome, the
 * leads whose id hashes lowest (salted, so not the holdout's hash order): the same leads in every
 * run and process, spread over the training part like a random draw. Returned in `rows` order with
 * the weights that make the sample's counts those of the training part. Up to `max` rows: all of
 * them, weights 1.
 */
export function fitSample(rows: Uint32Array, converted: ArrayLike<number>, leadIds: readonly string[], max: number): FitSample {
  if (rows.length <= max) return { rows, weights: { converted: 1, other: 1 }, even: rows };
  let positives = 0;
  for (let k = 0; k < rows.length; k++) positives += converted[rows[k]] ? 1 : 0;
  const negatives = rows.length - positives;
  const keepPositives = positives <= max / 2 ? positives : Math.round((max * positives) / rows.length);
  const keepNegatives = Math.min(negatives, max - keepPositives);
  const hashes = Uint32Array.from(rows, (i) => hashOf(`fit:${leadIds[i]}`));
  /** The hash below which (ties by position) `keep` of the outcome's rows fall. */
  const pick = (outcome: number, keep: number) => {
    const own = hashes.filter((_, k) => (converted[rows[k]] ? 1 : 0) === outcome).sort();
    return keep >= own.length ? 2 ** 32 : own[keep];
  };
  const cut = [pick(0, keepNegatives), pick(1, keepPositives)];
  const room = [keepNegatives, keepPositives];
  // Below the cut, then ties at the cut by position until each outcome has its count.
  const below = [0, 0];
  for (let k = 0; k < rows.length; k++) {
    const o = converted[rows[k]] ? 1 : 0;
    if (hashes[k] < cut[o]) below[o] += 1;
  }
  const ties = [room[0] - below[0], room[1] - below[1]];
  const out: number[] = [];
  for (let k = 0; k < rows.length; k++) {
    const o = converted[rows[k]] ? 1 : 0;
    if (hashes[k] < cut[o]) out.push(rows[k]);
    else if (hashes[k] === cut[o] && ties[o] > 0) {
      ties[o] -= 1;
      out.push(rows[k]);
    }
  }
  const weights = { converted: keepPositives ? positives / keepPositives : 1, other: keepNegatives ? negatives / keepNegatives : 1 };
  // The outcome with the smaller weight is over-sampled: keep that share of its rows, evenly.
  const thin = weights.converted < weights.other ? 1 : 0;
  const rate = Math.min(weights.converted, weights.other) / Math.max(weights.converted, weights.other);
  const even: number[] = [];
  let seen = 0;
  for (const i of out) {
    if ((converted[i] ? 1 : 0) !== thin) even.push(i);
    else if (Math.floor((seen + 1) * rate) > Math.floor(seen++ * rate)) even.push(i);
  }
  return { rows: Uint32Array.from(out), weights, even: Uint32Array.from(even) };
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
