'use client';

import { useEffect, useState } from 'react';
import type { VersionQuery } from '@/gql/graphql';
import { jsonEqual, toDefinition, type RuleSetDefinition } from './definition';
import { readLocalDraft, writeLocalDraft } from './local-draft';

export type Version = VersionQuery['ruleSetVersion'];

/** The last saved state the edit starts from. */
export interface Base {
  revision: number;
  definition: RuleSetDefinition;
  status: string;
}

const EDITABLE_STATUSES = ['draft', 'in_review', 'approved'];

function initialState(version: Version) {
  const serverDefinition = toDefinition(version.definition);
  const server: Base = { revision: version.revision, definition: serverDefinition, status: version.status };
  const local = readLocalDraft(version.id);
  if (!local || jsonEqual(local.definition, serverDefinition)) return { base: server, definition: serverDefinition, restored: null };
  if (local.baseRevision === version.revision) return { base: server, definition: local.definition, restored: local.savedAt };
  // Edited from an older revision: the caller shows the conflict with the server's version.
  return {
    base: { revision: local.baseRevision, definition: local.baseDefinition, status: version.status },
    definition: local.definition,
    restored: local.savedAt,
    conflict: true,
  };
}

/**
 * The document being edited: it starts from the server's version or from edits this browser kept
 * for it, keeps unsaved edits in this browser (forgotten once saved) and warns before leaving them.
 */
export function useEditorDocument(version: Version, canEdit: boolean) {
  const [initial] = useState(() => initialState(version));
  const [base, setBase] = useState<Base>(initial.base);
  const [definition, setDefinition] = useState<RuleSetDefinition>(initial.definition);
  const [status, setStatus] = useState(version.status);
  const editable = canEdit && EDITABLE_STATUSES.includes(status);
  const dirty = !jsonEqual(definition, base.definition);

  useEffect(() => {
    if (!editable) return;
    writeLocalDraft(
      version.id,
      dirty ? { baseRevision: base.revision, baseDefinition: base.definition, definition, savedAt: new Date().toISOString() } : null,
    );
  }, [definition, base, dirty, editable, version.id]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  return {
    base,
    setBase,
    definition,
    setDefinition,
    status,
    setStatus,
    editable,
    dirty,
    restoredAt: initial.restored,
    startsInConflict: initial.conflict === true,
  };
}

export type EditorDocument = ReturnType<typeof useEditorDocument>;
