/** What backtests.test.ts asks of a run through GraphQL, and the shapes it reads back. */
export const METRICS = `leads converted conversionRate revenue auc rocCurve { fpr tpr threshold } threshold qualified precision recall f1 shareToSales
  bands { band leads converted conversionRate revenue } cells { cell leads converted conversionRate revenue }
  deciles { decile leads converted conversionRate lift cumulativeGain }
  rules { rule label dimension currentPoints fired fireRate conversionWhenFired conversionWhenNotFired lift logOddsRatio suggestedPoints }
  pointsPerLogOdds { fit engagement }`;
export const RUN = `id status cohortId cohortChecksum ruleSetKey versionId version definitionChecksum compareToVersionId compareToVersion compareChecksum
  openLeads error createdBy durationMs cohortSpec { createdFrom createdTo cutoffAt cutoffDaysAfterCreation source segment attributes { name value } }
  results { compiled metrics { ${METRICS} }
    comparison { baselineVersionId baselineVersion baseline { auc qualified bands { band leads } }
      deltas { auc precision recall f1 shareToSales qualified bands { group leads converted conversionRate revenue } cells { group leads }
               deciles { decile lift cumulativeGain } rules { rule baselinePoints candidatePoints fireRate lift } }
      cellMoves { from to leads converted examples } leadsChangingCell } }`;
export const RUN_BACKTEST = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { ${RUN} } }`;

export interface Metrics {
  leads: number;
  converted: number;
  auc: number | null;
  qualified: number;
  precision: number | null;
  recall: number | null;
  shareToSales: number | null;
  revenue: number;
  bands: Array<{ band: string; leads: number; converted: number }>;
  cells: Array<{ cell: string; leads: number; converted: number; revenue: number }>;
  deciles: Array<{ decile: number; leads: number; converted: number }>;
  rules: Array<{ rule: string; fired: number; currentPoints: number; conversionWhenFired: number | null; suggestedPoints: number | null }>;
  rocCurve: Array<{ fpr: number; tpr: number; threshold: number | null }>;
}
export interface Run {
  id: string;
  status: string;
  cohortId: string | null;
  cohortChecksum: string;
  ruleSetKey: string;
  versionId: string | null;
  version: number | null;
  definitionChecksum: string;
  compareToVersionId: string | null;
  openLeads: string;
  error: string | null;
  results: {
    compiled: boolean;
    metrics: Metrics;
    comparison: {
      baselineVersionId: string;
      baselineVersion: number;
      baseline: { auc: number; qualified: number; bands: Array<{ band: string; leads: number }> };
      deltas: {
        auc: number;
        qualified: number;
        bands: Array<{ group: string; leads: number }>;
        cells: Array<{ group: string; leads: number }>;
        rules: Array<{ rule: string; baselinePoints: number; candidatePoints: number }>;
      };
      cellMoves: Array<{ from: string; to: string; leads: number; converted: number; examples: string[] }>;
      leadsChangingCell: number;
    } | null;
  } | null;
}
