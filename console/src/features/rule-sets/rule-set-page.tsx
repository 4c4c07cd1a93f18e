'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { ErrorMessage, Loading } from '@/components/states';
import { useAuth } from '@/features/auth/auth-context';
import type { RuleSetQuery as RuleSetQueryResult } from '@/gql/graphql';
import { actorName, formatDateTime } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { DiffView } from './diff-view';
import { CreateDraftMutation, RollbackMutation, RuleSetDiffQuery, RuleSetQuery, VersionReviewsQuery } from './operations';
import { RescoreProgress } from './rescore-progress';
import { SegmentsEditor } from './segments-editor';

type RuleSetData = RuleSetQueryResult['ruleSet'];
type VersionRow = RuleSetData['versions'][number];

/** A rule set's version history (authors, reviews, publish dates) and a diff between any two versions. */
export function RuleSetPage({ ruleSetKey }: { ruleSetKey: string }) {
  const { data, error, loading, refetch } = useQuery(RuleSetQuery, { key: ruleSetKey });
  const { hasRole } = useAuth();
  const router = useRouter();
  const [actionError, setActionError] = useState<ApiError>();
  const [rollbackJob, setRollbackJob] = useState<string>();
  const [busy, setBusy] = useState(false);

  if (error) return <ErrorMessage error={error} title={`Could not load rule set ${ruleSetKey}`} />;
  if (loading && !data) return <Loading />;
  if (!data) return null;
  const ruleSet = data.ruleSet;
  const base = `/rule-sets/${encodeURIComponent(ruleSet.key)}`;
  const active = ruleSet.versions.find((version) => version.id === ruleSet.activeVersionId);

  async function newDraft(fromVersionId?: string) {
    setBusy(true);
    setActionError(undefined);
    try {
      const { createDraft } = await request(CreateDraftMutation, {
        input: { ruleSetKey: ruleSet.key, copyOfVersionId: fromVersionId ?? ruleSet.activeVersionId ?? undefined },
      });
      router.push(`${base}/versions/${createDraft.id}`);
    } catch (caught) {
      setActionError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setBusy(false);
    }
  }

  async function rollback(version: VersionRow) {
    if (
      !window.confirm(`Roll ${ruleSet.key} back to v${version.version}? Its rules become a new active version and every lead is re-scored.`)
    )
      return;
    setBusy(true);
    setActionError(undefined);
    try {
      const { rollbackRuleSet } = await request(RollbackMutation, { ruleSetKey: ruleSet.key, toVersionId: version.id });
      setRollbackJob(rollbackRuleSet.rescoreJob.id);
      await refetch();
    } catch (caught) {
      setActionError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        crumbs={[{ href: '/rule-sets', label: 'Rule sets' }, { label: ruleSet.key }]}
        title={ruleSet.name}
        description={ruleSet.description}
        actions={
          hasRole('MARKETING') && (
            <button type="button" className="button primary" disabled={busy} onClick={() => void newDraft()}>
              New draft from the active version
            </button>
          )
        }
      />
      {actionError && <ErrorMessage error={actionError} />}
      {rollbackJob && (
        <div className="card">
          <RescoreProgress jobId={rollbackJob} />
        </div>
      )}
      <SegmentsEditor key={ruleSet.segments.join(',')} ruleSet={ruleSet} onSaved={refetch} />
      <h2>Version history</h2>
      <div className="table-wrap">
        <table data-testid="versions-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Authors</th>
              <th scope="col">Reviews</th>
              <th scope="col">Published</th>
              <th scope="col">Note</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {ruleSet.versions.map((version) => (
              <tr key={version.id}>
                <td>
                  <Link href={`${base}/versions/${version.id}`}>v{version.version}</Link>
                  <div className="muted small">rev. {version.revision}</div>
                </td>
                <td>
                  <span className={`badge ${version.status}`}>
                    {version.id === ruleSet.activeVersionId ? 'active' : version.status.replace('_', ' ')}
                  </span>
                </td>
                <td className="small">
                  created by {actorName(version.createdBy)} {formatDateTime(version.createdAt)}
                  {version.editors.length > 0 && <div className="muted">edited by {version.editors.map(actorName).join(', ')}</div>}
                  {version.submittedAt && (
                    <div className="muted">
                      submitted {formatDateTime(version.submittedAt)} by {actorName(version.submittedBy)}
                    </div>
                  )}
                </td>
                <td className="small">
                  <Reviews versionId={version.id} />
                </td>
                <td className="small">
                  {version.publishedAt ? (
                    <>
                      {formatDateTime(version.publishedAt)}
                      <div className="muted">by {actorName(version.publishedBy)}</div>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                  {version.retiredAt && <div className="muted">retired {formatDateTime(version.retiredAt)}</div>}
                </td>
                <td className="small">{version.note || <span className="muted">—</span>}</td>
                <td>
                  <div className="row center" style={{ gap: '0.3rem' }}>
                    <Link className="button small" href={`${base}/versions/${version.id}/review`}>
                      Review
                    </Link>
                    {hasRole('ADMIN') && version.status === 'retired' && version.publishedAt && (
                      <button type="button" className="button small" disabled={busy} onClick={() => void rollback(version)}>
                        Roll back to v{version.version}
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <VersionDiff versions={ruleSet.versions} defaultFrom={active?.id} />
    </>
  );
}

function Reviews({ versionId }: { versionId: string }) {
  const { data, error } = useQuery(VersionReviewsQuery, { versionId });
  if (error) return <span className="muted">?</span>;
  if (!data) return <span className="muted">…</span>;
  if (data.ruleSetReviews.length === 0) return <span className="muted">none</span>;
  return (
    <ul style={{ margin: 0, paddingLeft: '1rem' }}>
      {data.ruleSetReviews.map((review) => (
        <li key={review.id} style={review.voided ? { textDecoration: 'line-through', color: 'var(--muted)' } : undefined}>
          {review.side}: {review.decision === 'approved' ? '✓ approved' : '✗ changes requested'} by {actorName(review.reviewer)}
          {review.comment && <> — &ldquo;{review.comment}&rdquo;</>}
          {review.voided && <span className="visually-hidden"> (voided by a later edit)</span>}
        </li>
      ))}
    </ul>
  );
}

function VersionDiff({ versions, defaultFrom }: { versions: VersionRow[]; defaultFrom?: string }) {
  const newest = versions[0]?.id;
  const [from, setFrom] = useState(defaultFrom && defaultFrom !== newest ? defaultFrom : (versions[1]?.id ?? newest));
  const [to, setTo] = useState(newest);
  useEffect(() => {
    if (!to && newest) setTo(newest);
  }, [newest, to]);
  const diff = useQuery(RuleSetDiffQuery, { fromVersionId: from ?? '', toVersionId: to }, { skip: !from || !to });
  if (versions.length < 2) return <p className="muted">Only one version so far: nothing to compare.</p>;
  return (
    <section aria-labelledby="diff-title" className="card" style={{ marginTop: '1.5rem' }}>
      <h2 id="diff-title">Compare two versions</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="diff-from">From</label>
          <select id="diff-from" value={from} onChange={(event) => setFrom(event.target.value)}>
            {versions.map((version) => (
              <option key={version.id} value={version.id}>
                v{version.version} ({version.status.replace('_', ' ')})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="diff-to">To</label>
          <select id="diff-to" value={to} onChange={(event) => setTo(event.target.value)}>
            {versions.map((version) => (
              <option key={version.id} value={version.id}>
                v{version.version} ({version.status.replace('_', ' ')})
              </option>
            ))}
          </select>
        </div>
      </div>
      {diff.loading && <Loading label="Comparing…" />}
      {diff.error && <ErrorMessage error={diff.error} />}
      {diff.data && !diff.loading && <DiffView diff={diff.data.ruleSetDiff} />}
    </section>
  );
}
