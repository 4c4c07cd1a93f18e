import { CELLS } from '../engine/ruleset-definition';
import { type BacktestMetrics, type GroupMetrics, roundMoney } from './metrics';

/** Two versions' metrics on the same leads: the differences, and how leads moved between cells. Pure. */

export interface CellMove {
  from: string;
  to: string;
  leads: number;
  converted: number;
  /** Up to MAX_MOVE_EXAMPLES external ids, in the cohort's order. */
  examples: string[];
}

export const MAX_MOVE_EXAMPLES = 5;

/** The 16 x 16 matrix of (baseline cell -> candidate cell), as a sparse list of its non-empty entries (the diagonal included). */
export function cellMoves(
  fromCells: ArrayLike<number>,
  toCells: ArrayLike<number>,
  converted: ArrayLike<number>,
  externalIds: readonly string[],
): CellMove[] {
  const size = CELLS.length;
  const entries = new Map<number, CellMove>();
  for (let i = 0; i < fromCells.length; i++) {
    const key = fromCells[i] * size + toCells[i];
    let move = entries.get(key);
    if (!move) {
      move = { from: CELLS[fromCells[i]], to: CELLS[toCells[i]], leads: 0, converted: 0, examples: [] };
      entries.set(key, move);
    }
    move.leads += 1;
    move.converted += converted[i] ? 1 : 0;
    if (move.examples.length < MAX_MOVE_EXAMPLES) move.examples.push(externalIds[i]);
  }
  return [...entries.entries()].sort((a, b) => a[0] - b[0]).map(([, move]) => move);
}

const delta = (candidate: number | null, baseline: number | null): number | null =>
  candidate === null || baseline === null ? null : candidate - baseline;

export interface GroupDelta {
  leads: number;
  converted: number;
  conversionRate: number | null;
  revenue: number;
}

export interface RuleDelta {
  rule: string;
  /** Null when the rule is not in that version. */
  baselinePoints: number | null;
  candidatePoints: number | null;
  fireRate: number | null;
  conversionWhenFired: number | null;
  lift: number | null;
}

export interface MetricDeltas {
  auc: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  shareToSales: number | null;
  qualified: number;
  bands: Array<GroupDelta & { band: string }>;
  cells: Array<GroupDelta & { cell: string }>;
  deciles: Array<{ decile: number; conversionRate: number | null; lift: number | null; cumulativeGain: number | null }>;
  rules: RuleDelta[];
}

export interface Comparison {
  baseline: BacktestMetrics;
  /** candidate - baseline, for every metric. */
  deltas: MetricDeltas;
  cellMoves: CellMove[];
  /** Leads whose cell differs between the two versions. */
  leadsChangingCell: number;
}

function groupDelta(candidate: GroupMetrics | undefined, baseline: GroupMetrics | undefined): GroupDelta {
  const empty: GroupMetrics = { leads: 0, converted: 0, conversionRate: null, revenue: 0 };
  const c = candidate ?? empty;
  const b = baseline ?? empty;
  return {
    leads: c.leads - b.leads,
    converted: c.converted - b.converted,
    conversionRate: delta(c.conversionRate, b.conversionRate),
    revenue: roundMoney(c.revenue - b.revenue),
  };
}

/** Every metric of `candidate` next to `baseline` (both on the same leads), and the leads' cell moves. */
export function compareMetrics(candidate: BacktestMetrics, baseline: BacktestMetrics, moves: CellMove[]): Comparison {
  const bandNames = [...new Set([...candidate.bands.map((b) => b.band), ...baseline.bands.map((b) => b.band)])];
  const ruleNames = [...new Set([...candidate.rules.map((r) => r.rule), ...baseline.rules.map((r) => r.rule)])];
  return {
    baseline,
    deltas: {
      auc: delta(candidate.auc, baseline.auc),
      precision: delta(candidate.precision, baseline.precision),
      recall: delta(candidate.recall, baseline.recall),
      f1: delta(candidate.f1, baseline.f1),
      shareToSales: delta(candidate.shareToSales, baseline.shareToSales),
      qualified: candidate.qualified - baseline.qualified,
      bands: bandNames.map((band) => ({
        band,
        ...groupDelta(
          candidate.bands.find((b) => b.band === band),
          baseline.bands.find((b) => b.band === band),
        ),
      })),
      cells: CELLS.map((cell, c) => ({ cell, ...groupDelta(candidate.cells[c], baseline.cells[c]) })),
      deciles: candidate.deciles.map((decile, d) => ({
        decile: decile.decile,
        conversionRate: delta(decile.conversionRate, baseline.deciles[d].conversionRate),
        lift: delta(decile.lift, baseline.deciles[d].lift),
        cumulativeGain: delta(decile.cumulativeGain, baseline.deciles[d].cumulativeGain),
      })),
      rules: ruleNames.map((name) => {
        const c = candidate.rules.find((r) => r.rule === name);
        const b = baseline.rules.find((r) => r.rule === name);
        return {
          rule: name,
          baselinePoints: b?.currentPoints ?? null,
          candidatePoints: c?.currentPoints ?? null,
          fireRate: delta(c?.fireRate ?? null, b?.fireRate ?? null),
          conversionWhenFired: delta(c?.conversionWhenFired ?? null, b?.conversionWhenFired ?? null),
          lift: delta(c?.lift ?? null, b?.lift ?? null),
        };
      }),
    },
    cellMoves: moves,
    leadsChangingCell: moves.reduce((sum, move) => (move.from === move.to ? sum : sum + move.leads), 0),
  };
}
