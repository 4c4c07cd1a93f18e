import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { type CandidateRule, withCandidates } from './candidates';
import type { CohortScores } from './cohort-scoring';

/**
 * A definition turned into what the suggestions propose: fitted points and candidate rules
 * (withPoints), thresholds moved to keep each grade, level and band's share of the leads and the
 * MQL target (retuneThresholds), caps wide enough for the new points (widenCaps). Pure.
 */

/** Where the qualification threshold goes: today's MQL share, or N MQLs a week. */
export type ThresholdTarget = { keepMqlShare: true } | { mqlsPerWeek: number };

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

/** Per values array: its values sorted descending and the whole-point thresholds worth trying, descending. */
const thresholdOptions = new WeakMap<Float64Array, { sorted: Float64Array; options: Float64Array }>();

function optionsFor(values: Float64Array): { sorted: Float64Array; options: Float64Array } {
  let found = thresholdOptions.get(values);
  if (found) return found;
  const sorted = Float64Array.from(values).sort().reverse();
  // One above the highest value, then every value rounded up, distinct, in descending order.
  const options: number[] = sorted.length ? [Math.floor(sorted[0]) + 1] : [];
  for (const v of sorted) {
    const t = Math.ceil(v);
    if (t !== options[options.length - 1]) options.push(t);
  }
  found = { sorted, options: Float64Array.from(options) };
  thresholdOptions.set(values, found);
  return found;
}

/**
 * The whole-point threshold whose share of leads at or above it is closest to `share` (the higher
 * one on a tie). Sorted once per values array however many shares are asked of it.
 */
export function thresholdForShare(values: Float64Array, share: number): number {
  const { sorted, options } = optionsFor(values);
  if (!sorted.length) return 0;
  let best = options[0];
  let bestGap = Math.abs(shareAtLeast(sorted, best) - share);
  for (const t of options) {
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
export function widenCaps(
  definition: RuleSetDefinition,
  fired: Uint8Array,
  width: number,
  rows: ArrayLike<number>,
  /** Rule r's column of `fired` (r when not given). */
  columns?: ArrayLike<number>,
): RuleSetDefinition {
  const points = definition.rules.map((rule) => rule.event.params.points);
  const dims = definition.rules.map((rule) => rule.event.params.dimension);
  const caps = { fit: { ...definition.caps.fit }, engagement: { ...definition.caps.engagement } };
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k] * width;
    let fit = 0;
    let engagement = 0;
    for (let r = 0; r < points.length; r++) {
      if (!fired[base + (columns ? columns[r] : r)]) continue;
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
