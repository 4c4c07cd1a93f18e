import type { Problem } from '../../common/errors';
import type { FactDefinition, RuleSetDefinition } from '../../engine/ruleset-definition';

/**
 * A schema-valid document under check and the problems found so far, in the order the checks find
 * them. Each family of checks (limits, references, conditions, document, catalog) adds to it.
 */
export class RuleSetChecks {
  readonly problems: Problem[] = [];
  /** The declared facts by name. */
  readonly facts = new Map<string, FactDefinition>();
  /** Conditions walked so far, against maxConditionsTotal. */
  conditionCount = 0;

  constructor(readonly doc: RuleSetDefinition) {
    for (const fact of doc.facts) this.facts.set(fact.name, fact);
  }

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }
}
