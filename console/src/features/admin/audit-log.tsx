'use client';

import { useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { RuleSetsQuery } from '@/features/rule-sets/operations';
import type { AuditLogQuery as AuditLogResult } from '@/gql/graphql';
import { type ApiError, toApiError } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';
import { request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { ACTION_LABELS, actorWords, describeAuditEntry } from './audit-sentence';
import { ApiKeysQuery, AuditLogQuery } from './operations';
import { RequireAdmin } from './require-admin';

type Entry = AuditLogResult['auditLog']['edges'][number]['node'];

interface Filters {
  action: string;
  actor: string;
  ruleSet: string;
  from: string;
  to: string;
}

const NONE: Filters = { action: '', actor: '', ruleSet: '', from: '', to: '' };

export function AuditLogPage() {
  return (
    <RequireAdmin>
      <AuditLog />
    </RequireAdmin>
  );
}

/** A day of the date inputs as the instant it starts, in the browser's time zone. */
function startOfDay(day: string, plusDays = 0): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date + plusDays).toISOString();
}

/** The filters as the API takes them: the "until" day is included, so the period ends when the next day starts. */
function serverFilter(filters: Filters): Record<string, string> {
  const filter: Record<string, string> = {};
  if (filters.action) filter.action = filters.action;
  if (filters.actor) filter.actor = filters.actor;
  if (filters.ruleSet) filter.ruleSetKey = filters.ruleSet;
  if (filters.from) filter.from = startOfDay(filters.from);
  if (filters.to) filter.to = startOfDay(filters.to, 1);
  return filter;
}

function AuditLog() {
  const [filters, setFilters] = useState<Filters>(NONE);
  const variables = { filter: serverFilter(filters), first: 50 };
  const { data, error, loading } = useQuery(AuditLogQuery, variables);
  const people = useQuery(ApiKeysQuery);
  const ruleSets = useQuery(RuleSetsQuery);
  const [extra, setExtra] = useState<{ key: string; entries: Entry[]; endCursor?: string | null; hasNextPage: boolean }>();
  const [moreError, setMoreError] = useState<ApiError>();
  const key = JSON.stringify(variables);
  const more = extra?.key === key ? extra : undefined;
  const entries = [...(data?.auditLog.edges.map((edge) => edge.node) ?? []), ...(more?.entries ?? [])];
  const pageInfo = more ?? data?.auditLog.pageInfo;

  async function loadMore() {
    if (!pageInfo?.endCursor) return;
    try {
      const page = await request(AuditLogQuery, { ...variables, after: pageInfo.endCursor });
      setExtra({ key, entries: [...(more?.entries ?? []), ...page.auditLog.edges.map((edge) => edge.node)], ...page.auditLog.pageInfo });
    } catch (caught) {
      setMoreError(toApiError(caught));
    }
  }

  const set = (change: Partial<Filters>) => setFilters((current) => ({ ...current, ...change }));

  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, and when: newest first." />
      <search aria-label="Filter the audit log">
        <form className="card filter-fields" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor="audit-action">Action</label>
            <select id="audit-action" value={filters.action} onChange={(event) => set({ action: event.target.value })}>
              <option value="">Any action</option>
              {Object.entries(ACTION_LABELS).map(([action, label]) => (
                <option key={action} value={action}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-actor">Person</label>
            <select id="audit-actor" value={filters.actor} onChange={(event) => set({ actor: event.target.value })}>
              <option value="">Anyone</option>
              {(people.data?.users ?? []).map((user) => (
                <option key={user.id} value={`user:${user.email}`}>
                  {user.email}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-rule-set">Rule set</label>
            <select id="audit-rule-set" value={filters.ruleSet} onChange={(event) => set({ ruleSet: event.target.value })}>
              <option value="">Any rule set</option>
              {(ruleSets.data?.ruleSets ?? []).map((ruleSet) => (
                <option key={ruleSet.key} value={ruleSet.key}>
                  {ruleSet.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="audit-from">From</label>
            <input id="audit-from" type="date" value={filters.from} onChange={(event) => set({ from: event.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="audit-to">Until (included)</label>
            <input id="audit-to" type="date" value={filters.to} onChange={(event) => set({ to: event.target.value })} />
          </div>
          {Object.values(filters).some(Boolean) && (
            <div>
              <button type="button" className="button subtle" onClick={() => setFilters(NONE)}>
                Clear filters
              </button>
            </div>
          )}
        </form>
      </search>
      <div style={{ marginTop: '1rem' }}>
        {error && <ErrorMessage error={error} title="Could not load the audit log" />}
        {loading && !data && <Loading />}
        {data && entries.length === 0 && <Empty>No entries match.</Empty>}
        {entries.length > 0 && (
          <div className="table-wrap">
            <table data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <AuditRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {moreError && <ErrorMessage error={moreError} />}
        {pageInfo?.hasNextPage && (
          <p>
            <button type="button" className="button" onClick={() => void loadMore()}>
              Older entries
            </button>
          </p>
        )}
      </div>
    </>
  );
}

function AuditRow({ entry }: { entry: Entry }) {
  const { what, comment } = describeAuditEntry(entry);
  const hasRaw = entry.before != null || entry.after != null || entry.diff != null;
  return (
    <tr>
      <td className="small nowrap">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </td>
      <td>
        <p className="audit-sentence">
          <strong>{actorWords(entry.actor)}</strong> {what}
          {comment && <span className="muted">: &ldquo;{comment}&rdquo;</span>}
        </p>
        {hasRaw && (
          <details>
            <summary className="small">Recorded data</summary>
            <p className="muted small">
              {ACTION_LABELS[entry.action] ?? entry.action} · {entry.entityType.replace(/_/g, ' ')} {entry.entityId}
              {entry.requestId ? ` · request ${entry.requestId}` : ''}
            </p>
            <div className="grid-2 small">
              {entry.before != null && <Json title="Before" value={entry.before} />}
              {entry.after != null && <Json title="After" value={entry.after} />}
              {entry.diff != null && <Json title="Difference" value={entry.diff} />}
            </div>
          </details>
        )}
      </td>
    </tr>
  );
}

function Json({ title, value }: { title: string; value: unknown }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <div>
      <strong>{title}</strong>
      <pre className="raw-json">{text.length > 20000 ? `${text.slice(0, 20000)}\n…` : text}</pre>
    </div>
  );
}
