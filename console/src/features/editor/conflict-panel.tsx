'use client';

import { ErrorMessage, Loading } from '@/components/states';
import { DiffView } from '@/features/rule-sets/diff-view';
import { RuleSetDiffQuery } from '@/features/rule-sets/operations';
import { actorName, formatDateTime } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { toJsonObject, type RuleSetDefinition } from './definition';
import type { Version } from './use-editor-document';

/** Someone else saved meanwhile: what saving mine would change in theirs, and the three ways out. */
export function ConflictPanel({
  version,
  conflict,
  mine,
  baseRevision,
  onResolve,
}: {
  version: Version;
  conflict: Version;
  mine: RuleSetDefinition;
  baseRevision: number;
  onResolve(how: 'merge' | 'mine' | 'theirs'): void;
}) {
  const diff = useQuery(RuleSetDiffQuery, { fromVersionId: version.id, toDefinition: toJsonObject(mine) });
  return (
    <section className="state warning" role="alert" aria-labelledby="conflict-title" data-testid="conflict">
      <h2 id="conflict-title" style={{ marginTop: 0 }}>
        Someone else saved this version meanwhile
      </h2>
      <p>
        You started from revision {baseRevision}; it is now revision {conflict.revision} (status {conflict.status.replace('_', ' ')}, saved{' '}
        {formatDateTime(conflict.updatedAt)}; editors: {conflict.editors.map(actorName).join(', ') || 'none'}). Your changes are still here
        and kept in this browser: nothing is lost.
      </p>
      <details>
        <summary>What saving your version would change in theirs</summary>
        {diff.loading && <Loading />}
        {diff.error && <ErrorMessage error={diff.error} />}
        {diff.data && <DiffView diff={diff.data.ruleSetDiff} compact />}
      </details>
      <div className="row center" style={{ marginTop: '0.6rem' }}>
        <button type="button" className="button primary" onClick={() => onResolve('merge')}>
          Merge: apply my changes to theirs
        </button>
        <button type="button" className="button" onClick={() => onResolve('mine')}>
          Keep mine (overwrite theirs)
        </button>
        <button type="button" className="button danger-outline" onClick={() => onResolve('theirs')}>
          Discard mine, load theirs
        </button>
      </div>
    </section>
  );
}
