import { ALL_OPERATORS } from '../../engine/operators';
import type { Condition, FactDefinition, FactType } from '../../engine/ruleset-definition';
import { RULE_SET_LIMITS } from './limits';
import { BLANK_VALUE, factLabel, quoted, typeInWords } from './leaves';
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
    if (first !== undefined)
      checks.add(`${base}.name`, `Rule ${first + 1} is already named ${quoted(rule.name)}: give each rule its own name`);
    else names.set(rule.name, index);
    checkCondition(checks, rule.conditions, `${base}.conditions`, 1);
    const reason = never.reason(rule.conditions);
    if (reason) checks.add(`${base}.conditions`, `This rule can never fire: ${reason}`);
  });
}

function checkCondition(checks: RuleSetChecks, condition: Condition, path: string, depth: number): void {
  checks.conditionCount += 1;
  if (checks.conditionCount === RULE_SET_LIMITS.maxConditionsTotal + 1) {
    checks.add(path, `This rule set has too many conditions: at most ${RULE_SET_LIMITS.maxConditionsTotal} in all`);
  }
  if (depth > RULE_SET_LIMITS.maxConditionDepth) {
    checks.add(path, `These conditions are nested too deeply: at most ${RULE_SET_LIMITS.maxConditionDepth} levels of groups`);
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
    if (!shared)
      checks.add(
        `${path}.condition`,
        `There is no shared condition named ${quoted(condition.condition)}: create it or pick one that exists`,
      );
  } else checkLeaf(checks, condition, path);
}

function checkLeaf(checks: RuleSetChecks, leaf: Extract<Condition, { fact: string }>, path: string): void {
  const fact = checks.facts.get(leaf.fact);
  if (!fact) {
    checks.add(
      `${path}.fact`,
      `This condition tests ${quoted(leaf.fact)}, which is not one of the rule set's facts: declare it under Facts or pick another fact`,
    );
    return;
  }
  if (leaf.params !== undefined) checks.add(`${path}.params`, 'Facts take no parameters: remove them from this condition');
  if (leaf.path !== undefined && !/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/.test(leaf.path)) {
    checks.add(`${path}.path`, 'The path into the fact must be a simple one, such as $.name or $[0]');
  }
  const allowed = OPERATORS_BY_TYPE[fact.type];
  if (!ALL_OPERATORS.includes(leaf.operator)) {
    checks.add(`${path}.operator`, `${quoted(leaf.operator)} is not a known comparison: pick one from the list`);
    return;
  }
  if (!allowed.includes(leaf.operator)) {
    checks.add(
      `${path}.operator`,
      `The comparison ${quoted(leaf.operator)} does not apply to ${factLabel(fact)}, which is ${typeInWords(fact.type)}: use one of ${allowed.join(', ')}`,
    );
    return;
  }
  checkValue(checks, leaf, fact, `${path}.value`);
}

function checkValue(checks: RuleSetChecks, leaf: Extract<Condition, { fact: string }>, fact: FactDefinition, path: string): void {
  const value = leaf.value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'fact' in value) {
    const other = checks.facts.get(String((value as { fact: unknown }).fact));
    if (!other)
      checks.add(
        `${path}.fact`,
        `This condition compares with ${quoted(String((value as { fact: unknown }).fact))}, which is not one of the rule set's facts: declare it under Facts`,
      );
    return;
  }
  const label = factLabel(fact);
  const got = `not ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}`;
  const scalarType: FactType = fact.type === 'string[]' ? 'string' : fact.type;
  switch (leaf.operator) {
    case 'in':
    case 'notIn':
      if (!Array.isArray(value) || value.length === 0)
        checks.add(
          path,
          `${quoted(leaf.operator)} compares ${label} with a list of at least one value (${typeInWords(scalarType)}), ${got}`,
        );
      else if (value.length > RULE_SET_LIMITS.maxListValues)
        checks.add(path, `A list has at most ${RULE_SET_LIMITS.maxListValues} values; this one has ${value.length}`);
      else {
        value.forEach((item, i) => {
          if (!scalarMatches(item, scalarType))
            checks.add(`${path}[${i}]`, `Each value compared with ${label} must be ${typeInWords(scalarType)}, not ${quoted(item)}`);
          else if (isBlank(item)) checks.add(`${path}[${i}]`, BLANK_VALUE);
        });
      }
      return;
    case 'between':
      if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number'))
        checks.add(path, `"between" compares ${label} with two numbers, the low one first, ${got}`);
      else if (value[0] > value[1]) checks.add(path, `The low end ${value[0]} is above the high end ${value[1]}: swap them`);
      return;
    case 'isEmpty':
      if (typeof value !== 'boolean') checks.add(path, `"isEmpty" needs true (${label} is empty) or false (it has a value), ${got}`);
      return;
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive':
      if (typeof value !== 'number') checks.add(path, `${quoted(leaf.operator)} compares ${label} with a number, ${got}`);
      return;
    default:
      if (!scalarMatches(value, scalarType))
        checks.add(path, `${label} is ${typeInWords(fact.type)}: compare it with ${typeInWords(scalarType)}, ${got}`);
      else if (isBlank(value)) checks.add(path, BLANK_VALUE);
  }
}

const isBlank = (value: unknown): boolean => typeof value === 'string' && value.trim() === '';
