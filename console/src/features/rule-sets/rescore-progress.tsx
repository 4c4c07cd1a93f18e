'use client';

import { ErrorMessage } from '@/components/states';
import type { TypedDocumentString } from '@/gql/graphql';
import { formatDuration, formatNumber } from '@/lib/format';
import { useLiveSubscription } from '@/lib/live';
import { RescoreProgressSubscription } from '@/lib/live-operations';
import { getQueryClient } from '@/lib/query-client';
import { queryKey, useQuery } from '@/lib/use-query';
import { RescoreJobQuery } from './operations';

/** Follows a re-score job (after a publish or rollback) until it ends. */
export function RescoreProgress({ jobId }: { jobId: string }) {
  // Progress comes over the live socket into the query's cache; polling only when the socket cannot connect.
  const live = useLiveSubscription(RescoreProgressSubscription, { jobId }, (event) => {
    getQueryClient().setQueryData(queryKey(RescoreJobQuery as TypedDocumentString<unknown, unknown>, { id: jobId }), {
      rescoreJob: event.rescoreProgress,
    });
  });
  const { data, error } = useQuery(
    RescoreJobQuery,
    { id: jobId },
    live === 'unavailable' ? { pollMs: 700, done: (answer) => answer.rescoreJob.status !== 'running' } : {},
  );
  const job = data?.rescoreJob;
  const finished = !!job && job.status !== 'running';
  if (error) return <ErrorMessage error={error} title="Could not follow the re-score job" />;
  if (!job) return <p className="muted">Starting the re-score…</p>;
  const percent = Math.max(0, Math.min(100, job.percent));
  return (
    <section aria-labelledby={`rescore-${jobId}`} className="stack" data-testid="rescore-progress">
      <h3 id={`rescore-${jobId}`}>
        Re-scoring leads with v{job.version} of {job.ruleSetKey}: <span data-testid="rescore-status">{job.status}</span>
      </h3>
      <div
        className={`progress ${job.status === 'completed' ? 'done' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        aria-valuetext={`${Math.round(percent)}%: ${job.doneLeads} of ${job.totalLeads} leads`}
        aria-label="Re-score progress"
      >
        <div style={{ width: `${percent}%` }} />
      </div>
      <div className="metrics">
        <Metric label="Done" value={<span data-testid="rescore-percent">{Math.round(percent)}%</span>} />
        <Metric label="Leads" value={`${formatNumber(job.doneLeads)} / ${formatNumber(job.totalLeads)}`} />
        <Metric label="Leads per second" value={formatNumber(job.leadsPerSecond)} />
        <Metric
          label={finished ? 'Score changed' : 'Time left'}
          value={finished ? formatNumber(job.changedLeads) : formatDuration(job.etaSeconds)}
        />
      </div>
      {job.error && <p className="state error">{job.error}</p>}
      {finished && job.status === 'completed' && (
        <p className="state success" role="status">
          Re-score finished: every lead now has its score under v{job.version}.
        </p>
      )}
    </section>
  );
}

export function Metric({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="metric">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}
