'use client';

import { useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import type { AuditLogQuery as AuditLogResult } from '@/gql/graphql';
import { actorName, formatDateTime } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { AuditLogQuery } from './operations';
import { RequireAdmin } from './require-admin';

type Entry = AuditLogResult['auditLog']['edges'][number]['node'];

export function AuditLogPage() {
  return (
    <RequireAdmin>
      <AuditLog />
    </RequireAdmin>
  );
}

function AuditLog() {
  const [draft, setDraft] = useState({ action: '', actor: '', entityType: '' });
  const [filter, setFilter] = useState(draft);
  const variables = { filter: Object.fromEntries(Object.entries(filter).filter(([, value]) => value.trim())), first: 50 };
  const { data, error, loading } = useQuery(AuditLogQuery, variables);
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
      setMoreError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    }
  }

  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, when — newest first." />
      <form
        className="card row"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(draft);
        }}
      >
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input
            id="audit-action"
            placeholder="e.g. version.published"
            value={draft.action}
            onChange={(event) => setDraft({ ...draft, action: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor</label>
          <input
            id="audit-actor"
            placeholder="e.g. user:admin@demo.local"
            value={draft.actor}
            onChange={(event) => setDraft({ ...draft, actor: event.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-entity">Entity type</label>
          <input
            id="audit-entity"
            placeholder="e.g. rule_set_version"
            value={draft.entityType}
            onChange={(event) => setDraft({ ...draft, entityType: event.target.value })}
          />
        </div>
        <button type="submit" className="button primary">
          Filter
        </button>
      </form>
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
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td className="small" style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(entry.at)}
                    </td>
                    <td className="small">{actorName(entry.actor)}</td>
                    <td>
                      <code className="small">{entry.action}</code>
                      <div className="muted small">
                        {entry.entityType} {entry.entityId}
                      </div>
                    </td>
                    <td>
                      {entry.summary}
                      {(entry.before != null || entry.after != null || entry.diff != null) && (
                        <details>
                          <summary className="small">Details</summary>
                          <div className="grid-2 small">
                            {entry.before != null && <Json title="Before" value={entry.before} />}
                            {entry.after != null && <Json title="After" value={entry.after} />}
                            {entry.diff != null && <Json title="Difference" value={entry.diff} />}
                          </div>
                        </details>
                      )}
                    </td>
                  </tr>
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

function Json({ title, value }: { title: string; value: unknown }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <div>
      <strong>{title}</strong>
      <pre style={{ maxHeight: 240, overflow: 'auto', background: 'var(--surface-2)', padding: '0.5rem', borderRadius: 4 }}>
        {text.length > 20000 ? `${text.slice(0, 20000)}\n…` : text}
      </pre>
    </div>
  );
}
