'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ErrorMessage } from '@/components/states';
import { useAuth } from '@/features/auth/auth-context';
import { runBacktest } from '@/features/backtests/run-backtest';
import { CreateDraftMutation } from '@/features/rule-sets/operations';
import { actorName } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { toJsonObject, type RuleSetDefinition } from './definition';
import type { Version } from './use-editor-document';

interface EditorHeaderProps {
  version: Version;
  status: string;
  definition: RuleSetDefinition;
  dirty: boolean;
  readOnly: boolean;
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError([{ message: String(error) }]);
}

/** Breadcrumbs, title and status, the one-click backtest, and why the version is read-only when it is. */
export function EditorHeader({ version, status, definition, dirty, readOnly }: EditorHeaderProps) {
  const { hasRole } = useAuth();
  const router = useRouter();
  const [backtesting, setBacktesting] = useState(false);
  const [error, setError] = useState<{ title: string; error: ApiError }>();
  const keyPath = `/rule-sets/${encodeURIComponent(version.ruleSetKey)}`;

  async function backtestNow() {
    setBacktesting(true);
    setError(undefined);
    try {
      const runId = await runBacktest({
        ruleSetKey: version.ruleSetKey,
        ...(dirty ? { definition: toJsonObject(definition) } : { versionId: version.id }),
      });
      router.push(`${keyPath}/versions/${version.id}/backtest?run=${runId}`);
    } catch (caught) {
      setError({ title: 'The backtest did not start', error: toApiError(caught) });
      setBacktesting(false);
    }
  }

  async function createDraftFromThis() {
    try {
      const { createDraft } = await request(CreateDraftMutation, {
        input: { ruleSetKey: version.ruleSetKey, copyOfVersionId: version.id, note: `Copy of v${version.version}` },
      });
      router.push(`${keyPath}/versions/${createDraft.id}`);
    } catch (caught) {
      setError({ title: 'No draft was created', error: toApiError(caught) });
    }
  }

  return (
    <>
      <div className="page-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumbs">
            <ol>
              <li>
                <Link href="/rule-sets">Rule sets</Link>
              </li>
              <li>
                <Link href={keyPath}>{version.ruleSetKey}</Link>
              </li>
              <li aria-current="page">v{version.version}</li>
            </ol>
          </nav>
          <h1>
            {readOnly ? 'Version' : 'Edit draft'} v{version.version}{' '}
            <span className={`badge ${status}`} data-testid="version-status">
              {status.replace('_', ' ')}
            </span>
          </h1>
          <p className="muted small">
            {definition.name} · created by {actorName(version.createdBy)} · editors:{' '}
            {version.editors.map(actorName).join(', ') || 'none yet'}
          </p>
        </div>
        <div className="row center">
          {hasRole('MARKETING', 'SALES') ? (
            <button
              type="button"
              className="button"
              disabled={backtesting}
              onClick={() => void backtestNow()}
              title="Backtest this document (unsaved edits included) on the last cohort, against the active version"
            >
              {backtesting ? 'Starting backtest…' : 'Run backtest'}
            </button>
          ) : (
            <Link className="button" href={`${keyPath}/versions/${version.id}/backtest`}>
              Backtests
            </Link>
          )}
          <Link className="button" href={`${keyPath}/versions/${version.id}/review`}>
            Review &amp; publish
          </Link>
        </div>
      </div>
      {readOnly && (
        <div className="state warning">
          {['published', 'retired'].includes(status)
            ? `This version is ${status} and can no longer change.`
            : 'Only marketing users edit rule sets; you are viewing it.'}{' '}
          {hasRole('MARKETING') && (
            <button type="button" className="button small" onClick={createDraftFromThis}>
              Create a draft from this version
            </button>
          )}
        </div>
      )}
      {!readOnly && status !== 'draft' && (
        <div className="state warning">
          This version is {status.replace('_', ' ')}. Saving a change sends it back to draft and voids its reviews.
        </div>
      )}
      {error && <ErrorMessage error={error.error} title={error.title} />}
    </>
  );
}
