import { Metric } from '@/features/rule-sets/rescore-progress';
import { formatNumber, formatPercent } from '@/lib/format';

interface Probability {
  value: number | null;
  stale: boolean;
  reason: string | null;
  source: { backtestRunId: string; cohortSize: number; conversions: number } | null;
}

/** The score's estimated chance of converting, with the backtest it comes from; a missing or stale one says why. */
export function ConversionProbabilityMetric({ probability }: { probability: Probability }) {
  const { value, stale, reason, source } = probability;
  const title = [
    source
      ? `From backtest ${source.backtestRunId}: ${formatNumber(source.conversions)} conversions among ${formatNumber(source.cohortSize)} leads.`
      : null,
    reason,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <Metric
      label="Conversion probability"
      value={
        <span data-testid="lead-conversion-probability" title={title}>
          {value === null ? 'n/a' : formatPercent(value)}
          {stale && <span className="badge warm small"> stale</span>}
          {(value === null || stale) && reason && (
            <span className="small muted" style={{ display: 'block' }}>
              {reason}
            </span>
          )}
        </span>
      }
    />
  );
}
