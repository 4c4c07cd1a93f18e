import type { Problem } from '../../common/errors';

/**
 * A problem found in a rule set. Without `severity` it is an error (the document is refused); a
 * warning is shown but does not make the document invalid. `suggestion` is the value to put in
 * its place, where there is one (a "did you mean").
 */
export interface RuleSetProblem extends Problem {
  severity?: 'warning';
  suggestion?: string;
}

export const isError = (problem: RuleSetProblem): boolean => problem.severity !== 'warning';

/** Each problem once: two checks that find the same thing at the same path report it as one. */
export function withoutRepeats(problems: RuleSetProblem[]): RuleSetProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
