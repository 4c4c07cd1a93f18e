'use client';

import { useEffect, useRef } from 'react';
import { ErrorMessage, Loading } from '@/components/states';
import { Metric } from '@/features/rule-sets/rescore-progress';
import type { BacktestMetricsFieldsFragment, BacktestRunQuery as BacktestRunResult } from '@/gql/graphql';
import { actorName, formatDateTime, formatNumber, formatPercent, signed } from '@/lib/format';
import { ApiError } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { BandChart, DecileChart, RocChart } from './backtest-charts';
import { ExportLeadsButton } from './export-leads-button';
import { CellHeatMap } from './heat-map';
import { BacktestRunQuery } from './operations';
import { describeCohort } from './backtest-form';
import { Suggestions } from './backtest-suggestions';

export type Run = BacktestRunResult['backtestRun'];

export function RunResult({ runId, onFinished }: { runId: string; onFinished(): void }) {
  const ended = (status: string) => status === 'completed' || status === 'failed';
  const { data, error } = useQuery(BacktestRunQuery, { id: runId }, { pollMs: 1000, done: (answer) => ended(answer.backtestRun.status) });
  const run = data?.backtestRun;
  const finished = !!run && ended(run.status);
  const reported = useRef(false);
  useEffect(() => {
    if (finished && !reported.current) {
      reported.current = true;
      onFinished();
    }
  }, [finished, onFinished]);
  if (error) return <ErrorMessage error={error} title="Could not load the backtest" />;
  if (!run) return <Loading label="Loading the backtest…" />;
  if (run.status === 'failed')
    return <ErrorMessage error={new ApiError([{ message: run.error ?? 'The backtest failed.' }])} title="The backtest failed" />;
  if (!run.results) return <Loading label={`Backtest ${run.status}…`} />;
  return <Results run={run} />;
}

function Delta({ value, percent = true, digits = 1 }: { value: number | null | undefined; percent?: boolean; digits?: number }) {
  if (value === null || value === undefined || Math.abs(percent ? value * 100 : value) < (percent ? 0.05 : 0.0005)) return null;
  const text = percent ? `${value > 0 ? '+' : ''}${(value * 100).toFixed(digits)} pts` : `${value > 0 ? '+' : ''}${value.toFixed(3)}`;
  return <span className={value > 0 ? 'delta-up' : 'delta-down'}> {text}</span>;
}

function Results({ run }: { run: Run }) {
  const results = run.results!;
  const metrics: BacktestMetricsFieldsFragment = results.metrics;
  const comparison = results.comparison;
  const baseline = comparison?.baseline;
  const baselineLabel = comparison ? `v${comparison.baselineVersion ?? '?'}` : '';
  const deltas = comparison?.deltas;
  const moves = (comparison?.cellMoves ?? []).filter((move) => move.from !== move.to).sort((a, b) => b.leads - a.leads);
  const fitted = new Map((results.suggestions?.rules ?? []).map((rule) => [rule.rule, rule]));
  // Runs of an account model are over accounts: the same figures, counted in accounts.
  const accounts = run.subject === 'ACCOUNT';
  const noun = accounts ? 'account' : 'lead';
  const rules = [...metrics.rules].sort(
    (a, b) =>
      Math.abs((b.suggestedPoints ?? b.currentPoints) - b.currentPoints) -
      Math.abs((a.suggestedPoints ?? a.currentPoints) - a.currentPoints),
  );
  return (
    <div className="stack" data-testid="backtest-results">
      <section className="card">
        <h2 style={{ marginTop: 0 }}>
          {run.version ? `v${run.version}` : 'Unsaved draft'}
          {comparison ? ` compared with v${comparison.baselineVersion}` : ''}
        </h2>
        {!accounts && <ExportLeadsButton runId={run.id} />}
        <p className="muted small">
          {describeCohort(run.cohortSpec, noun)} · open {noun}s {run.openLeads === 'EXCLUDED' ? 'left out' : 'count as not converted'} · run{' '}
          {formatDateTime(run.createdAt)} by {actorName(run.createdBy)} in {formatNumber(run.durationMs)} ms
        </p>
        {metrics.converted === 0 && (
          <p className="state warning">
            No {noun} of this cohort converted: conversion figures cannot be judged. Choose a period with known outcomes.
          </p>
        )}
        <div className="metrics">
          <Metric label={accounts ? 'Accounts' : 'Leads'} value={formatNumber(metrics.leads)} />
          <Metric
            label="Converted"
            value={
              <>
                {formatNumber(metrics.converted)} <span className="small muted">({formatPercent(metrics.conversionRate)})</span>
              </>
            }
          />
          <Metric
            label="AUC"
            value={
              <>
                <span data-testid="backtest-auc">{metrics.auc?.toFixed(3) ?? 'n/a'}</span>
                <Delta value={deltas?.auc} percent={false} />
              </>
            }
          />
          <Metric
            label={`Precision at ${metrics.threshold}`}
            value={
              <>
                {formatPercent(metrics.precision)}
                <Delta value={deltas?.precision} />
              </>
            }
          />
          <Metric
            label="Recall"
            value={
              <>
                {formatPercent(metrics.recall)}
                <Delta value={deltas?.recall} />
              </>
            }
          />
          <Metric
            label="F1"
            value={
              <>
                {metrics.f1?.toFixed(3) ?? 'n/a'}
                <Delta value={deltas?.f1} percent={false} />
              </>
            }
          />
          <Metric
            label="Sent to sales"
            value={
              <>
                {formatPercent(metrics.shareToSales)}
                <Delta value={deltas?.shareToSales} />
              </>
            }
          />
        </div>
      </section>
      <div className="charts-grid">
        <RocChart metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} noun={noun} />
        <CellHeatMap metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} noun={noun} />
        <BandChart metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} noun={noun} />
        <DecileChart metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} noun={noun} />
      </div>
      {comparison && (
        <section className="card" aria-labelledby="moves-title">
          <h2 id="moves-title" style={{ marginTop: 0 }}>
            {accounts ? 'Accounts' : 'Leads'} changing cell: {formatNumber(comparison.leadsChangingCell)}
          </h2>
          {moves.length === 0 ? (
            <p className="muted">Every {noun} stays in its cell.</p>
          ) : (
            <div className="table-wrap">
              <table data-testid="cell-moves">
                <thead>
                  <tr>
                    <th scope="col">From ({baselineLabel})</th>
                    <th scope="col">To (this version)</th>
                    <th scope="col" className="num">
                      {accounts ? 'Accounts' : 'Leads'}
                    </th>
                    <th scope="col" className="num">
                      Converted
                    </th>
                    <th scope="col">For example</th>
                  </tr>
                </thead>
                <tbody>
                  {moves.slice(0, 12).map((move) => (
                    <tr key={`${move.from}-${move.to}`}>
                      <td>
                        <span className="cell-tag">{move.from}</span>
                      </td>
                      <td>
                        <span className="cell-tag">{move.to}</span>
                      </td>
                      <td className="num">{formatNumber(move.leads)}</td>
                      <td className="num">{formatNumber(move.converted)}</td>
                      <td className="small muted">{move.examples.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <section className="card" aria-labelledby="rules-title">
        <h2 id="rules-title" style={{ marginTop: 0 }}>
          Rules against outcomes
        </h2>
        <p className="muted small">
          Suggested points are fitted on the training part of this cohort, all rules together (± is a 95% interval); hover a dash for why a
          rule has none. Largest differences first.
        </p>
        <div className="table-wrap">
          <table data-testid="backtest-rules" className="wrap-headers">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col" className="num">
                  Points
                </th>
                <th scope="col" className="num">
                  Suggested
                </th>
                <th scope="col" className="num">
                  Fired
                </th>
                <th scope="col" className="num">
                  Converts when fired
                </th>
                <th scope="col" className="num">
                  …when not
                </th>
                <th scope="col" className="num">
                  Lift
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.rule}>
                  <td>
                    {rule.label} <span className="muted small">({rule.dimension.toLowerCase()})</span>
                  </td>
                  <td className="num">{signed(rule.currentPoints)}</td>
                  <td className="num">
                    {rule.suggestedPoints === null ? (
                      <span className="muted" title={fitted.get(rule.rule)?.note ?? undefined}>
                        —
                      </span>
                    ) : (
                      <span title={fitted.get(rule.rule)?.note ?? undefined}>
                        <strong
                          className={
                            rule.suggestedPoints > rule.currentPoints
                              ? 'delta-up'
                              : rule.suggestedPoints < rule.currentPoints
                                ? 'delta-down'
                                : undefined
                          }
                        >
                          {signed(rule.suggestedPoints)}
                        </strong>
                        {fitted.get(rule.rule)?.margin != null && (
                          <span className="muted small"> ±{Math.round(fitted.get(rule.rule)!.margin!)}</span>
                        )}
                      </span>
                    )}
                  </td>
                  <td className="num">
                    {formatNumber(rule.fired)} <span className="muted small">({formatPercent(rule.fireRate, 0)})</span>
                  </td>
                  <td className="num">{formatPercent(rule.conversionWhenFired)}</td>
                  <td className="num">{formatPercent(rule.conversionWhenNotFired)}</td>
                  <td className="num">{rule.lift === null ? '—' : `${rule.lift.toFixed(2)}×`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {results.suggestions && <Suggestions run={run} suggestions={results.suggestions} />}
    </div>
  );
}
