'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ErrorMessage, Loading } from '@/components/states';
import { useAuth } from '@/features/auth/auth-context';
import { formatDateTime, formatNumber, formatPercent } from '@/lib/format';
import { ApiError } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { describeCohort } from './backtest-form';
import { BacktestRunQuery, VersionBacktestsQuery } from './operations';
import { runBacktest } from './run-backtest';

/** On the review page: the latest backtest of this version against another one, in brief. */
export function BacktestComparison({ versionId, ruleSetKey }: { versionId: string; ruleSetKey: string }) {
  const runs = useQuery(VersionBacktestsQuery, { ruleSetKey });
  const latest = runs.data?.backtestRuns.find((run) => run.versionId === versionId && run.status === 'completed' && run.compareToVersionId);
  const page = `/rule-sets/${encodeURIComponent(ruleSetKey)}/versions/${versionId}/backtest`;
  return (
    <section className="card" aria-labelledby="bt-compare-title" data-testid="backtest-comparison">
      <h2 id="bt-compare-title" style={{ marginTop: 0 }}>
        Backtest
      </h2>
      {runs.error && <ErrorMessage error={runs.error} />}
      {runs.loading && !runs.data && <Loading />}
      {runs.data && !latest && <NoBacktest ruleSetKey={ruleSetKey} versionId={versionId} page={page} />}
      {latest && <Comparison runId={latest.id} page={page} />}
    </section>
  );
}

function NoBacktest({ ruleSetKey, versionId, page }: { ruleSetKey: string; versionId: string; page: string }) {
  const { hasRole } = useAuth();
  const router = useRouter();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <p className="muted">No backtest of this version against another one yet.</p>
      {error && <ErrorMessage error={error} />}
      {hasRole('MARKETING', 'SALES') && (
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              const id = await runBacktest({ ruleSetKey, versionId });
              router.push(`${page}?run=${id}`);
            } catch (caught) {
              setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
              setBusy(false);
            }
          }}
        >
          {busy ? 'Running…' : 'Backtest against the active version'}
        </button>
      )}
    </>
  );
}

function Comparison({ runId, page }: { runId: string; page: string }) {
  const { data, error } = useQuery(BacktestRunQuery, { id: runId });
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading />;
  const run = data.backtestRun;
  const results = run.results;
  const comparison = results?.comparison;
  if (!results || !comparison) return null;
  const metrics = results.metrics;
  const baseline = comparison.baseline;
  const rows: Array<[string, string, string]> = [
    ['AUC', baseline.auc?.toFixed(3) ?? 'n/a', metrics.auc?.toFixed(3) ?? 'n/a'],
    [`Precision at ${metrics.threshold}`, formatPercent(baseline.precision), formatPercent(metrics.precision)],
    ['Recall', formatPercent(baseline.recall), formatPercent(metrics.recall)],
    ['Sent to sales', formatPercent(baseline.shareToSales), formatPercent(metrics.shareToSales)],
    ['Qualified leads', formatNumber(baseline.qualified), formatNumber(metrics.qualified)],
    ...metrics.bands.map((band): [string, string, string] => {
      const before = baseline.bands.find((b) => b.band === band.band);
      return [
        `${band.band}: leads (conversion)`,
        before ? `${before.leads} (${formatPercent(before.conversionRate, 0)})` : '—',
        `${band.leads} (${formatPercent(band.conversionRate, 0)})`,
      ];
    }),
  ];
  const moves = comparison.cellMoves
    .filter((move) => move.from !== move.to)
    .sort((a, b) => b.leads - a.leads)
    .slice(0, 5);
  return (
    <div className="stack">
      <p className="muted small">
        {describeCohort(run.cohortSpec)} · run {formatDateTime(run.createdAt)}
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                v{comparison.baselineVersion} (now)
              </th>
              <th scope="col" className="num">
                v{run.version} (proposed)
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
      <p>
        <strong>{formatNumber(comparison.leadsChangingCell)}</strong> of {formatNumber(metrics.leads)} leads would change cell
        {moves.length > 0 && `; most often ${moves.map((move) => `${move.from} → ${move.to} (${move.leads})`).join(', ')}`}.
      </p>
      <Link href={`${page}?run=${run.id}`}>Charts and rule-by-rule results</Link>
    </div>
  );
}
