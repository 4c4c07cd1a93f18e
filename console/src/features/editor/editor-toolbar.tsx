'use client';

import type { Problem } from '@/lib/graphql-client';
import type { SaveState } from './use-save';

interface EditorToolbarProps {
  revision: number;
  dirty: boolean;
  validating: boolean;
  problems: Problem[];
  onShowProblem(path: string): void;
  onDiscard(): void;
  saveState: SaveState;
  removal: string | null;
  onUndo(): void;
}

/** The sticky save bar: save state, live validation, a note, discard and save (also Ctrl/Cmd+S), and undo after a removal. */
export function EditorToolbar({
  revision,
  dirty,
  validating,
  problems,
  onShowProblem,
  onDiscard,
  saveState,
  removal,
  onUndo,
}: EditorToolbarProps) {
  const { note, setNote, saving, canSave, save } = saveState;
  return (
    <section className="toolbar" aria-label="Save">
      <span className="small" data-testid="save-state" aria-live="polite">
        Revision {revision} · {dirty ? <strong>Unsaved changes</strong> : 'All changes saved'}
      </span>
      <span className="small" aria-live="polite" data-testid="validation-state">
        {validating ? (
          'Checking…'
        ) : problems.length ? (
          <button type="button" className="button small danger-outline" onClick={() => onShowProblem(problems[0].path)}>
            {problems.length} problem{problems.length === 1 ? '' : 's'}
          </button>
        ) : (
          <span className="points-pos">✓ Valid</span>
        )}
      </span>
      <label htmlFor="save-note" className="visually-hidden">
        Note for this save
      </label>
      <input
        id="save-note"
        className="note-input"
        type="text"
        placeholder="What changed?"
        value={note}
        onChange={(event) => setNote(event.target.value)}
      />
      <button type="button" className="button subtle" disabled={!dirty || saving} onClick={onDiscard}>
        Discard changes
      </button>
      <button
        type="button"
        className="button primary"
        disabled={!canSave}
        onClick={() => void save()}
        aria-keyshortcuts="Control+S Meta+S"
        title="Save draft (Ctrl+S or ⌘S)"
      >
        {saving ? 'Saving…' : 'Save draft'}
      </button>
      <span role="status" className="small" data-testid="undo-removal">
        {removal && (
          <>
            {removal} removed.{' '}
            <button type="button" className="button small" onClick={onUndo}>
              Undo
            </button>
          </>
        )}
      </span>
    </section>
  );
}
