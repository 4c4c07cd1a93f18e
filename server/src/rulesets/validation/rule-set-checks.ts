import type { FactDefinition, RuleSetDefinition } from '../../engine/ruleset-definition';
import type { RuleSetProblem } from './problems';

/**
 * A schema-valid document under check and the problems found so far, in the order the checks find
 * them. Each family of checks (limits, references, conditions, document, catalog) adds to it.
 */
export class RuleSetChecks {
  readonly problems: RuleSetProblem[] = [];
  /** The declared facts by name. */
  readonly facts = new Map<string, FactDefinition>();
  /** Conditions walked so far, against maxConditionsTotal. */
  conditionCount = 0;

  constructor(readonly doc: RuleSetDefinition) {
    for (const fact of doc.facts) this.facts.set(fact.name, fact);
  }

  add(path: string, message: string, extra: Pick<RuleSetProblem, 'severity' | 'suggestion'> = {}): void {
    const problem: RuleSetProblem = { path, message };
    if (extra.severity) problem.severity = extra.severity;
    if (extra.suggestion !== undefined) problem.suggestion = extra.suggestion;
    this.problems.push(problem);
  }

  warn(path: string, message: string): void {
    this.add(path, message, { severity: 'warning' });
  }
}
