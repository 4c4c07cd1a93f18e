import type { FactType } from '../engine/ruleset-definition';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import type { BacktestResults, OpenLeads } from './backtest-rows';
import { type EvaluatorFactory, metricsInput, scoreCohort, selectLeads } from './cohort-scoring';
import type { CohortSnapshot } from './cohort-snapshot';
import { calibrationRecord } from './conversion-probability';
import { computeMetrics } from './metrics';
import { type Comparison, cellMoves, compareMetrics } from './metrics-comparison';
import { computeSuggestions, DEFAULT_SPLIT, type SplitOptions } from './suggestions';

export interface ResultsInput {
  candidate: RuleSetDefinition;
  /** The version compared to, if any. */
  baseline: RuleSetDefinition | null;
  snapshot: CohortSnapshot;
  /** How long reading the snapshot took (reported in the timings). */
  loadCohortMs: number;
  options: { openLeads?: OpenLeads; split?: SplitOptions };
  /** Read when fitting starts: the attribute types the candidate rules may test. */
  attributeTypes: () => Promise<ReadonlyMap<string, FactType>>;
  evaluatorFactory: EvaluatorFactory;
  /** A saved version's run records its conversion probability by score. */
  calibrate: boolean;
}

/** Scores a cohort's snapshot under the candidate (and the baseline), then its metrics, comparison and suggestions. */
export async function computeResults(input: ResultsInput): Promise<BacktestResults> {
  const { candidate, baseline, snapshot, evaluatorFactory } = input;
  let t = Date.now();
  const leads = selectLeads(snapshot, input.options.openLeads ?? 'not_converted');
  const candidateScores = await scoreCohort(candidate, snapshot, evaluatorFactory);
  const baselineScores = baseline ? await scoreCohort(baseline, snapshot, evaluatorFactory) : null;
  const score = Date.now() - t;
  t = Date.now();
  const metrics = computeMetrics(metricsInput(candidate, snapshot, candidateScores, leads));
  let comparison: Comparison | null = null;
  if (baseline && baselineScores) {
    const baselineMetrics = computeMetrics(metricsInput(baseline, snapshot, baselineScores, leads));
    const pick = (cells: Uint8Array) => Uint8Array.from(leads, (i) => cells[i]);
    const moves = cellMoves(
      pick(baselineScores.cell),
      pick(candidateScores.cell),
      Uint8Array.from(leads, (i) => snapshot.converted[i]),
      Array.from(leads, (i) => snapshot.externalIds[i]),
    );
    comparison = compareMetrics(metrics, baselineMetrics, moves);
  }
  const metricsMs = Date.now() - t;
  t = Date.now();
  const suggestions = await computeSuggestions(candidate, snapshot, leads, candidateScores, await input.attributeTypes(), {
    split: input.options.split ?? DEFAULT_SPLIT,
    evaluatorFactory,
  });
  // The rule table shows the joint fit (on the training part), not each rule judged alone.
  const fitted = new Map(suggestions.rules.map((rule) => [rule.rule, rule.suggestedPoints]));
  for (const rule of metrics.rules) rule.suggestedPoints = fitted.get(rule.rule) ?? null;
  metrics.pointsPerLogOdds = { fit: suggestions.pointsPerLogOdds, engagement: suggestions.pointsPerLogOdds };
  return {
    metrics,
    comparison,
    suggestions,
    compiled: candidateScores.compiled && (baselineScores?.compiled ?? true),
    timings: { loadCohort: input.loadCohortMs, score, metrics: metricsMs, fit: Date.now() - t },
    ...(input.calibrate ? { calibration: calibrationRecord(candidateScores.total, snapshot.converted, leads) } : {}),
  };
}
