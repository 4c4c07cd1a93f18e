'use client';

import { useState } from 'react';
import { ErrorMessage } from '@/components/states';
import { formatNumber } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { CohortFreshnessQuery, RefreshCohortMutation } from './operations';

/** Says when a prepared cohort's outcomes are out of date, and prepares it again with current ones. */
export function CohortFreshness({ cohortId, onRefreshed }: { cohortId: string; onRefreshed(newCohortId: string): void }) {
  const { data } = useQuery(CohortFreshnessQuery, { id: cohortId });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const cohort = data?.backtestCohort;
  if (!cohort || cohort.outcomesChangedSince === 0) return null;

  async function refresh() {
    if (!cohort) return;
    setBusy(true);
    setError(undefined);
    try {
      const { createdFrom, createdTo, source, segment, attributes, cutoffAt, cutoffDaysAfterCreation } = cohort.spec;
      const input = {
        createdFrom,
        createdTo,
        source,
        segment,
        attributes: attributes.map(({ name, value }) => ({ name, value })),
        cutoffAt,
        cutoffDaysAfterCreation,
      };
      const { prepareBacktestCohort } = await request(RefreshCohortMutation, { input });
      onRefreshed(prepareBacktestCohort.id);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="field span-2" role="status" data-testid="cohort-freshness">
      <span>
        {formatNumber(cohort.outcomesChangedSince)} outcome{cohort.outcomesChangedSince === 1 ? '' : 's'} changed since this cohort was
        prepared.{' '}
      </span>
      <button type="button" className="button" disabled={busy} onClick={() => void refresh()}>
        Refresh the cohort
      </button>
      {error && <ErrorMessage error={error} title="Could not refresh the cohort" />}
    </div>
  );
}
