'use client';

import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { Problem } from '@/lib/graphql-client';

/** The validation problems of the document being edited, by JSON path. */
export interface ProblemIndex {
  all: Problem[];
  /** Problems at exactly this path, or inside its value (`value[2]` belongs to the `value` field). */
  at(path: string): Problem[];
  /** Problems anywhere under this path (a collapsed rule shows how many it has). */
  under(path: string): Problem[];
}

export function indexProblems(problems: Problem[]): ProblemIndex {
  return {
    all: problems,
    at: (path) => problems.filter((problem) => problem.path === path || problem.path.startsWith(`${path}[`)),
    under: (path) =>
      problems.filter((problem) => problem.path === path || problem.path.startsWith(`${path}.`) || problem.path.startsWith(`${path}[`)),
  };
}

const ProblemsContext = createContext<ProblemIndex>(indexProblems([]));

export function ProblemsProvider({ problems, children }: { problems: Problem[]; children: ReactNode }) {
  const index = useMemo(() => indexProblems(problems), [problems]);
  return <ProblemsContext.Provider value={index}>{children}</ProblemsContext.Provider>;
}

export function useProblems(): ProblemIndex {
  return useContext(ProblemsContext);
}

export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/**
 * Props that tie a form control to its JSON path: a stable id, `data-path` (so a problem in the
 * summary can focus it), `aria-invalid` and `aria-describedby` pointing at its problem messages.
 */
export function useFieldProps(path: string, options: { exact?: boolean } = {}) {
  const index = useProblems();
  const problems = options.exact ? index.all.filter((problem) => problem.path === path) : index.at(path);
  const id = fieldId(path);
  return {
    id,
    'data-path': path,
    'aria-invalid': problems.length > 0 ? (true as const) : undefined,
    'aria-describedby': problems.length > 0 ? `${id}-problems` : undefined,
  };
}

/** The problems of one field, right below it (with `exact`, not those of the items in its value). */
export function FieldProblems({ path, exact = false }: { path: string; exact?: boolean }) {
  const index = useProblems();
  const problems = exact ? index.all.filter((problem) => problem.path === path) : index.at(path);
  if (problems.length === 0) return null;
  return (
    <div id={`${fieldId(path)}-problems`}>
      {problems.map((problem) => (
        <p className="field-error" key={`${problem.path}:${problem.message}`}>
          {problem.path !== path ? `${problem.path.slice(path.length)}: ` : ''}
          {problem.message}
        </p>
      ))}
    </div>
  );
}

/** Problems about a whole block (a rule's conditions, a section) rather than one control. */
export function BlockProblems({ path }: { path: string }) {
  const problems = useProblems().all.filter((problem) => problem.path === path);
  if (problems.length === 0) return null;
  return (
    <div data-path={path} tabIndex={-1}>
      {problems.map((problem) => (
        <p className="field-error" key={problem.message}>
          {problem.message}
        </p>
      ))}
    </div>
  );
}
