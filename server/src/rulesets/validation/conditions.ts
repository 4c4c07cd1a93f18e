import { ALL_OPERATORS } from '../../engine/operators';
import type { Condition, FactDefinition, FactType } from '../../engine/ruleset-definition';
import { RULE_SET_LIMITS } from './limits';
import { BLANK_VALUE } from './leaves';
import type { NeverFiring } from './never-firing';
import type { RuleSetChecks } from './rule-set-checks';

/** Which operators make sense for each fact type. */
export const OPERATORS_BY_TYPE: Record<FactType, readonly string[]> = {
  number: [
    'equal',
    'notEqual',
    'lessThan',
    'lessThanInclusive',
    'greaterThan',
    'greaterThanInclusive',
    'in',
    'notIn',
    'between',
    'isEmpty',
  ],
  string: ['equal', 'notEqual', 'in', 'notIn', 'startsWith', 'endsWith', 'containsText', 'isEmpty'],
  boolean: ['equal', 'notEqual', 'isEmpty'],
  'string[]': ['contains', 'doesNotContain', 'isEmpty'],
  date: ['equal', 'notEqual', 'isEmpty'],
};

function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function scalarMatches(value: unknown, type: FactType): boolean {
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'boolean') return typeof value === 'boolean';
  return typeof value === 'string';
}

export function checkSharedConditions(checks: RuleSetChecks, never: NeverFiring): void {
  for (const [name, condition] of Object.entries(checks.doc.sharedConditions ?? {})) {
    checkCondition(checks, condition, `sharedConditions.${name}`, 1);
    const reason = never.sharedReason(name);
    if (reason) checks.add(`sharedConditions.${name}`, `This shared condition can never hold: ${reason}`);
  }
}

/** Rules: unique names, their conditions, and whether they can fire at all. */
export function checkRules(checks: RuleSetChecks, never: NeverFiring): void {
  const names = new Map<string, number>();
  checks.doc.rules.forEach((rule, index) => {
    const base = `rules[${index}]`;
    const first = names.get(rule.name);
    if (first !== undefined) checks.add(`${base}.name`, `duplicate rule name "${rule.name}" (also rules[${first}])`);
    else names.set(rule.name, index);
    checkCondition(checks, rule.conditions, `${base}.conditions`, 1);
    const reason = never.reason(rule.conditions);
    if (reason) checks.add(`${base}.conditions`, `This rule can never fire: ${reason}`);
  });
}

function checkCondition(checks: RuleSetChecks, condition: Condition, path: string, depth: number): void {
  checks.conditionCount += 1;
  if (checks.conditionCount === RULE_SET_LIMITS.maxConditionsTotal + 1) {
    checks.add(path, `too many conditions in the rule set (at most ${RULE_SET_LIMITS.maxConditionsTotal})`);
  }
  if (depth > RULE_SET_LIMITS.maxConditionDepth) {
    checks.add(path, `conditions are nested too deeply (at most ${RULE_SET_LIMITS.maxConditionDepth} levels)`);
    return;
  }
  if ('all' in condition)
    condition.all.forEach((c, i) => {
      checkCondition(checks, c, `${path}.all[${i}]`, depth + 1);
    });
  else if ('any' in condition)
    condition.any.forEach((c, i) => {
      checkCondition(checks, c, `${path}.any[${i}]`, depth + 1);
    });
  else if ('not' in condition) checkCondition(checks, condition.not, `${path}.not`, depth + 1);
  else if ('condition' in condition) {
    const shared = checks.doc.sharedConditions?.[condition.condition];
    if (!shared) checks.add(`${path}.condition`, `unknown shared condition "${condition.condition}"`);
  } else checkLeaf(checks, condition, path);
}

function checkLeaf(checks: RuleSetChecks, leaf: Extract<Condition, { fact: string }>, path: string): void {
  const fact = checks.facts.get(leaf.fact);
  if (!fact) {
    checks.add(`${path}.fact`, `unknown fact "${leaf.fact}"; declare it in facts`);
    return;
  }
  if (leaf.params !== undefined) checks.add(`${path}.params`, 'facts take no parameters');
  if (leaf.path !== undefined && !/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/.test(leaf.path)) {
    checks.add(`${path}.path`, 'must be a simple JSONPath such as $.name or $[0]');
  }
  const allowed = OPERATORS_BY_TYPE[fact.type];
  if (!ALL_OPERATORS.includes(leaf.operator)) {
    checks.add(`${path}.operator`, `unknown operator "${leaf.operator}"`);
    return;
  }
  if (!allowed.includes(leaf.operator)) {
    checks.add(
      `${path}.operator`,
      `operator "${leaf.operator}" does not apply to ${fact.type} fact "${fact.name}"; use one of ${allowed.join(', ')}`,
    );
    return;
  }
  checkValue(checks, leaf, fact, `${path}.value`);
}

function checkValue(checks: RuleSetChecks, leaf: Extract<Condition, { fact: string }>, fact: FactDefinition, path: string): void {
  const value = leaf.value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value) {
    const other = checks.facts.get(String((value as { fact: unknown }).fact));
    if (!other) checks.add(`${path}.fact`, `unknown fact "${String((value as { fact: unknown }).fact)}"`);
    return;
  }
  const got = `got ${typeOfValue(value)} ${JSON.stringify(value)?.slice(0, 60)}`;
  const scalarType: FactType = fact.type === 'string[]' ? 'string' : fact.type;
  switch (leaf.operator) {
    case 'in':
    case 'notIn':
      if (!Array.isArray(value) || value.length === 0)
        checks.add(path, `"${leaf.operator}" needs a non-empty list of ${scalarType}s, ${got}`);
      else if (value.length > RULE_SET_LIMITS.maxListValues) checks.add(path, `at most ${RULE_SET_LIMITS.maxListValues} values`);
      else {
        value.forEach((item, i) => {
          if (!scalarMatches(item, scalarType)) checks.add(`${path}[${i}]`, `must be a ${scalarType}, got ${typeOfValue(item)}`);
          else if (isBlank(item)) checks.add(`${path}[${i}]`, BLANK_VALUE);
        });
      }
      return;
    case 'between':
      if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number'))
        checks.add(path, `"between" needs [low, high] numbers, ${got}`);
      else if (value[0] > value[1]) checks.add(path, `low ${value[0]} is above high ${value[1]}`);
      return;
    case 'isEmpty':
      if (typeof value !== 'boolean') checks.add(path, `"isEmpty" needs true or false, ${got}`);
      return;
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive':
      if (typeof value !== 'number') checks.add(path, `"${leaf.operator}" needs a number, ${got}`);
      return;
    default:
      if (!scalarMatches(value, scalarType))
        checks.add(path, `must be a ${scalarType} to compare with ${fact.type} fact "${fact.name}", ${got}`);
      else if (isBlank(value)) checks.add(path, BLANK_VALUE);
  }
}

const isBlank = (value: unknown): boolean => typeof value === 'string' && value.trim() === '';
