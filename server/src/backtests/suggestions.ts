import type { FactType, RuleSetDefinition } from '../engine/ruleset-definition';
import { enumerateCandidates, withCandidates, type CandidateOptions, type CandidateRule } from './candidates';
import type { CohortSnapshot } from './cohort-snapshot';
import {
  defaultEvaluatorFactory,
  metricsInput,
  scoreCohort,
  scoreFromFired,
  type CohortScores,
  type EvaluatorFactory,
} from './cohort-scoring';
import { suggestPoints, splitLeads, type SplitKind, type SuggestionFit, type SuggestionOptions } from './fitting';
import { computeMetrics, type BacktestMetrics } from './metrics';

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

export type ThresholdTarget = { keepMqlShare: true } | { mqlsPerWeek: number };

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
  candidates: Partial<CandidateOptions> & { max: number; minZ: number };
  evaluatorFactory: EvaluatorFactory;
}

/** Candidate rules evaluated at once. */
const CANDIDATE_CHUNK = 64;

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

/** The definition with new points for the named rules (others unchanged) and the candidate rules added with theirs. */
export function withPoints(
  definition: RuleSetDefinition,
  points: ReadonlyMap<string, number>,
  candidates: ReadonlyArray<{ definition: CandidateRule; points: number }>,
): RuleSetDefinition {
  const base: RuleSetDefinition = {
    ...definition,
    rules: definition.rules.map((rule) =>
      points.has(rule.name)
        ? { ...rule, event: { ...rule.event, params: { ...rule.event.params, points: points.get(rule.name)! } } }
        : rule,
    ),
  };
  return withCandidates(
    base,
    candidates.map((candidate) => ({
      ...candidate.definition,
      rule: {
        ...candidate.definition.rule,
        event: { ...candidate.definition.rule.event, params: { ...candidate.definition.rule.event.params, points: candidate.points } },
      },
    })),
  );
}

/** Share of `values` (at `rows`) at or above `threshold`. */
function shareAtLeast(sortedDesc: Float64Array, threshold: number): number {
  let lo = 0;
  let hi = sortedDesc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedDesc[mid] >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return sortedDesc.length ? lo / sortedDesc.length : 0;
}

/** The whole-point threshold whose share of leads at or above it is closest to `share` (the higher one on a tie). */
export function thresholdForShare(values: Float64Array, share: number): number {
  const sorted = Float64Array.from(values).sort().reverse();
  if (!sorted.length) return 0;
  const options = new Set<number>([Math.floor(sorted[0]) + 1]);
  for (const v of sorted) options.add(Math.ceil(v));
  let best = Math.floor(sorted[0]) + 1;
  let bestGap = Math.abs(shareAtLeast(sorted, best) - share);
  for (const t of [...options].sort((a, b) => b - a)) {
    const gap = Math.abs(shareAtLeast(sorted, t) - share);
    if (gap < bestGap - 1e-12) {
      best = t;
      bestGap = gap;
    }
  }
  return best;
}

const pickValues = (source: Float64Array, rows: ArrayLike<number>) => Float64Array.from({ length: rows.length }, (_, k) => source[rows[k]]);
const shareOf = (values: Float64Array, threshold: number) => {
  let n = 0;
  for (const v of values) if (v >= threshold) n += 1;
  return values.length ? n / values.length : 0;
};

export interface Retuned {
  definition: RuleSetDefinition;
  /** Share of the leads qualified before and after. */
  mqlShareBefore: number;
  mqlShareAfter: number;
  /** MQLs per week on the cohort (its leads over its weeks), before and after. */
  mqlsPerWeekBefore: number | null;
  mqlsPerWeekAfter: number | null;
}

/**
 * Thresholds for `next` on the same leads: each grade, level and band minimum moved to where it
 * holds the same share of leads as under `current`; the qualification threshold to `target`
 * (today's MQL share, or N MQLs a week given the cohort's leads per week). Each list stays
 * strictly descending.
 */
export function retuneThresholds(
  current: { definition: RuleSetDefinition; scores: CohortScores },
  next: { definition: RuleSetDefinition; scores: CohortScores },
  rows: ArrayLike<number>,
  target: ThresholdTarget,
  weeks: number | null,
): Retuned {
  const c = current.definition;
  const old = {
    fit: pickValues(current.scores.fit, rows),
    engagement: pickValues(current.scores.engagement, rows),
    total: pickValues(current.scores.total, rows),
  };
  const neu = {
    fit: pickValues(next.scores.fit, rows),
    engagement: pickValues(next.scores.engagement, rows),
    total: pickValues(next.scores.total, rows),
  };
  const descending = (values: number[]) => {
    for (let k = 1; k < values.length; k++) if (values[k] >= values[k - 1]) values[k] = values[k - 1] - 1;
    return values;
  };
  const [A, B, C] = descending([c.grades.A, c.grades.B, c.grades.C].map((g) => thresholdForShare(neu.fit, shareOf(old.fit, g))));
  const [l1, l2, l3] = descending(
    [c.levels['1'], c.levels['2'], c.levels['3']].map((l) => thresholdForShare(neu.engagement, shareOf(old.engagement, l))),
  );
  const bandMins = descending(
    c.bands.filter((band) => band.min !== undefined).map((band) => thresholdForShare(neu.total, shareOf(old.total, band.min!))),
  );
  const mqlShareBefore = shareOf(old.total, c.qualification.threshold);
  const leadsPerWeek = weeks && weeks > 0 ? rows.length / weeks : null;
  const share = 'mqlsPerWeek' in target ? (leadsPerWeek ? Math.min(1, target.mqlsPerWeek / leadsPerWeek) : mqlShareBefore) : mqlShareBefore;
  const threshold = thresholdForShare(neu.total, share);
  let b = 0;
  const definition: RuleSetDefinition = {
    ...next.definition,
    grades: { A, B, C },
    levels: { '1': l1, '2': l2, '3': l3 },
    bands: next.definition.bands.map((band) => (band.min === undefined ? band : { ...band, min: bandMins[b++] })),
    qualification: { ...next.definition.qualification, threshold },
  };
  const mqlShareAfter = shareOf(neu.total, threshold);
  return {
    definition,
    mqlShareBefore,
    mqlShareAfter,
    mqlsPerWeekBefore: leadsPerWeek === null ? null : mqlShareBefore * leadsPerWeek,
    mqlsPerWeekAfter: leadsPerWeek === null ? null : mqlShareAfter * leadsPerWeek,
  };
}

/** Caps widened (never narrowed) to hold every lead's summed points under `definition`, so fitted points are not cut off. */
export function widenCaps(definition: RuleSetDefinition, fired: Uint8Array, width: number, rows: ArrayLike<number>): RuleSetDefinition {
  const points = definition.rules.map((rule) => rule.event.params.points);
  const dims = definition.rules.map((rule) => rule.event.params.dimension);
  const caps = { fit: { ...definition.caps.fit }, engagement: { ...definition.caps.engagement } };
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k] * width;
    let fit = 0;
    let engagement = 0;
    for (let r = 0; r < points.length; r++) {
      if (!fired[base + r]) continue;
      if (dims[r] === 'fit') fit += points[r];
      else engagement += points[r];
    }
    caps.fit.min = Math.min(caps.fit.min, fit);
    caps.fit.max = Math.max(caps.fit.max, fit);
    caps.engagement.min = Math.min(caps.engagement.min, engagement);
    caps.engagement.max = Math.max(caps.engagement.max, engagement);
  }
  return { ...definition, caps };
}

function candidateStats(
  fired: Uint8Array,
  width: number,
  column: number,
  converted: Uint8Array,
  rows: Uint32Array,
  totalConverted: number,
) {
  let a = 0;
  let f = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    if (fired[i * width + column]) {
      f += 1;
      a += converted[i];
    }
  }
  const n = rows.length;
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
  const fitA = suggestPoints(ruleColumns, { fired: current.fired, width: R, converted: snapshot.converted, rows: training }, opts.fitting);

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
    const firstPass = scoreUnder(next);
    next = widenCaps(next, firstPass.fired, next.rules.length, training);
    const retuned = retuneThresholds(
      { definition, scores: current },
      { definition: next, scores: scoreUnder(next) },
      training,
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
  // Candidates are evaluated a chunk at a time, keeping only the strongest ones' fire flags: memory
  // stays at N x (rules + chunk + kept) bytes however many candidates the cohort suggests.
  const n = snapshot.size;
  let trainingConverted = 0;
  for (const i of training) trainingConverted += snapshot.converted[i];
  const minSupport = opts.fitting.minSupport ?? 30;
  const taken = new Set<string>();
  for (let r = 0; r < R; r++) taken.add(fingerprint(current.fired, R, r, training));
  let kept: Array<{ candidate: CandidateRule; flags: Uint8Array; stats: ReturnType<typeof candidateStats>; order: number }> = [];
  for (let from = 0; from < enumerated.length; from += CANDIDATE_CHUNK) {
    const chunk = enumerated.slice(from, from + CANDIDATE_CHUNK);
    const scored = await scoreCohort(withCandidates({ ...definition, rules: [] }, chunk), snapshot, opts.evaluatorFactory);
    const width = chunk.length;
    chunk.forEach((candidate, c) => {
      const stats = candidateStats(scored.fired, width, c, snapshot.converted, training, trainingConverted);
      if (stats.fired < minSupport || training.length - stats.fired < minSupport || Math.abs(stats.z) < opts.candidates.minZ) return;
      if (kept.length >= opts.candidates.max && Math.abs(stats.z) <= Math.abs(kept[kept.length - 1].stats.z)) return;
      const print = fingerprint(scored.fired, width, c, training);
      if (taken.has(print)) return;
      taken.add(print);
      const flags = new Uint8Array(n);
      for (let i = 0; i < n; i++) flags[i] = scored.fired[i * width + c];
      kept.push({ candidate, flags, stats, order: from + c });
      kept.sort((x, y) => Math.abs(y.stats.z) - Math.abs(x.stats.z) || x.order - y.order);
      kept = kept.slice(0, opts.candidates.max);
    });
  }
  if (!kept.length) return result;
  const width = R + kept.length;
  const allFired = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) {
    allFired.set(current.fired.subarray(i * R, i * R + R), i * width);
    for (let p = 0; p < kept.length; p++) allFired[i * width + R + p] = kept[p].flags[i];
  }
  const all = { fired: allFired };
  const picked = kept.map((entry, p) => ({ ...entry, column: R + p }));
  const columns = [
    ...ruleColumns.map((rule, r) => ({ ...rule, column: r })),
    ...picked.map((entry) => ({ rule: entry.candidate.rule.name, points: 0, column: entry.column })),
  ];
  const fitB = suggestPoints(
    columns,
    { fired: all.fired, width, converted: snapshot.converted, rows: training },
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
