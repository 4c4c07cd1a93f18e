'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { VersionQuery } from '@/features/editor/operations';
import { RuleSetQuery } from '@/features/rule-sets/operations';
import { Metric } from '@/features/rule-sets/rescore-progress';
import type { BacktestMetricsFieldsFragment, BacktestRunQuery as BacktestRunResult, CohortSpecFieldsFragment } from '@/gql/graphql';
import { actorName, formatDate, formatDateTime, formatNumber, formatPercent, signed } from '@/lib/format';
import { ApiError } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { BandChart, DecileChart, RocChart } from './backtest-charts';
import { readSettings, type BacktestSettings } from './cohort-settings';
import { ExportLeadsButton } from './export-leads-button';
import { CellHeatMap } from './heat-map';
import { ApplyBacktestSuggestionsMutation, BacktestCohortsQuery, BacktestRunQuery, BacktestRunsQuery } from './operations';
import { CohortFreshness } from './cohort-freshness';
import { request } from '@/lib/graphql-client';
import { runBacktest } from './run-backtest';

type Run = BacktestRunResult['backtestRun'];

/** Backtest a version on historical leads: how well its scores would have predicted conversions. */
export function BacktestPage({ ruleSetKey, versionId }: { ruleSetKey: string; versionId: string }) {
  const params = useSearchParams();
  const router = useRouter();
  const runId = params.get('run');
  const version = useQuery(VersionQuery, { id: versionId });
  const ruleSet = useQuery(RuleSetQuery, { key: ruleSetKey });
  const runs = useQuery(BacktestRunsQuery, { ruleSetKey });
  const [settings, setSettings] = useState<BacktestSettings | null>(null);
  const [compareTo, setCompareTo] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<ApiError>();

  useEffect(() => setSettings(readSettings()), []);
  useEffect(() => {
    if (compareTo === null && ruleSet.data)
      setCompareTo(
        ruleSet.data.ruleSet.activeVersionId && ruleSet.data.ruleSet.activeVersionId !== versionId
          ? ruleSet.data.ruleSet.activeVersionId
          : '',
      );
  }, [ruleSet.data, compareTo, versionId]);

  const base = `/rule-sets/${encodeURIComponent(ruleSetKey)}`;
  const page = `${base}/versions/${versionId}/backtest`;

  async function run() {
    if (!settings) return;
    setRunning(true);
    setRunError(undefined);
    try {
      const id = await runBacktest({ ruleSetKey, versionId, compareToVersionId: compareTo || null, settings });
      router.replace(`${page}?run=${id}`, { scroll: false });
      await runs.refetch();
    } catch (caught) {
      setRunError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setRunning(false);
    }
  }

  if (version.error) return <ErrorMessage error={version.error} title="Could not load the version" />;
  const v = version.data?.ruleSetVersion;
  return (
    <>
      <PageHeader
        crumbs={[
          { href: '/rule-sets', label: 'Rule sets' },
          { href: base, label: ruleSetKey },
          { href: `${base}/versions/${versionId}`, label: v ? `v${v.version}` : '…' },
          { label: 'Backtest' },
        ]}
        title={`Backtest${v ? ` v${v.version}` : ''} of ${ruleSetKey}`}
        description="Scores historical leads as they were at a cutoff and checks the scores against what happened next."
        actions={
          <>
            <Link className="button" href={`${base}/versions/${versionId}`}>
              Editor
            </Link>
            <Link className="button" href={`${base}/versions/${versionId}/review`}>
              Review &amp; publish
            </Link>
          </>
        }
      />
      <div className="stack">
        {settings && (
          <BacktestForm
            settings={settings}
            onChange={setSettings}
            versions={(ruleSet.data?.ruleSet.versions ?? []).filter((candidate) => candidate.id !== versionId)}
            activeVersionId={ruleSet.data?.ruleSet.activeVersionId ?? null}
            compareTo={compareTo ?? ''}
            onCompareTo={setCompareTo}
            running={running}
            onRun={() => void run()}
          />
        )}
        <details className="card" aria-labelledby="runs-title">
          <summary id="runs-title">
            <strong>Recent runs of {ruleSetKey}</strong> {runs.data && <span className="muted">({runs.data.backtestRuns.length})</span>}
          </summary>
          {runs.error && <ErrorMessage error={runs.error} />}
          {runs.data && runs.data.backtestRuns.length === 0 && <p className="muted">No backtest of {ruleSetKey} yet.</p>}
          <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {runs.data?.backtestRuns.map((item) => (
              <li key={item.id} className="rule-outcome">
                <Link
                  href={`${base}/versions/${item.versionId ?? versionId}/backtest?run=${item.id}`}
                  aria-current={item.id === runId ? 'true' : undefined}
                  style={item.id === runId ? { fontWeight: 700 } : undefined}
                >
                  {item.version ? `v${item.version}` : 'unsaved draft'}
                  {item.compareToVersion ? ` vs v${item.compareToVersion}` : ''}
                </Link>{' '}
                <span className={`badge ${item.status === 'completed' ? 'published' : item.status === 'failed' ? 'removed' : 'in_review'}`}>
                  {item.status}
                </span>{' '}
                <span className="muted small">
                  {formatDateTime(item.createdAt)} by {actorName(item.createdBy)} · {describeCohort(item.cohortSpec)}
                </span>
              </li>
            ))}
          </ul>
        </details>
        {runError && <ErrorMessage error={runError} title="The backtest did not start" />}
        {runId ? (
          <RunResult key={runId} runId={runId} onFinished={() => void runs.refetch()} />
        ) : (
          <Empty>Choose the leads to backtest on and run it; results appear here.</Empty>
        )}
      </div>
    </>
  );
}

export function describeCohort(spec: CohortSpecFieldsFragment): string {
  const cutoff =
    spec.cutoffDaysAfterCreation != null ? `${spec.cutoffDaysAfterCreation} days after creation` : `as of ${formatDate(spec.cutoffAt)}`;
  const extra = [
    spec.segment && `segment ${spec.segment}`,
    spec.source && `source ${spec.source}`,
    ...spec.attributes.map((a) => `${a.name} = ${String(a.value)}`),
  ].filter(Boolean);
  return `leads created ${formatDate(spec.createdFrom)} – ${formatDate(spec.createdTo)}, facts ${cutoff}${extra.length ? `, ${extra.join(', ')}` : ''}`;
}

interface FormProps {
  settings: BacktestSettings;
  onChange(settings: BacktestSettings): void;
  versions: Array<{ id: string; version: number; status: string }>;
  activeVersionId: string | null;
  compareTo: string;
  onCompareTo(id: string): void;
  running: boolean;
  onRun(): void;
}

function BacktestForm({ settings, onChange, versions, activeVersionId, compareTo, onCompareTo, running, onRun }: FormProps) {
  const cohorts = useQuery(BacktestCohortsQuery);
  const set = (patch: Partial<BacktestSettings>) => onChange({ ...settings, ...patch });
  return (
    <form
      className="card"
      aria-labelledby="backtest-form-title"
      onSubmit={(event) => {
        event.preventDefault();
        onRun();
      }}
    >
      <h2 id="backtest-form-title" style={{ marginTop: 0 }}>
        Run a backtest
      </h2>
      <div className="backtest-form">
        <div className="field span-2">
          <label htmlFor="bt-cohort">Leads</label>
          <select id="bt-cohort" value={settings.cohortId} onChange={(event) => set({ cohortId: event.target.value })}>
            <option value="">Leads created in a period</option>
            {cohorts.data?.backtestCohorts.map((cohort) => (
              <option key={cohort.id} value={cohort.id}>
                Prepared: {cohort.description} ({formatNumber(cohort.leadCount)} leads, {formatNumber(cohort.convertedCount)} converted)
              </option>
            ))}
          </select>
        </div>
        {settings.cohortId && (
          <CohortFreshness
            key={settings.cohortId}
            cohortId={settings.cohortId}
            onRefreshed={(id) => {
              void cohorts.refetch();
              set({ cohortId: id });
            }}
          />
        )}
        {!settings.cohortId && (
          <>
            <div className="field">
              <label htmlFor="bt-from">Created from</label>
              <input
                id="bt-from"
                type="date"
                required
                value={settings.createdFrom}
                onChange={(event) => set({ createdFrom: event.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="bt-to">Until (excluded)</label>
              <input
                id="bt-to"
                type="date"
                required
                value={settings.createdTo}
                onChange={(event) => set({ createdTo: event.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor="bt-cutoff-mode">Facts as of</label>
              <select
                id="bt-cutoff-mode"
                value={settings.cutoffMode}
                onChange={(event) => set({ cutoffMode: event.target.value as BacktestSettings['cutoffMode'] })}
              >
                <option value="days">N days after creation</option>
                <option value="date">A fixed date</option>
              </select>
            </div>
            {settings.cutoffMode === 'days' ? (
              <div className="field">
                <label htmlFor="bt-days">Days after creation</label>
                <input
                  id="bt-days"
                  type="number"
                  min={0}
                  value={settings.cutoffDays}
                  onChange={(event) => set({ cutoffDays: Number(event.target.value) })}
                />
              </div>
            ) : (
              <div className="field">
                <label htmlFor="bt-cutoff-at">Cutoff date</label>
                <input
                  id="bt-cutoff-at"
                  type="date"
                  value={settings.cutoffAt}
                  aria-describedby="bt-cutoff-hint"
                  onChange={(event) => set({ cutoffAt: event.target.value })}
                />
                <span className="hint" id="bt-cutoff-hint">
                  On or after the end of the period.
                </span>
              </div>
            )}
            <div className="field">
              <label htmlFor="bt-segment">Segment (optional)</label>
              <input id="bt-segment" value={settings.segment} onChange={(event) => set({ segment: event.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="bt-source">Source (optional)</label>
              <input id="bt-source" value={settings.source} onChange={(event) => set({ source: event.target.value })} />
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor="bt-open">Leads still open</label>
          <select
            id="bt-open"
            value={settings.openLeads}
            onChange={(event) => set({ openLeads: event.target.value as BacktestSettings['openLeads'] })}
          >
            <option value="NOT_CONVERTED">Count as not converted</option>
            <option value="EXCLUDED">Leave out</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="bt-compare">Compare with</label>
          <select id="bt-compare" value={compareTo} onChange={(event) => onCompareTo(event.target.value)}>
            <option value="">No comparison</option>
            {versions.map((version) => (
              <option key={version.id} value={version.id}>
                v{version.version} ({version.id === activeVersionId ? 'active' : version.status.replace('_', ' ')})
              </option>
            ))}
          </select>
        </div>
        <div className="field run-button">
          <button type="submit" className="button primary" disabled={running}>
            {running ? 'Running…' : 'Run backtest'}
          </button>
        </div>
      </div>
    </form>
  );
}

function RunResult({ runId, onFinished }: { runId: string; onFinished(): void }) {
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
        <ExportLeadsButton runId={run.id} />
        <p className="muted small">
          {describeCohort(run.cohortSpec)} · open leads {run.openLeads === 'EXCLUDED' ? 'left out' : 'count as not converted'} · run{' '}
          {formatDateTime(run.createdAt)} by {actorName(run.createdBy)} in {formatNumber(run.durationMs)} ms
        </p>
        {metrics.converted === 0 && (
          <p className="state warning">
            No lead of this cohort converted: conversion figures cannot be judged. Choose a period with known outcomes.
          </p>
        )}
        <div className="metrics">
          <Metric label="Leads" value={formatNumber(metrics.leads)} />
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
        <RocChart metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} />
        <CellHeatMap metrics={metrics} baseline={baseline} />
        <BandChart metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} />
        <DecileChart metrics={metrics} baseline={baseline} baselineLabel={baselineLabel} />
      </div>
      {comparison && (
        <section className="card" aria-labelledby="moves-title">
          <h2 id="moves-title" style={{ marginTop: 0 }}>
            Leads changing cell: {formatNumber(comparison.leadsChangingCell)}
          </h2>
          {moves.length === 0 ? (
            <p className="muted">Every lead stays in its cell.</p>
          ) : (
            <div className="table-wrap">
              <table data-testid="cell-moves">
                <thead>
                  <tr>
                    <th scope="col">From ({baselineLabel})</th>
                    <th scope="col">To (this version)</th>
                    <th scope="col" className="num">
                      Leads
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
          <table data-testid="backtest-rules">
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

type SuggestionsData = NonNullable<NonNullable<Run['results']>['suggestions']>;

/** Holdout comparison, candidate rules and the one-step apply. */
function Suggestions({ run, suggestions }: { run: Run; suggestions: SuggestionsData }) {
  const router = useRouter();
  const [target, setTarget] = useState<'keep' | 'perWeek'>('keep');
  const [perWeek, setPerWeek] = useState('150');
  const [withCandidates, setWithCandidates] = useState(false);
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<ApiError>();
  const { holdout, split } = suggestions;
  const auc = (value: number | null | undefined) => (value == null ? 'n/a' : value.toFixed(3));

  async function apply() {
    setApplying(true);
    setError(undefined);
    try {
      const { applyBacktestSuggestions } = await request(ApplyBacktestSuggestionsMutation, {
        input: {
          runId: run.id,
          allCandidates: withCandidates || null,
          target: target === 'keep' ? { keepMqlShare: true } : { mqlsPerWeek: Number(perWeek) },
        },
      });
      router.push(`/rule-sets/${encodeURIComponent(run.ruleSetKey)}/versions/${applyBacktestSuggestions.version.id}/review`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
      setApplying(false);
    }
  }

  return (
    <section className="card" aria-labelledby="suggestions-title" data-testid="backtest-suggestions">
      <h2 id="suggestions-title" style={{ marginTop: 0 }}>
        Fitted suggestions
      </h2>
      <p className="muted small">
        Fitted on {formatNumber(split.trainingLeads)} leads, judged on {formatNumber(split.holdoutLeads)} held out (
        {split.kind === 'TIME' ? 'the newest' : 'by a hash of the lead id'}), {formatNumber(holdout.converted)} of them converted.
      </p>
      {!suggestions.fitted ? (
        <p className="state warning">Nothing suggested: {suggestions.reason}.</p>
      ) : (
        <>
          <div className="metrics">
            <Metric label="Held-out AUC, now" value={auc(holdout.current.auc)} />
            <Metric label="…with fitted points" value={<span data-testid="holdout-auc-suggested">{auc(holdout.suggested?.auc)}</span>} />
            <Metric label="…plus candidate rules" value={auc(holdout.withCandidates?.auc)} />
          </div>
          {suggestions.candidates.length > 0 && (
            <div className="table-wrap">
              <table data-testid="backtest-candidates">
                <thead>
                  <tr>
                    <th scope="col">Candidate rule (not in the rule set)</th>
                    <th scope="col" className="num">
                      Fired
                    </th>
                    <th scope="col" className="num">
                      Converts when fired
                    </th>
                    <th scope="col" className="num">
                      Lift
                    </th>
                    <th scope="col" className="num">
                      Points
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {suggestions.candidates.slice(0, 15).map((candidate) => (
                    <tr key={candidate.rule}>
                      <td>
                        {candidate.label} <span className="muted small">({candidate.dimension.toLowerCase()})</span>
                      </td>
                      <td className="num">{formatNumber(candidate.fired)}</td>
                      <td className="num">{formatPercent(candidate.conversionWhenFired)}</td>
                      <td className="num">{candidate.lift === null ? '—' : `${candidate.lift.toFixed(2)}×`}</td>
                      <td className="num">
                        {candidate.suggestedPoints === null ? '—' : signed(candidate.suggestedPoints)}
                        {candidate.margin != null && <span className="muted small"> ±{Math.round(candidate.margin)}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {run.versionId && (
            <div className="row" style={{ gap: '0.75rem', flexWrap: 'wrap', alignItems: 'center', marginTop: '0.75rem' }}>
              <label>
                Qualify{' '}
                <select
                  value={target}
                  onChange={(event) => setTarget(event.target.value as 'keep' | 'perWeek')}
                  aria-label="Threshold target"
                >
                  <option value="keep">today&rsquo;s share of leads</option>
                  <option value="perWeek">a number of MQLs a week</option>
                </select>
              </label>
              {target === 'perWeek' && (
                <input
                  type="number"
                  min={1}
                  value={perWeek}
                  onChange={(event) => setPerWeek(event.target.value)}
                  aria-label="MQLs a week"
                  style={{ width: '6rem' }}
                />
              )}
              <label>
                <input type="checkbox" checked={withCandidates} onChange={(event) => setWithCandidates(event.target.checked)} /> add the
                candidate rules
              </label>
              <button type="button" className="button primary" onClick={apply} disabled={applying} data-testid="apply-suggestions">
                {applying ? 'Applying…' : 'Apply as a new draft'}
              </button>
            </div>
          )}
          {error && <ErrorMessage error={error} title="Could not apply the suggestions" />}
        </>
      )}
    </section>
  );
}
