import { accountFactsRow } from '../engine/account-facts';
import { wholeDaysBetween } from '../engine/facts';
import type { Facts, FiredRule } from '../engine/rule-engine';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import type { AccountCohort } from './account-cohort-store';
import type { BacktestResults, OpenLeads } from './backtest-rows';
import { type CohortScores, defaultEvaluatorFactory, type EvaluatorFactory, scoreCohort, scoreOf } from './cohort-scoring';
import type { CohortSnapshot } from './cohort-snapshot';
import { calibrationRecord } from './conversion-probability';
import { computeMetrics, type MetricsInput } from './metrics';
import { type Comparison, cellMoves, compareMetrics } from './metrics-comparison';

/**
 * Backtests of account models, pure: an account cohort (account-cohort-store.ts) scored under an
 * account rule set, then the lead backtest's metrics (metrics.ts) over accounts.
 *
 * An account's facts are taken as of its cutoff from its contacts as they were then: each contact's
 * engagement is its point-in-time default-model score, computed from the contacts' snapshot exactly
 * as a lead backtest scores leads (scoreCohort under the default model's active rule set of the
 * contact's segment); its last activity is its last one before the cutoff. Contact and account
 * attributes are the current ones (attributes are not versioned, as in lead backtests).
 */

/** Each contact's default-model engagement as of its account's cutoff; `definitionFor` picks its rule set by segment. */
export async function contactEngagement(
  snapshot: CohortSnapshot,
  definitionFor: (segment: string | null) => RuleSetDefinition,
  evaluatorFactory: EvaluatorFactory = defaultEvaluatorFactory,
): Promise<Float64Array> {
  const engagement = new Float64Array(snapshot.size);
  const groups = new Map<RuleSetDefinition, number[]>();
  for (let i = 0; i < snapshot.size; i++) {
    const definition = definitionFor(snapshot.segments[i]);
    const members = groups.get(definition);
    if (members) members.push(i);
    else groups.set(definition, [i]);
  }
  // Usually one rule set (the default) scores every contact; one per segment claim otherwise.
  for (const [definition, members] of groups) {
    const scores = await scoreCohort(definition, snapshot, evaluatorFactory);
    for (const i of members) engagement[i] = scores.engagement[i];
  }
  return engagement;
}

/** Epoch ms of contact i's last activity at or before its cutoff; NaN when it had none. */
function lastActivityMs(snapshot: CohortSnapshot, i: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let j = snapshot.activityOffsets[i]; j < snapshot.activityOffsets[i + 1]; j++)
    if (snapshot.activityAgeMs[j] < min) min = snapshot.activityAgeMs[j];
  return min === Number.POSITIVE_INFINITY ? Number.NaN : snapshot.cutoffAt[i] - Math.ceil(min);
}

/** Every account of the cohort scored under an account rule set, columnar (as scoreCohort for leads). */
export async function scoreAccounts(
  definition: RuleSetDefinition,
  cohort: AccountCohort,
  engagement: Float64Array,
  evaluatorFactory: EvaluatorFactory = defaultEvaluatorFactory,
): Promise<CohortScores> {
  const { contacts: snapshot, size: n } = cohort;
  const rules = definition.rules.map((rule) => ({
    rule: rule.name,
    label: rule.event.params.label,
    dimension: rule.event.params.dimension,
    points: rule.event.params.points,
  }));
  const R = rules.length;
  const evaluator = evaluatorFactory(definition);
  const scores: CohortScores = {
    total: new Float64Array(n),
    fit: new Float64Array(n),
    engagement: new Float64Array(n),
    cell: new Uint8Array(n),
    band: new Uint8Array(n),
    qualified: new Uint8Array(n),
    rules,
    fired: new Uint8Array(n * R),
    compiled: evaluator.compiled,
  };
  const lastActive = Float64Array.from({ length: snapshot.size }, (_, i) => lastActivityMs(snapshot, i));
  for (let a = 0; a < n; a++) {
    // One account's contacts at a time: the objects below live only while it is scored.
    const members = [];
    let latest = Number.NaN;
    for (let k = cohort.contactOffsets[a]; k < cohort.contactOffsets[a + 1]; k++) {
      const c = cohort.contactIndexes[k];
      const last = lastActive[c];
      if (!Number.isNaN(last) && !(last <= latest)) latest = last;
      members.push({
        leadId: snapshot.leadIds[c],
        label: snapshot.emails[c] ?? snapshot.externalIds[c],
        engagement: engagement[c],
        lastActivityAt: Number.isNaN(last) ? null : new Date(last),
        attributes: snapshot.attributes[c],
      });
    }
    const asOf = new Date(cohort.cutoffAt[a]);
    const facts: Facts = accountFactsRow(definition, { attributes: cohort.attributes[a] }, members, asOf).facts;
    const base = a * R;
    let fired: FiredRule[];
    if (evaluator.compiled && evaluator.mark) {
      evaluator.mark(facts, scores.fired, base);
      fired = rules.filter((_, r) => scores.fired[base + r] === 1);
    } else {
      const result = evaluator.evaluate(facts);
      fired = Array.isArray(result) ? result : await result;
      const index = new Map(rules.map((rule, r) => [rule.rule, r]));
      for (const rule of fired) {
        const r = index.get(rule.rule);
        if (r !== undefined) scores.fired[base + r] = 1;
      }
    }
    // Decay counts whole days since any contact was last active, as account scoring does; since the
    // first contact when none was (account scoring: since the account's row was created).
    const since = Number.isNaN(latest) ? cohort.firstContactAt[a] : latest;
    const totals = scoreOf(definition, fired, wholeDaysBetween(since, asOf));
    scores.total[a] = totals.total;
    scores.fit[a] = totals.fit;
    scores.engagement[a] = totals.engagement;
    scores.cell[a] = totals.cell;
    scores.band[a] = totals.band;
    scores.qualified[a] = totals.qualified ? 1 : 0;
  }
  return scores;
}

/** The accounts metrics are computed over: all (open ones as not converted), or only the decided ones. */
export function selectAccounts(cohort: AccountCohort, openLeads: OpenLeads): Uint32Array {
  if (openLeads === 'not_converted') return Uint32Array.from({ length: cohort.size }, (_, a) => a);
  const picked: number[] = [];
  for (let a = 0; a < cohort.size; a++) if (cohort.decided[a]) picked.push(a);
  return Uint32Array.from(picked);
}

function accountMetricsInput(
  definition: RuleSetDefinition,
  cohort: AccountCohort,
  scores: CohortScores,
  picked: Uint32Array,
): MetricsInput {
  const R = scores.rules.length;
  const pick = <T extends Float64Array | Uint8Array>(source: T): T => {
    const out = new (source.constructor as new (length: number) => T)(picked.length);
    for (let k = 0; k < picked.length; k++) out[k] = source[picked[k]];
    return out;
  };
  const fired = new Uint8Array(picked.length * R);
  for (let k = 0; k < picked.length; k++) fired.set(scores.fired.subarray(picked[k] * R, picked[k] * R + R), k * R);
  return {
    scores: pick(scores.total),
    converted: pick(cohort.converted),
    dealValue: pick(cohort.dealValue),
    cells: pick(scores.cell),
    bands: pick(scores.band),
    bandNames: definition.bands.map((band) => band.name),
    qualified: pick(scores.qualified),
    threshold: definition.qualification.threshold,
    rules: scores.rules,
    fired,
  };
}

export interface AccountResultsInput {
  candidate: RuleSetDefinition;
  baseline: RuleSetDefinition | null;
  cohort: AccountCohort;
  /** Each contact's default-model engagement as of its account's cutoff (contactEngagement). */
  engagement: Float64Array;
  loadCohortMs: number;
  options: { openLeads?: OpenLeads };
  evaluatorFactory: EvaluatorFactory;
  calibrate: boolean;
}

/**
 * An account run's results: the same metrics, comparison and calibration as a lead run, over
 * accounts. No fitted suggestions: they search lead facts (activities, attributes) that account
 * rule sets do not have.
 */
export async function computeAccountResults(input: AccountResultsInput): Promise<BacktestResults> {
  const { candidate, baseline, cohort, evaluatorFactory } = input;
  let t = Date.now();
  const picked = selectAccounts(cohort, input.options.openLeads ?? 'not_converted');
  const candidateScores = await scoreAccounts(candidate, cohort, input.engagement, evaluatorFactory);
  const baselineScores = baseline ? await scoreAccounts(baseline, cohort, input.engagement, evaluatorFactory) : null;
  const score = Date.now() - t;
  t = Date.now();
  const metrics = computeMetrics(accountMetricsInput(candidate, cohort, candidateScores, picked));
  let comparison: Comparison | null = null;
  if (baseline && baselineScores) {
    const baselineMetrics = computeMetrics(accountMetricsInput(baseline, cohort, baselineScores, picked));
    const moves = cellMoves(
      Uint8Array.from(picked, (a) => baselineScores.cell[a]),
      Uint8Array.from(picked, (a) => candidateScores.cell[a]),
      Uint8Array.from(picked, (a) => cohort.converted[a]),
      Array.from(picked, (a) => cohort.labels[a]),
    );
    comparison = compareMetrics(metrics, baselineMetrics, moves);
  }
  return {
    metrics,
    comparison,
    compiled: candidateScores.compiled && (baselineScores?.compiled ?? true),
    timings: { loadCohort: input.loadCohortMs, score, metrics: Date.now() - t },
    ...(input.calibrate ? { calibration: calibrationRecord(candidateScores.total, cohort.converted, picked) } : {}),
  };
}
