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
        </span>
      }
    />
  );
}

/** Why a probability is missing or stale, as a note under the metrics (a long reason would stretch every metric card). */
export function ConversionProbabilityNote({ probability }: { probability: Probability }) {
  const { value, stale, reason } = probability;
  if (!(value === null || stale) || !reason) return null;
  return (
    <p className="muted small" data-testid="lead-conversion-probability-note">
      Conversion probability: {reason}
    </p>
  );
}
