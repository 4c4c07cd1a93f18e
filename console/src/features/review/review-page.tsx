'use client';

import Link from 'next/link';
import { useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { ErrorMessage, Loading } from '@/components/states';
import { useAuth } from '@/features/auth/auth-context';
import { VersionQuery } from '@/features/editor/operations';
import { BacktestComparison } from '@/features/backtests/backtest-comparison';
import { DiffView } from '@/features/rule-sets/diff-view';
import { RuleSetDiffQuery, RuleSetQuery, VersionReviewsQuery } from '@/features/rule-sets/operations';
import { RescoreProgress } from '@/features/rule-sets/rescore-progress';
import { actorName, formatDateTime } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { ApproveVersionMutation, PublishVersionMutation, RequestChangesMutation, SubmitForReviewMutation } from './operations';
import { VersionEvidence } from './version-evidence';
import { reviewEligibility } from '@/features/rule-sets/review-eligibility';

/** Everything an approver needs on one page: what changed, the reviews so far, and the next step for the caller's role. */
export function ReviewPage({ ruleSetKey, versionId }: { ruleSetKey: string; versionId: string }) {
  const { session, hasRole } = useAuth();
  const version = useQuery(VersionQuery, { id: versionId });
  const ruleSet = useQuery(RuleSetQuery, { key: ruleSetKey });
  const reviews = useQuery(VersionReviewsQuery, { versionId });
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError>();
  const [message, setMessage] = useState<string>();
  const [jobId, setJobId] = useState<string>();

  if (version.error) return <ErrorMessage error={version.error} title="Could not load the version" />;
  if (!version.data || !ruleSet.data) return <Loading />;
  const v = version.data.ruleSetVersion;
  const activeId = ruleSet.data.ruleSet.activeVersionId;
  const compareWith = activeId && activeId !== v.id ? activeId : v.basedOnVersionId;
  const base = `/rule-sets/${encodeURIComponent(ruleSetKey)}`;
  const role = session?.user.role;
  const side = role === 'MARKETING' ? 'marketing' : role === 'SALES' ? 'sales' : null;
  const isEditor = !!session && v.editors.includes(`user:${session.user.email}`);
  const eligibility = reviewEligibility({
    side,
    isEditor,
    actor: session ? `user:${session.user.email}` : undefined,
    reviews: reviews.data?.ruleSetReviews,
  });

  async function act(what: string, run: () => Promise<unknown>) {
    setBusy(true);
    setActionError(undefined);
    setMessage(undefined);
    try {
      await run();
      setComment('');
      // The message goes up with the new state, not before it: until the refetch answers, the page
      // would say "Submitted for review." beside a draft badge and its Submit button.
      await Promise.all([version.refetch(), reviews.refetch(), ruleSet.refetch()]);
      setMessage(what);
    } catch (caught) {
      setActionError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        crumbs={[
          { href: '/rule-sets', label: 'Rule sets' },
          { href: base, label: ruleSetKey },
          { href: `${base}/versions/${v.id}`, label: `v${v.version}` },
          { label: 'Review' },
        ]}
        title={
          <>
            Review v{v.version} of {ruleSetKey}{' '}
            <span className={`badge ${v.status}`} data-testid="review-status">
              {v.status.replace('_', ' ')}
            </span>
          </>
        }
        description={`Revision ${v.revision} · edited by ${v.editors.map(actorName).join(', ') || 'nobody yet'}${v.submittedAt ? ` · submitted ${formatDateTime(v.submittedAt)} by ${actorName(v.submittedBy)}` : ''}`}
        actions={
          <>
            <Link className="button" href={`${base}/versions/${v.id}`}>
              {['draft', 'in_review', 'approved'].includes(v.status) && hasRole('MARKETING') ? 'Edit' : 'View rules'}
            </Link>
            <Link className="button" href={`${base}/versions/${v.id}/backtest`}>
              Backtest
            </Link>
          </>
        }
      />
      <div className="editor-layout">
        <div className="stack">
          <section className="card" aria-labelledby="changes-title">
            <h2 id="changes-title">
              What changes{' '}
              {compareWith
                ? `compared with v${ruleSet.data.ruleSet.versions.find((x) => x.id === compareWith)?.version ?? '?'}${compareWith === activeId ? ' (active)' : ''}`
                : ''}
            </h2>
            {compareWith ? (
              <ReviewDiff from={compareWith} to={v.id} />
            ) : (
              <p className="muted">This is the first version: there is nothing to compare with.</p>
            )}
          </section>
          <VersionEvidence versionId={v.id} ruleSetKey={ruleSetKey} />
          <BacktestComparison versionId={v.id} ruleSetKey={ruleSetKey} />
        </div>
        <aside className="editor-side stack" aria-label="Review actions">
          <section className="card" aria-labelledby="reviews-title">
            <h2 id="reviews-title">Reviews</h2>
            <p className="muted small">
              Publishing needs an approval from marketing and one from sales, by people who did not edit this version.
            </p>
            {reviews.error && <ErrorMessage error={reviews.error} />}
            {reviews.data && reviews.data.ruleSetReviews.length === 0 && <p className="muted">No review yet.</p>}
            <ul className="timeline" data-testid="reviews">
              {reviews.data?.ruleSetReviews.map((review) => (
                <li key={review.id} style={review.voided ? { opacity: 0.55 } : undefined}>
                  <strong>{review.side}</strong>: {review.decision === 'approved' ? 'approved' : 'requested changes'} by{' '}
                  {actorName(review.reviewer)}
                  <div className="muted small">
                    {formatDateTime(review.createdAt)} · revision {review.revision}
                    {review.voided ? ' · voided by a later edit' : ''}
                  </div>
                  {review.comment && <div>&ldquo;{review.comment}&rdquo;</div>}
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="next-step-title" data-testid="review-actions">
            <h2 id="next-step-title">Next step</h2>
            {message && (
              <p className="state success" role="status">
                {message}
              </p>
            )}
            {actionError && <ErrorMessage error={actionError} title="Not done" />}
            {v.status === 'draft' &&
              (hasRole('MARKETING') ? (
                <button
                  type="button"
                  className="button primary"
                  disabled={busy}
                  onClick={() => void act('Submitted for review.', () => request(SubmitForReviewMutation, { versionId: v.id }))}
                >
                  Submit for review
                </button>
              ) : (
                <p className="muted">A marketing user submits this draft for review.</p>
              ))}
            {v.status === 'in_review' &&
              (side ? (
                <div className="stack">
                  {eligibility.reason && (
                    <p className="state warning" data-testid="review-blocked">
                      {eligibility.reason}
                    </p>
                  )}
                  {eligibility.mayReview && (
                    <>
                      <div className="field">
                        <label htmlFor="review-comment">Comment {`(${side} side)`}</label>
                        <textarea
                          id="review-comment"
                          rows={3}
                          value={comment}
                          onChange={(event) => setComment(event.target.value)}
                          placeholder="Optional for an approval; say what to change otherwise"
                        />
                      </div>
                      <div className="row">
                        {eligibility.mayApprove && (
                          <button
                            type="button"
                            className="button primary"
                            disabled={busy}
                            onClick={() =>
                              void act(`Approved for ${side}.`, () =>
                                request(ApproveVersionMutation, { input: { versionId: v.id, comment: comment.trim() || undefined } }),
                              )
                            }
                          >
                            Approve as {side}
                          </button>
                        )}
                        <button
                          type="button"
                          className="button danger-outline"
                          disabled={busy || !comment.trim()}
                          title={comment.trim() ? undefined : 'Write what should change first'}
                          onClick={() =>
                            void act('Sent back to draft with your comment.', () =>
                              request(RequestChangesMutation, { input: { versionId: v.id, comment: comment.trim() } }),
                            )
                          }
                        >
                          Request changes
                        </button>
                      </div>
                    </>
                  )}
                </div>
              ) : (
                <p className="muted">Waiting for a marketing and a sales reviewer.</p>
              ))}
            {v.status === 'approved' &&
              (hasRole('ADMIN') ? (
                <button
                  type="button"
                  className="button primary"
                  disabled={busy}
                  onClick={() =>
                    void act('Published.', async () => {
                      const { publishVersion } = await request(PublishVersionMutation, { versionId: v.id });
                      setJobId(publishVersion.rescoreJob.id);
                    })
                  }
                >
                  Publish v{v.version}
                </button>
              ) : (
                <p className="muted">Approved by both sides; an admin publishes it.</p>
              ))}
            {v.status === 'published' && !jobId && (
              <p>
                This version is active since {formatDateTime(v.publishedAt)} (published by {actorName(v.publishedBy)}).
              </p>
            )}
            {v.status === 'retired' && <p className="muted">This version was replaced by a newer one.</p>}
            {jobId && <RescoreProgress jobId={jobId} />}
          </section>
        </aside>
      </div>
    </>
  );
}

function ReviewDiff({ from, to }: { from: string; to: string }) {
  const diff = useQuery(RuleSetDiffQuery, { fromVersionId: from, toVersionId: to });
  if (diff.error) return <ErrorMessage error={diff.error} />;
  if (!diff.data) return <Loading label="Comparing…" />;
  return <DiffView diff={diff.data.ruleSetDiff} />;
}
