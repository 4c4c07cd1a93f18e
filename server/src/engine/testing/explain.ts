import { explainEvaluation, type ExplainedCondition, type RuleExplanation } from '../explain';
import { RuleSetEvaluator, type Facts } from '../rule-engine';
import type { Dimension, RuleDefinition, RuleSetDefinition, TopLevelCondition } from '../ruleset-definition';

/* Test support for explainEvaluation: small rule sets, evaluated by the real json-rules-engine. */

export function definition(rules: RuleDefinition[], sharedConditions?: Record<string, TopLevelCondition>): RuleSetDefinition {
  return {
    formatVersion: 1,
    key: 'explain-test',
    name: 'Explain test',
    facts: [],
    ...(sharedConditions ? { sharedConditions } : {}),
    rules,
    caps: { fit: { min: -100, max: 100 }, engagement: { min: -100, max: 100 } },
    decay: { model: 'none' },
    grades: { A: 60, B: 40, C: 20 },
    levels: { '1': 60, '2': 35, '3': 15 },
    cells: {},
    bands: [{ name: 'all' }],
    qualification: { threshold: 90, label: 'MQL' },
  };
}

export function rule(name: string, conditions: TopLevelCondition, points = 10, dimension: Dimension = 'fit'): RuleDefinition {
  return { name, conditions, event: { type: 'score', params: { dimension, points, label: `Label of ${name}` } } };
}

export async function explain(def: RuleSetDefinition, facts: Facts): Promise<RuleExplanation[]> {
  const evaluation = await new RuleSetEvaluator(def).evaluate(facts);
  return explainEvaluation(def, evaluation, facts);
}

export function byName(explanations: RuleExplanation[], name: string): RuleExplanation {
  const found = explanations.find((explanation) => explanation.name === name);
  if (!found) throw new Error(`no explanation for ${name}`);
  return found;
}

/** path -> result of every node of a tree, for compact assertions. */
export function results(node: ExplainedCondition, into: Record<string, boolean | null> = {}): Record<string, boolean | null> {
  into[node.path] = node.result;
  for (const child of node.children) results(child, into);
  return into;
}

export const BIG_COMPANY = { fact: 'companySize', operator: 'greaterThanInclusive', value: 200 };
export const IN_TARGET_COUNTRY = { fact: 'country', operator: 'in', value: ['US', 'CA'] };
