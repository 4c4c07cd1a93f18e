import { compileRuleSet } from '../engine/compiled-evaluator';
import { createFastEvaluator } from '../engine/fast-evaluator';
import { applyDecay, gradeFor, levelFor } from '../engine/grading';
import type { Facts, FiredRule } from '../engine/rule-engine';
import { GRADES, LEVELS, type RuleSetDefinition } from '../engine/ruleset-definition';
import type { CohortSnapshot } from './cohort-snapshot';
import type { MetricsInput, RuleInfo } from './metrics';
import { createSnapshotFacts } from './snapshot-facts';

/**
 * What backtests need of an evaluator: createFastEvaluator's interface (sync when compiled), and
 * optionally the compiled evaluator's `mark`, which writes fired flags without allocating.
 */
export interface BacktestEvaluator {
  readonly compiled: boolean;
  readonly reason?: string;
  evaluate(facts: Facts): FiredRule[] | Promise<FiredRule[]>;
  mark?(facts: Facts, matrix: Uint8Array, offset: number): void;
}
export type EvaluatorFactory = (definition: RuleSetDefinition) => BacktestEvaluator;

/** The compiled evaluator (with `mark`) when the rule set compiles; createFastEvaluator's json-rules-engine fallback when not. */
export const defaultEvaluatorFactory: EvaluatorFactory = (definition) => {
  const compiled = compileRuleSet(definition);
  return compiled.compiled ? compiled : createFastEvaluator(definition);
};

/** Every lead of a cohort scored under one definition, columnar. */
export interface CohortScores {
  total: Float64Array;
  fit: Float64Array;
  engagement: Float64Array;
  /** Index into CELLS. */
  cell: Uint8Array;
  /** Index into definition.bands. */
  band: Uint8Array;
  qualified: Uint8Array;
  rules: RuleInfo[];
  /** fired[i * rules.length + r]. */
  fired: Uint8Array;
  /** Whether the compiled evaluator ran (false: json-rules-engine, lead by lead). */
  compiled: boolean;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

interface Totals {
  fit: number;
  engagement: number;
  total: number;
  cell: number;
  band: number;
  qualified: boolean;
}

/** bandFor, as an index into bands: the first band whose minimum the total reaches (the last has none). */
function bandIndex(total: number, bands: RuleSetDefinition['bands']): number {
  for (let b = 0; b < bands.length; b++) {
    const min = bands[b].min;
    if (min === undefined || total >= min) return b;
  }
  return bands.length - 1;
}

/** From the summed rule points on: caps, decay, grade, level, cell, band, qualification (as computeScore). */
function totalsOf(definition: RuleSetDefinition, rawFit: number, rawEngagement: number, daysInactive: number): Totals {
  const fit = clamp(rawFit, definition.caps.fit.min, definition.caps.fit.max);
  const engagement = applyDecay(
    clamp(rawEngagement, definition.caps.engagement.min, definition.caps.engagement.max),
    definition.decay,
    daysInactive,
  );
  const total = fit + engagement;
  const cell = GRADES.indexOf(gradeFor(fit, definition.grades)) * LEVELS.length + levelFor(engagement, definition.levels) - 1;
  return { fit, engagement, total, cell, band: bandIndex(total, definition.bands), qualified: total >= definition.qualification.threshold };
}

/**
 * grading.ts computeScore's numbers without its explanation (which a million leads do not need):
 * sum per dimension, caps, decay, grade, level, cell (index into CELLS), band (index), qualification.
 * Tested equal to computeScore.
 */
export function scoreOf(definition: RuleSetDefinition, fired: readonly FiredRule[], daysInactive: number): Totals {
  let rawFit = 0;
  let rawEngagement = 0;
  for (const rule of fired) {
    if (rule.dimension === 'fit') rawFit += rule.points;
    else if (rule.dimension === 'engagement') rawEngagement += rule.points;
  }
  return totalsOf(definition, rawFit, rawEngagement, daysInactive);
}

/** The rules of a definition as the metrics list them, in definition order (the columns of `fired`). */
function rulesOf(definition: RuleSetDefinition): RuleInfo[] {
  return definition.rules.map((rule) => ({
    rule: rule.name,
    label: rule.event.params.label,
    dimension: rule.event.params.dimension,
    points: rule.event.params.points,
  }));
}

/** Zeroed columns for `n` leads under `rules`. */
function emptyScores(n: number, rules: RuleInfo[], compiled: boolean): CohortScores {
  return {
    total: new Float64Array(n),
    fit: new Float64Array(n),
    engagement: new Float64Array(n),
    cell: new Uint8Array(n),
    band: new Uint8Array(n),
    qualified: new Uint8Array(n),
    rules,
    fired: new Uint8Array(n * rules.length),
    compiled,
  };
}

function storeTotals(scores: CohortScores, i: number, totals: Totals): void {
  scores.total[i] = totals.total;
  scores.fit[i] = totals.fit;
  scores.engagement[i] = totals.engagement;
  scores.cell[i] = totals.cell;
  scores.band[i] = totals.band;
  scores.qualified[i] = totals.qualified ? 1 : 0;
}

/** Scores every lead of the snapshot as of its cutoff under `definition`. */
export async function scoreCohort(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  evaluatorFactory: EvaluatorFactory = defaultEvaluatorFactory,
): Promise<CohortScores> {
  const n = snapshot.size;
  const rules = rulesOf(definition);
  const R = rules.length;
  const fitPoints = Float64Array.from(rules, (rule) => (rule.dimension === 'fit' ? rule.points : 0));
  const engagementPoints = Float64Array.from(rules, (rule) => (rule.dimension === 'engagement' ? rule.points : 0));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.rule, index]));
  const evaluator = evaluatorFactory(definition);
  const mark = evaluator.compiled && evaluator.mark ? evaluator.mark.bind(evaluator) : null;
  const facts = createSnapshotFacts(definition, snapshot);
  const scores = emptyScores(n, rules, evaluator.compiled);
  const { fired } = scores;
  // The compiled evaluator reads the facts synchronously and keeps nothing: one object serves every lead.
  const shared: Facts = {};
  for (let i = 0; i < n; i++) {
    const base = i * R;
    let rawFit = 0;
    let rawEngagement = 0;
    if (mark) {
      mark(facts.factsInto(i, shared), fired, base);
      for (let r = 0; r < R; r++) {
        if (fired[base + r]) {
          rawFit += fitPoints[r];
          rawEngagement += engagementPoints[r];
        }
      }
    } else {
      const result = evaluator.evaluate(facts.factsInto(i, evaluator.compiled ? shared : {}));
      for (const rule of Array.isArray(result) ? result : await result) {
        const r = ruleIndex.get(rule.rule);
        if (r !== undefined) fired[base + r] = 1;
        if (rule.dimension === 'fit') rawFit += rule.points;
        else if (rule.dimension === 'engagement') rawEngagement += rule.points;
      }
    }
    storeTotals(scores, i, totalsOf(definition, rawFit, rawEngagement, facts.daysInactiveOf(i)));
  }
  return scores;
}

/**
 * Which rules of `definition` fire for the leads `rows` (every lead when null), nothing else (no
 * totals): flags[k * R + r] is rule r for lead rows[k]. What candidate rules are judged by.
 */
export async function fireFlags(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  rows: ArrayLike<number> | null,
  evaluatorFactory: EvaluatorFactory = defaultEvaluatorFactory,
): Promise<Uint8Array> {
  const m = rows ? rows.length : snapshot.size;
  const R = definition.rules.length;
  const ruleIndex = new Map(definition.rules.map((rule, index) => [rule.name, index]));
  const evaluator = evaluatorFactory(definition);
  const mark = evaluator.compiled && evaluator.mark ? evaluator.mark.bind(evaluator) : null;
  const facts = createSnapshotFacts(definition, snapshot);
  const flags = new Uint8Array(m * R);
  const shared: Facts = {};
  for (let k = 0; k < m; k++) {
    const i = rows ? rows[k] : k;
    if (mark) {
      mark(facts.factsInto(i, shared), flags, k * R);
      continue;
    }
    const result = evaluator.evaluate(facts.factsInto(i, evaluator.compiled ? shared : {}));
    for (const rule of Array.isArray(result) ? result : await result) {
      const r = ruleIndex.get(rule.rule);
      if (r !== undefined) flags[k * R + r] = 1;
    }
  }
  return flags;
}

/** The leads metrics are computed over: all, or only the decided ones (converted or lost). */
export function selectLeads(snapshot: CohortSnapshot, openLeads: 'not_converted' | 'excluded'): Uint32Array {
  if (openLeads === 'not_converted') return Uint32Array.from({ length: snapshot.size }, (_, i) => i);
  const picked: number[] = [];
  for (let i = 0; i < snapshot.size; i++) if (snapshot.decided[i]) picked.push(i);
  return Uint32Array.from(picked);
}

/** Metrics input for the selected leads of a scored cohort; without `rules`, no per-rule figures (a summary needs none). */
export function metricsInput(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  scores: CohortScores,
  leads: Uint32Array,
  options: { rules: boolean } = { rules: true },
): MetricsInput {
  const R = scores.rules.length;
  const m = leads.length;
  const all = m === snapshot.size;
  const pick = <T extends Float64Array | Uint8Array>(source: T): T => {
    if (all) return source;
    const out = new (source.constructor as new (length: number) => T)(m);
    for (let k = 0; k < m; k++) out[k] = source[leads[k]];
    return out;
  };
  let fired = options.rules ? scores.fired : new Uint8Array(0);
  if (options.rules && !all) {
    fired = new Uint8Array(m * R);
    for (let k = 0; k < m; k++) fired.set(scores.fired.subarray(leads[k] * R, leads[k] * R + R), k * R);
  }
  return {
    scores: pick(scores.total),
    converted: pick(snapshot.converted),
    dealValue: pick(snapshot.dealValue),
    cells: pick(scores.cell),
    bands: pick(scores.band),
    bandNames: definition.bands.map((band) => band.name),
    qualified: pick(scores.qualified),
    threshold: definition.qualification.threshold,
    rules: options.rules ? scores.rules : [],
    fired,
  };
}

/**
 * Scores under `definition` from fire flags already computed (by scoreCohort of a rule set with the
 * same conditions): rule r of `definition` is column `columns[r]` of `fired`. For new points on the
 * same rules, no condition is evaluated again.
 */
export function scoreFromFired(
  definition: RuleSetDefinition,
  snapshot: CohortSnapshot,
  fired: Uint8Array,
  width: number,
  columns: ArrayLike<number>,
): CohortScores {
  const n = snapshot.size;
  const rules = rulesOf(definition);
  const R = rules.length;
  const facts = createSnapshotFacts(definition, snapshot);
  const scores = emptyScores(n, rules, true);
  const fitPoints = Float64Array.from(rules, (rule) => (rule.dimension === 'fit' ? rule.points : 0));
  const engagementPoints = Float64Array.from(rules, (rule) => (rule.dimension === 'fit' ? 0 : rule.points));
  const column = Uint32Array.from(columns);
  for (let i = 0; i < n; i++) {
    let rawFit = 0;
    let rawEngagement = 0;
    const base = i * width;
    for (let r = 0; r < R; r++) {
      if (!fired[base + column[r]]) continue;
      scores.fired[i * R + r] = 1;
      rawFit += fitPoints[r];
      rawEngagement += engagementPoints[r];
    }
    storeTotals(scores, i, totalsOf(definition, rawFit, rawEngagement, facts.daysInactiveOf(i)));
  }
  return scores;
}
