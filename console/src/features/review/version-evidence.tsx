'use client';

import Link from 'next/link';
import { formatNumber, formatPercent } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { VersionEvidenceQuery } from './operations';

const auc = (value: number | null | undefined) => (value == null ? 'n/a' : value.toFixed(3));

/** For a version made from backtest suggestions: the holdout comparison with the active version and the re-tuned thresholds. */
export function VersionEvidence({ versionId, ruleSetKey }: { versionId: string; ruleSetKey: string }) {
  const query = useQuery(VersionEvidenceQuery, { id: versionId });
  const evidence = query.data?.ruleSetVersion.evidence;
  if (!evidence) return null;
  const { holdout, thresholds } = evidence;
  const rows: Array<[string, string, string]> = [
    ['AUC', auc(holdout.active.auc), auc(holdout.draft.auc)],
    [
      `Precision (at ${holdout.active.threshold} / ${holdout.draft.threshold})`,
      formatPercent(holdout.active.precision),
      formatPercent(holdout.draft.precision),
    ],
    ['Recall', formatPercent(holdout.active.recall), formatPercent(holdout.draft.recall)],
    ['Top-decile lift', holdout.active.topDecileLift?.toFixed(2) ?? 'n/a', holdout.draft.topDecileLift?.toFixed(2) ?? 'n/a'],
  ];
  // A small cohort qualifies under ten leads a week: whole numbers would read "0 → 0 a week".
  const perWeek = (value: number) => value.toFixed(value < 10 ? 1 : 0);
  const weekly =
    evidence.mqlsPerWeekBefore == null ? '' : ` (${perWeek(evidence.mqlsPerWeekBefore)} → ${perWeek(evidence.mqlsPerWeekAfter!)} a week)`;
  return (
    <section className="card" aria-labelledby="evidence-title" data-testid="version-evidence">
      <h2 id="evidence-title" style={{ marginTop: 0 }}>
        Fitted from{' '}
        <Link href={`/rule-sets/${encodeURIComponent(ruleSetKey)}/versions/${versionId}/backtest?run=${evidence.backtestRunId}`}>
          backtest {evidence.backtestRunId}
        </Link>
      </h2>
      {evidence.stale && (
        <p className="state warning">
          This version was edited after the suggestions were applied: the figures below describe it as applied.
        </p>
      )}
      <p className="muted small">
        On {formatNumber(holdout.leads)} held-out leads ({formatNumber(holdout.converted)} converted) the fit never saw, against the active
        v{holdout.activeVersion}.
      </p>
      <div className="table-wrap">
        <table data-testid="evidence-holdout">
          <thead>
            <tr>
              <th scope="col">Held out</th>
              <th scope="col" className="num">
                Active v{holdout.activeVersion}
              </th>
              <th scope="col" className="num">
                This version
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, before, after]) => (
              <tr key={label}>
                <td>{label}</td>
                <td className="num">{before}</td>
                <td className="num">
                  <strong>{after}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="small">
        Qualification threshold {thresholds.qualificationBefore} → <strong>{thresholds.qualificationAfter}</strong>; share of the cohort
        qualified {formatPercent(evidence.mqlShareBefore)} → {formatPercent(evidence.mqlShareAfter)}
        {weekly}. Bands:{' '}
        {thresholds.bands
          .filter((band) => band.before !== null)
          .map((band) => `${band.band} ${band.before} → ${band.after}`)
          .join(', ')}
        .
      </p>
      {evidence.notes.length > 0 && (
        <ul className="small muted">
          {evidence.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
