'use client';

import { useState } from 'react';
import { ErrorMessage } from '@/components/states';
import { useAuth } from '@/features/auth/auth-context';
import { ApiError, request } from '@/lib/graphql-client';
import { SetRuleSetSegmentsMutation } from './operations';
import { RescoreProgress } from './rescore-progress';

/**
 * The lead segments a rule set scores, editable by marketing: leads of a segment that changes hands
 * are re-scored (the job's progress is shown). The default rule set takes none.
 */
export function SegmentsEditor({
  ruleSet,
  onSaved,
}: {
  ruleSet: { key: string; isDefault: boolean; segments: string[] };
  onSaved: () => Promise<unknown>;
}) {
  const { hasRole } = useAuth();
  const [text, setText] = useState(ruleSet.segments.join(', '));
  const [error, setError] = useState<ApiError>();
  const [jobId, setJobId] = useState<string>();
  const [busy, setBusy] = useState(false);

  if (ruleSet.isDefault) {
    return (
      <p className="muted" data-testid="segments">
        Default rule set: scores every lead whose segment no other rule set claims.
      </p>
    );
  }

  async function save() {
    setBusy(true);
    setError(undefined);
    try {
      const segments = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const { setRuleSetSegments } = await request(SetRuleSetSegmentsMutation, { key: ruleSet.key, segments });
      setJobId(setRuleSetSegments.rescoreJob?.id);
      await onSaved();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="segments-title" className="card stack" data-testid="segments">
      <h2 id="segments-title">Segments</h2>
      <p className="muted">
        {ruleSet.segments.length
          ? `Scores the leads of ${ruleSet.segments.join(', ')}.`
          : 'Scores no segment yet: its leads are on the default rule set.'}{' '}
        Leads of a segment that moves are re-scored.
      </p>
      {hasRole('MARKETING') && (
        <form
          className="row"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label htmlFor="segments-input">Segments (comma-separated)</label>
          <input id="segments-input" value={text} onChange={(event) => setText(event.target.value)} />
          <button type="submit" className="button" disabled={busy}>
            Save segments
          </button>
        </form>
      )}
      {error && <ErrorMessage error={error} title="Could not set the segments" />}
      {jobId && <RescoreProgress jobId={jobId} />}
    </section>
  );
}
