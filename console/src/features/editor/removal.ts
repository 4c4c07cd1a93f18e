'use client';

import { createContext, useCallback, useContext, useRef, useState } from 'react';
import type { RuleSetDefinition } from './definition';

/** Tells the editor that the next change removes something (a rule, a condition), named for the undo notice. */
export const RemovalContext = createContext<(what: string) => void>(() => undefined);

export function useNoteRemoval(): (what: string) => void {
  return useContext(RemovalContext);
}

interface Removal {
  message: string;
  before: RuleSetDefinition;
  after: RuleSetDefinition;
}

/**
 * Every change of the document goes through `change`. A change announced by `noteRemoval` can be
 * undone until the next change: `undo` is offered only while the document is still the one the
 * removal left.
 */
export function useRemovalUndo(definition: RuleSetDefinition, setDefinition: (definition: RuleSetDefinition) => void) {
  const pending = useRef<string | null>(null);
  const current = useRef(definition);
  current.current = definition;
  const [removal, setRemoval] = useState<Removal | null>(null);

  const noteRemoval = useCallback((what: string) => {
    pending.current = what;
  }, []);

  const change = useCallback(
    (next: RuleSetDefinition) => {
      if (pending.current !== null) {
        setRemoval({ message: pending.current, before: current.current, after: next });
        pending.current = null;
      }
      setDefinition(next);
    },
    [setDefinition],
  );

  const offered = removal && removal.after === definition ? removal : null;
  const undo = useCallback(() => {
    if (!offered) return;
    setDefinition(offered.before);
    setRemoval(null);
  }, [offered, setDefinition]);

  return { change, noteRemoval, removal: offered?.message ?? null, undo };
}
