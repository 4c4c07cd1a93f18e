'use client';

import { useEffect, useRef, useState } from 'react';
import { formatDateTime } from '@/lib/format';
import { ApiError, request, type Problem } from '@/lib/graphql-client';
import { toDefinition, toJsonObject } from './definition';
import { mergeDefinitions } from './merge';
import { SaveDraftMutation, VersionQuery } from './operations';
import type { Base, EditorDocument, Version } from './use-editor-document';

const DEFINITION_PREFIX = 'input.definition.';

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError([{ message: String(error) }]);
}

/** The problems of a refused save that concern the document, with paths relative to it. */
function documentProblems(error: ApiError): Problem[] {
  return error.problems
    .filter((problem) => problem.path.startsWith(DEFINITION_PREFIX))
    .map((problem) => ({ ...problem, path: problem.path.slice(DEFINITION_PREFIX.length) }));
}

/**
 * Saving with optimistic concurrency: a save over someone else's newer revision opens a conflict
 * to merge, overwrite or discard. A save refused for problems in the document puts them on their
 * fields (not in a box of their own); any other failure shows until the next edit.
 */
export function useSave(version: Version, doc: EditorDocument, setProblems: (problems: Problem[]) => void) {
  const { base, setBase, definition, setDefinition, status, setStatus } = doc;
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError>();
  const [refused, setRefused] = useState(false);
  const [notice, setNotice] = useState<string | null>(
    doc.restoredAt ? `Restored your unsaved changes from ${formatDateTime(doc.restoredAt)} (kept in this browser).` : null,
  );
  const [conflict, setConflict] = useState<Version | null>(doc.startsInConflict ? version : null);
  const [mergeConflicts, setMergeConflicts] = useState<string[]>([]);
  const failedFor = useRef<unknown>(null);

  // A failure belongs to the document that was sent: the next edit clears it.
  useEffect(() => {
    if (failedFor.current !== null && failedFor.current !== definition) {
      failedFor.current = null;
      setSaveError(undefined);
      setRefused(false);
    }
  }, [definition]);

  async function save(expectedRevision = base.revision) {
    setSaving(true);
    setSaveError(undefined);
    setRefused(false);
    setNotice(null);
    const sent = definition;
    try {
      const { saveDraft } = await request(SaveDraftMutation, {
        input: { versionId: version.id, expectedRevision, definition: toJsonObject(sent), note: note.trim() || undefined },
      });
      const saved = toDefinition(saveDraft.definition);
      setBase({ revision: saveDraft.revision, definition: saved, status: saveDraft.status });
      setStatus(saveDraft.status);
      // Edits typed while saving stay; otherwise show exactly what the server stored.
      setDefinition((current) => (current === sent ? saved : current));
      setConflict(null);
      setMergeConflicts([]);
      setNote('');
      setNotice(`Saved: revision ${saveDraft.revision}${status !== 'draft' ? ' (back to draft: reviews must be given again)' : ''}.`);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === 'CONFLICT' && apiError.reason === 'STALE_REVISION') {
        const latest = await request(VersionQuery, { id: version.id }).catch(() => null);
        if (latest) setConflict(latest.ruleSetVersion);
        else setSaveError(apiError);
      } else {
        failedFor.current = sent;
        const located = documentProblems(apiError);
        if (located.length) {
          setProblems(located);
          setRefused(true);
        } else setSaveError(apiError);
      }
    } finally {
      setSaving(false);
    }
  }

  function resolveConflict(how: 'merge' | 'mine' | 'theirs') {
    if (!conflict) return;
    const theirs = toDefinition(conflict.definition);
    const theirBase: Base = { revision: conflict.revision, definition: theirs, status: conflict.status };
    setStatus(conflict.status);
    setBase(theirBase);
    setConflict(null);
    if (how === 'theirs') {
      setDefinition(theirs);
      setNotice(`Loaded revision ${conflict.revision}; your changes were discarded.`);
    } else if (how === 'merge') {
      const merged = mergeDefinitions(base.definition, definition, theirs);
      setDefinition(merged.definition);
      setMergeConflicts(merged.conflicts);
      setNotice(`Your changes were applied on top of revision ${conflict.revision}. Check the result, then save.`);
    } else {
      void save(conflict.revision);
    }
  }

  const canSave = doc.editable && doc.dirty && !saving && !conflict;
  return {
    note,
    setNote,
    saving,
    saveError,
    refused,
    notice,
    setNotice,
    conflict,
    mergeConflicts,
    canSave,
    save,
    resolveConflict,
    setSaveError,
  };
}

export type SaveState = ReturnType<typeof useSave>;

/** Ctrl+S (Cmd+S on a Mac) saves, wherever the focus is, instead of the browser saving the page. */
export function useSaveShortcut(saveState: SaveState): void {
  const latest = useRef(saveState);
  latest.current = saveState;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') return;
      event.preventDefault();
      if (latest.current.canSave) void latest.current.save();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
