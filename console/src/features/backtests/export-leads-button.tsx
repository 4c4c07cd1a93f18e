'use client';

import { useState } from 'react';
import { graphql } from '@/gql';
import { ApiError, request } from '@/lib/graphql-client';

const BacktestExportUrlQuery = graphql(`
  query BacktestExportUrl($id: ID!) {
    backtestRun(id: $id) { id exportUrl }
  }
`);

/** Downloads the run's per-lead results as CSV: a fresh short-lived link each time, then the browser's own download. */
export function ExportLeadsButton({ runId }: { runId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const { backtestRun } = await request(BacktestExportUrlQuery, { id: runId });
      if (backtestRun.exportUrl) window.location.assign(backtestRun.exportUrl);
      else setError('The backtest has not completed yet.');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span>
      <button type="button" className="button" onClick={download} disabled={busy} data-testid="backtest-export">
        Download leads (CSV)
      </button>
      {error && (
        <span className="small state error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}
