import type { RuleSetDefinition } from './definition';

/** Unsaved edits of a version, kept in this browser so that a reload, a crash or a conflict loses nothing. */
export interface LocalDraft {
  baseRevision: number;
  baseDefinition: RuleSetDefinition;
  definition: RuleSetDefinition;
  savedAt: string;
}

const key = (versionId: string) => `lead-scoring.draft.${versionId}`;

export function readLocalDraft(versionId: string): LocalDraft | null {
  try {
    const raw = window.localStorage.getItem(key(versionId));
    return raw ? (JSON.parse(raw) as LocalDraft) : null;
  } catch {
    return null;
  }
}

export function writeLocalDraft(versionId: string, draft: LocalDraft | null): void {
  try {
    if (draft) window.localStorage.setItem(key(versionId), JSON.stringify(draft));
    else window.localStorage.removeItem(key(versionId));
  } catch {
    // Storage full or disabled: the edit stays in memory only.
  }
}
