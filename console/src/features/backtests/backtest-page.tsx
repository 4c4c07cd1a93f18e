'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage } from '@/components/states';
import { VersionQuery } from '@/features/editor/operations';
import { useScoreModels } from '@/features/models/model-switcher';
import { RuleSetQuery } from '@/features/rule-sets/operations';
import { actorName, formatDateTime } from '@/lib/format';
import { ApiError } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { readSettings, type BacktestSettings } from './cohort-settings';
import { BacktestRunsQuery } from './operations';
import { runBacktest } from './run-backtest';
import { BacktestForm, describeCohort } from './backtest-form';
import { BacktestModelPicker } from './backtest-model-picker';
import { RunResult } from './backtest-results';

/** Backtest a version on historical leads: how well its scores would have predicted conversions. */
export function BacktestPage({ ruleSetKey, versionId }: { ruleSetKey: string; versionId: string }) {
  const params = useSearchParams();
  const router = useRouter();
  const runId = params.get('run');
  const version = useQuery(VersionQuery, { id: versionId });
  const ruleSet = useQuery(RuleSetQuery, { key: ruleSetKey });
  const runs = useQuery(BacktestRunsQuery, { ruleSetKey });
  const models = useScoreModels();
  // A rule set of an account model is backtested over accounts: the page says so.
  const noun =
    models.find((model) => model.ruleSets.some((candidate) => candidate.key === ruleSetKey))?.subject === 'ACCOUNT' ? 'account' : 'lead';
  const [settings, setSettings] = useState<BacktestSettings | null>(null);
  const [chosenCompareTo, setCompareTo] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<ApiError>();
  // One source of truth: the box shows, and a run uses, the user's choice, else the active version.
  const activeVersionId = ruleSet.data?.ruleSet.activeVersionId;
  const compareTo = chosenCompareTo ?? (activeVersionId && activeVersionId !== versionId ? activeVersionId : '');

  useEffect(() => setSettings(readSettings()), []);

  const base = `/rule-sets/${encodeURIComponent(ruleSetKey)}`;
  const page = `${base}/versions/${versionId}/backtest`;

  async function run() {
    if (!settings) return;
    setRunning(true);
    setRunError(undefined);
    try {
      const id = await runBacktest({ ruleSetKey, versionId, compareToVersionId: ruleSet.data ? compareTo || null : undefined, settings });
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
        description={`Scores historical ${noun}s as they were at a cutoff and checks the scores against what happened next.`}
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
        <BacktestModelPicker models={models} ruleSetKey={ruleSetKey} />
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
            noun={noun}
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
                  {formatDateTime(item.createdAt)} by {actorName(item.createdBy)} · {describeCohort(item.cohortSpec, noun)}
                </span>
              </li>
            ))}
          </ul>
        </details>
        {runError && <ErrorMessage error={runError} title="The backtest did not start" />}
        {runId ? (
          <RunResult key={runId} runId={runId} onFinished={() => void runs.refetch()} />
        ) : (
          <Empty>Choose the {noun}s to backtest on and run it; results appear here.</Empty>
        )}
      </div>
    </>
  );
}
