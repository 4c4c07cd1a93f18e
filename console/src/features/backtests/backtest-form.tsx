'use client';
import type { CohortSpecFieldsFragment } from '@/gql/graphql';
import { formatDate, formatNumber } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import type { BacktestSettings } from './cohort-settings';
import { BacktestCohortsQuery } from './operations';
import { CohortFreshness } from './cohort-freshness';

export function describeCohort(spec: CohortSpecFieldsFragment, noun: 'lead' | 'account' = 'lead'): string {
  const cutoff =
    spec.cutoffDaysAfterCreation != null ? `${spec.cutoffDaysAfterCreation} days after creation` : `as of ${formatDate(spec.cutoffAt)}`;
  const extra = [
    spec.segment && `segment ${spec.segment}`,
    spec.source && `source ${spec.source}`,
    ...spec.attributes.map((a) => `${a.name} = ${String(a.value)}`),
  ].filter(Boolean);
  // An account cohort is the accounts of the leads created in the period.
  const who = noun === 'account' ? 'accounts of leads' : 'leads';
  return `${who} created ${formatDate(spec.createdFrom)} – ${formatDate(spec.createdTo)}, facts ${cutoff}${extra.length ? `, ${extra.join(', ')}` : ''}`;
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
  /** What the backtest runs over: leads, or accounts for a rule set of an account model. */
  noun?: 'lead' | 'account';
}

export function BacktestForm({
  settings,
  onChange,
  versions,
  activeVersionId,
  compareTo,
  onCompareTo,
  running,
  onRun,
  noun = 'lead',
}: FormProps) {
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
          <label htmlFor="bt-cohort">{noun === 'account' ? 'Accounts of the leads' : 'Leads'}</label>
          <select id="bt-cohort" value={settings.cohortId} onChange={(event) => set({ cohortId: event.target.value })}>
            <option value="">Leads created in a period</option>
            {cohorts.data?.backtestCohorts
              // A cohort holds leads or accounts: the API refuses the other kind for this rule set.
              .filter((cohort) => cohort.subject === (noun === 'account' ? 'ACCOUNT' : 'LEAD'))
              .map((cohort) => (
                <option key={cohort.id} value={cohort.id}>
                  {`Prepared: ${cohort.description} (${
                    cohort.subject === 'ACCOUNT'
                      ? `${formatNumber(cohort.accountCount)} accounts`
                      : `${formatNumber(cohort.leadCount)} leads`
                  }, ${formatNumber(cohort.convertedCount)} converted)`}
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
          <label htmlFor="bt-open">{noun === 'account' ? 'Accounts' : 'Leads'} still open</label>
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
