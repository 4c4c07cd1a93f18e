import type { Condition, ConditionLeaf, FactDefinition } from '../../engine/ruleset-definition';
import type { RuleSetChecks } from './rule-set-checks';

/** Every leaf comparison of the document, where it is written (shared conditions, then rules), with its path. */
export function forEachLeaf(checks: RuleSetChecks, visit: (leaf: ConditionLeaf, path: string) => void): void {
  const walk = (condition: Condition, path: string): void => {
    if ('all' in condition) for (const [i, child] of condition.all.entries()) walk(child, `${path}.all[${i}]`);
    else if ('any' in condition) for (const [i, child] of condition.any.entries()) walk(child, `${path}.any[${i}]`);
    else if ('not' in condition) walk(condition.not, `${path}.not`);
    else if ('fact' in condition) visit(condition, path);
  };
  for (const [name, condition] of Object.entries(checks.doc.sharedConditions ?? {})) walk(condition, `sharedConditions.${name}`);
  for (const [index, rule] of checks.doc.rules.entries()) walk(rule.conditions, `rules[${index}].conditions`);
}

/** `annualRevenue` -> `Annual revenue`. */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What people call a fact: its label, else its name in words. */
export function factLabel(fact: FactDefinition, catalogLabel?: string): string {
  return fact.label ?? catalogLabel ?? humanise(fact.name);
}

/** A fact type as a sentence says it: `Company size is a number`, `Budget confirmed is true or false`. */
export function typeInWords(type: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    string: 'text',
    boolean: 'true or false',
    'string[]': 'a list of text',
    date: 'a date',
  };
  return words[type] ?? `a ${type}`;
}

/** A value as a sentence quotes it. */
export const quoted = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** What a comparison with no value is told, by the schema check and the value check alike. */
export const BLANK_VALUE = 'This condition has no value yet: enter the value to compare with';
