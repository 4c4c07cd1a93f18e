import type { FactType, RuleSetDefinition } from '../engine/ruleset-definition';
import { candidatesOnly, enumerateCandidates, type CandidateOptions, type CandidateRule } from './candidates';
import type { CohortSnapshot } from './cohort-snapshot';
import {
  defaultEvaluatorFactory,
  fireFlags,
  metricsInput,
  scoreFromFired,
  type CohortScores,
  type EvaluatorFactory,
} from './cohort-scoring';
import {
  type ClassWeights,
  fitLeadsBound,
  fitSample,
  suggestPoints,
  splitLeads,
  type SplitKind,
  type SuggestionFit,
  type SuggestionOptions,
} from './fitting';
import { computeMetrics, type BacktestMetrics } from './metrics';
import { retuneThresholds, widenCaps, withPoints } from './definition-tuning';

/**
 * A backtest's fitted suggestions: the cohort split into a training and a holdout part, points
 * fitted on the training part (fitting.ts), candidate rules, and the current and suggested rule
 * sets measured on the holdout part only. Pure (no database): the backtest job calls it.
 */

export interface SplitOptions {
  kind: SplitKind;
  /** Share of the cohort held out (0.05 to 0.95). */
  holdoutShare: number;
}

export const DEFAULT_SPLIT: SplitOptions = { kind: 'hash', holdoutShare: 0.3 };

export interface CandidateSuggestion {
  rule: string;
  label: string;
  dimension: 'fit' | 'engagement';
  /** The rule ready to add (points: suggestedPoints), and the facts it needs that the rule set lacks. */
  definition: CandidateRule;
  fired: number;
  conversionWhenFired: number | null;
  lift: number | null;
  logOddsRatio: number;
  suggestedPoints: number | null;
  margin: number | null;
  note: string | null;
}

export interface HoldoutSummary {
  threshold: number;
  auc: number | null;
  qualified: number;
  precision: number | null;
  recall: number | null;
  shareToSales: number | null;
  /** Conversion rate of the top-scoring tenth over the part's. */
  topDecileLift: number | null;
}

export interface HoldoutComparison {
  leads: number;
  converted: number;
  current: HoldoutSummary;
  /** The rules with their suggested points (thresholds re-tuned on the training part to keep its MQL share); null when nothing was fitted. */
  suggested: HoldoutSummary | null;
  /** ...plus the candidate rules. */
  withCandidates: HoldoutSummary | null;
}

export interface Suggestions {
  split: SplitOptions & { trainingLeads: number; holdoutLeads: number };
  fitted: boolean;
  reason: string | null;
  pointsPerLogOdds: number | null;
  /** Rules' points fitted together (without candidates). */
  rules: SuggestionFit['rules'];
  /** Rules' points when fitted together with the candidates (what applying candidates uses). */
  rulesWithCandidates: SuggestionFit['rules'] | null;
  candidates: CandidateSuggestion[];
  holdout: HoldoutComparison;
}

export interface SuggestionRunOptions {
  split: SplitOptions;
  fitting: Partial<SuggestionOptions>;
  candidates: Partial<CandidateOptions> & { max: number; minZ: number; screenLeads?: number };
  evaluatorFactory: EvaluatorFactory;
  /** Most training leads the fits, thresholds and caps use (fitLeadsBound() by default; see fitSample). */
  fitLeads?: number;
}

/** Candidate rules evaluated at once. */
const CANDIDATE_CHUNK = 64;

/**
 * Most training leads candidate rules are screened on. Screening picks the strongest candidates
 * by a z statistic; on 50,000 leads its standard error is that of any estimate from 50,000 draws,
 * so only candidates near the cut (|z| about minZ, or about the max-th strongest) can change with
 * the sample. The figures reported for the kept candidates are computed on the whole training part.
 */
export const SCREEN_LEADS = 50_000;

/** At most `max` of `rows`, spread evenly (all of them when there are no more). */
function evenSample(rows: Uint32Array, max: number): Uint32Array {
  if (rows.length <= max) return rows;
  const step = rows.length / max;
  return Uint32Array.from({ length: max }, (_, k) => rows[Math.floor(k * step)]);
}

/** The rows of `n` in any of `parts`, ascending. */
function unionOf(n: number, parts: readonly Uint32Array[]): Uint32Array {
  const on = new Uint8Array(n);
  let count = 0;
  for (const part of parts)
    for (const i of part)
      if (!on[i]) {
        on[i] = 1;
        count += 1;
      }
  const out = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (on[i]) out[k++] = i;
  return out;
}

export const DEFAULT_SUGGESTION_RUN: SuggestionRunOptions = {
  split: DEFAULT_SPLIT,
  fitting: {},
  candidates: { max: 40, minZ: 3 },
  evaluatorFactory: defaultEvaluatorFactory,
};

function summary(metrics: BacktestMetrics): HoldoutSummary {
  return {
    threshold: metrics.threshold,
    auc: metrics.auc,
    qualified: metrics.qualified,
    precision: metrics.precision,
    recall: metrics.recall,
    shareToSales: metrics.shareToSales,
    topDecileLift: metrics.deciles[0]?.lift ?? null,
  };
}

/** A rule set's holdout figures: `scores` under `definition`, on the `rows` held out. */
export function holdoutSummary(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  scores: CohortScores,
  rows: Uint32Array,
): HoldoutSummary {
  return summary(computeMetrics(metricsInput(definition, snapshot, scores, rows, { rules: false })));
}

/** A candidate's figures over `rows` (weighted up to the leads they stand for when `weights` are given). */
function candidateStats(
  fired: Uint8Array,
  width: number,
  column: number,
  converted: Uint8Array,
  rows: Uint32Array,
  weights: ClassWeights = { converted: 1, other: 1 },
) {
  let a = 0;
  let f = 0;
  let n = 0;
  let totalConverted = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const w = converted[i] ? weights.converted : weights.other;
    n += w;
    if (converted[i]) totalConverted += w;
    if (fired[i * width + column]) {
      f += w;
      if (converted[i]) a += w;
    }
  }
  a = Math.round(a);
  f = Math.round(f);
  n = Math.round(n);
  totalConverted = Math.round(totalConverted);
  const b = f - a;
  const c = totalConverted - a;
  const d = n - f - c;
  const logOddsRatio = Math.log((a + 0.5) / (b + 0.5)) - Math.log((c + 0.5) / (d + 0.5));
  const se = Math.sqrt(1 / (a + 0.5) + 1 / (b + 0.5) + 1 / (c + 0.5) + 1 / (d + 0.5));
  const overall = n ? totalConverted / n : 0;
  return {
    fired: f,
    conversionWhenFired: f ? a / f : null,
    lift: f && overall ? a / f / overall : null,
    logOddsRatio,
    z: logOddsRatio / se,
  };
}

/** A stable fingerprint of a column over the training rows (to drop candidates a rule already expresses). */
function fingerprint(fired: Uint8Array, width: number, column: number, rows: Uint32Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0;
  for (let k = 0; k < rows.length; k++) {
    if (!fired[rows[k] * width + column]) continue;
    h1 = Math.imul(h1 ^ k, 0x01000193);
    h2 = (h2 + Math.imul(k + 1, 2654435761)) >>> 0;
  }
  return `${h1 >>> 0}:${h2}`;
}

/**
 * Splits, fits and measures. `leads` are the cohort leads the metrics use; `current` their scores
 * under `definition`.
 */
export async function computeSuggestions(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  leads: Uint32Array,
  current: CohortScores,
  attributeTypes: ReadonlyMap<string, FactType>,
  options: Partial<SuggestionRunOptions> = {},
): Promise<Suggestions> {
  const opts = { ...DEFAULT_SUGGESTION_RUN, ...options, candidates: { ...DEFAULT_SUGGESTION_RUN.candidates, ...options.candidates } };
  const holdoutFlags = splitLeads(opts.split.kind, opts.split.holdoutShare, leads, snapshot.leadIds, snapshot.createdAt);
  const train: number[] = [];
  const hold: number[] = [];
  leads.forEach((i, k) => {
    (holdoutFlags[k] ? hold : train).push(i);
  });
  const training = Uint32Array.from(train);
  const holdout = Uint32Array.from(hold);
  const R = current.rules.length;
  const ruleColumns = current.rules.map((rule) => ({ rule: rule.rule, points: rule.points }));
  // Above fitLeads training leads, the fits use a sample stratified by outcome (weighted back to
  // the training part), and thresholds its leads in the training part's proportions; below, every
  // training lead.
  const fitLeads = opts.fitLeads ?? fitLeadsBound();
  const sample = fitSample(training, snapshot.converted, snapshot.leadIds, fitLeads);
  const sampled = sample.rows !== training;
  const tuneRows = sample.even;
  const fitA = suggestPoints(
    ruleColumns,
    { fired: current.fired, width: R, converted: snapshot.converted, rows: sample.rows, weights: sample.weights },
    opts.fitting,
  );

  const holdoutCurrent = computeMetrics(metricsInput(definition, snapshot, current, holdout, { rules: false }));
  const result: Suggestions = {
    split: { ...opts.split, trainingLeads: training.length, holdoutLeads: holdout.length },
    fitted: fitA.fitted,
    reason: fitA.reason,
    pointsPerLogOdds: fitA.pointsPerLogOdds,
    rules: fitA.rules,
    rulesWithCandidates: null,
    candidates: [],
    holdout: {
      leads: holdout.length,
      converted: holdoutCurrent.converted,
      current: summary(holdoutCurrent),
      suggested: null,
      withCandidates: null,
    },
  };
  if (!fitA.fitted) return result;

  /** The suggested rule set on the holdout part; its rules' fire flags are `fired`'s `columns` (no condition evaluated again). */
  const tuned = (
    points: Map<string, number>,
    chosen: Array<{ definition: CandidateRule; points: number }>,
    fired: Uint8Array,
    width: number,
    columns: number[],
  ) => {
    let next = withPoints(definition, points, chosen);
    const scoreUnder = (d: RuleSetDefinition) => scoreFromFired(d, snapshot, fired, width, columns);
    next = widenCaps(next, fired, width, sample.rows, columns);
    const retuned = retuneThresholds(
      { definition, scores: current },
      { definition: next, scores: scoreUnder(next) },
      tuneRows,
      { keepMqlShare: true },
      null,
    ).definition;
    return summary(computeMetrics(metricsInput(retuned, snapshot, scoreUnder(retuned), holdout, { rules: false })));
  };
  const ruleIndexes = current.rules.map((_, r) => r);
  const pointsOf = (rules: SuggestionFit['rules']) =>
    new Map(rules.filter((r) => r.suggestedPoints !== null).map((r) => [r.rule, r.suggestedPoints!]));
  result.holdout.suggested = tuned(pointsOf(fitA.rules), [], current.fired, R, ruleIndexes);

  // ---- candidates ----
  const enumerated = enumerateCandidates(definition, snapshot, training, attributeTypes, {
    minSupport: opts.fitting.minSupport ?? 30,
    ...opts.candidates,
  });
  if (!enumerated.length) return result;
  // Candidates are screened a chunk at a time on at most SCREEN_LEADS training leads (spread evenly
  // over the training part), keeping only the strongest ones; the kept ones are then evaluated on
  // every lead. Up to that many training leads, the screening sees them all.
  const n = snapshot.size;
  const minSupport = opts.fitting.minSupport ?? 30;
  const screen = evenSample(training, opts.candidates.screenLeads ?? SCREEN_LEADS);
  const screenRows = Uint32Array.from(screen, (_, k) => k);
  const screenConverted = Uint8Array.from(screen, (i) => snapshot.converted[i]);
  // Support in the screened leads scaled to the training part (the same when it is all of it).
  const screenSupport = Math.max(1, Math.floor((minSupport * screen.length) / Math.max(training.length, 1)));
  const taken = new Set<string>();
  for (let r = 0; r < R; r++) taken.add(fingerprint(current.fired, R, r, screen));
  let kept: Array<{ candidate: CandidateRule; stats: ReturnType<typeof candidateStats>; order: number }> = [];
  for (let from = 0; from < enumerated.length; from += CANDIDATE_CHUNK) {
    const chunk = enumerated.slice(from, from + CANDIDATE_CHUNK);
    const flags = await fireFlags(candidatesOnly(definition, chunk), snapshot, screen, opts.evaluatorFactory);
    const width = chunk.length;
    chunk.forEach((candidate, c) => {
      const stats = candidateStats(flags, width, c, screenConverted, screenRows);
      if (stats.fired < screenSupport || screen.length - stats.fired < screenSupport || Math.abs(stats.z) < opts.candidates.minZ) return;
      if (kept.length >= opts.candidates.max && Math.abs(stats.z) <= Math.abs(kept[kept.length - 1].stats.z)) return;
      const print = fingerprint(flags, width, c, screenRows);
      if (taken.has(print)) return;
      taken.add(print);
      kept.push({ candidate, stats, order: from + c });
      kept.sort((x, y) => Math.abs(y.stats.z) - Math.abs(x.stats.z) || x.order - y.order);
      kept = kept.slice(0, opts.candidates.max);
    });
  }
  if (!kept.length) return result;
  // The kept candidates are evaluated on every lead the rest reads: all of them below fitLeads
  // training leads, else the fit sample and the holdout part.
  const evaluated = sampled ? unionOf(n, [sample.rows, holdout]) : null;
  const keptFlags = await fireFlags(
    candidatesOnly(
      definition,
      kept.map((entry) => entry.candidate),
    ),
    snapshot,
    evaluated,
    opts.evaluatorFactory,
  );
  const K = kept.length;
  const width = R + K;
  // Rows of leads not evaluated stay 0: nothing below reads them.
  const allFired = new Uint8Array(n * width);
  const count = evaluated ? evaluated.length : n;
  for (let k = 0; k < count; k++) {
    const i = evaluated ? evaluated[k] : k;
    allFired.set(current.fired.subarray(i * R, i * R + R), i * width);
    allFired.set(keptFlags.subarray(k * K, k * K + K), i * width + R);
  }
  const all = { fired: allFired };
  const picked = kept.map((entry, p) => ({ ...entry, column: R + p }));
  if (screen.length < training.length) {
    // Screened on a sample: the figures, and the order, from the whole training part (or the fit
    // sample weighted up to it).
    for (const entry of picked)
      entry.stats = candidateStats(allFired, width, entry.column, snapshot.converted, sample.rows, sample.weights);
    picked.sort((x, y) => Math.abs(y.stats.z) - Math.abs(x.stats.z) || x.order - y.order);
  }
  const columns = [
    ...ruleColumns.map((rule, r) => ({ ...rule, column: r })),
    ...picked.map((entry) => ({ rule: entry.candidate.rule.name, points: 0, column: entry.column })),
  ];
  const fitB = suggestPoints(
    columns,
    { fired: all.fired, width, converted: snapshot.converted, rows: sample.rows, weights: sample.weights },
    { ...opts.fitting, scaleFrom: ruleColumns.map((_, r) => r) },
  );
  result.rulesWithCandidates = fitB.rules.slice(0, R);
  result.candidates = picked.map((entry, p) => {
    const fitted = fitB.rules[R + p];
    return {
      rule: entry.candidate.rule.name,
      label: entry.candidate.rule.event.params.label,
      dimension: entry.candidate.rule.event.params.dimension,
      definition: entry.candidate,
      fired: entry.stats.fired,
      conversionWhenFired: entry.stats.conversionWhenFired,
      lift: entry.stats.lift,
      logOddsRatio: entry.stats.logOddsRatio,
      suggestedPoints: fitted.suggestedPoints,
      margin: fitted.margin,
      note: fitted.note,
    };
  });
  const chosen = result.candidates
    .filter((c) => c.suggestedPoints !== null && c.suggestedPoints !== 0)
    .map((c) => ({ definition: c.definition, points: c.suggestedPoints! }));
  const chosenColumns = result.candidates.flatMap((c, p) =>
    c.suggestedPoints !== null && c.suggestedPoints !== 0 ? [picked[p].column] : [],
  );
  result.holdout.withCandidates = tuned(pointsOf(fitB.rules.slice(0, R)), chosen, all.fired, width, [...ruleIndexes, ...chosenColumns]);
  return result;
}
