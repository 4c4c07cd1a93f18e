/** How values, conditions and rules read in the diff's summary lines. */

import type { RuleDefinition } from '../../engine/ruleset-definition';
import { isRecord, type Json } from './json-diff';

export const OPERATOR_TEXT: Record<string, string> = {
  equal: '=',
  notEqual: '≠',
  lessThan: '<',
  lessThanInclusive: '≤',
  greaterThan: '>',
  greaterThanInclusive: '≥',
  in: 'is one of',
  notIn: 'is not one of',
  contains: 'contains',
  doesNotContain: 'does not contain',
  startsWith: 'starts with',
  endsWith: 'ends with',
  containsText: 'contains text',
};

/** Text in double quotes, unescaped: summary lines are for people, not parsers. */
export function quote(text: unknown): string {
  return `"${String(text)}"`;
}

/** A value as people read it: strings quoted, lists in brackets, absent as `(none)`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (isRecord(value)) return JSON.stringify(value);
  return String(value);
}

export function formatItems(items: unknown[]): string {
  return items.map(formatValue).join(', ');
}

type ConditionKind = 'all' | 'any' | 'not' | 'reference' | 'comparison' | 'unknown';

export function conditionKind(condition: unknown): ConditionKind {
  if (!isRecord(condition)) return 'unknown';
  if ('all' in condition) return 'all';
  if ('any' in condition) return 'any';
  if ('not' in condition) return 'not';
  if ('condition' in condition) return 'reference';
  if ('fact' in condition) return 'comparison';
  return 'unknown';
}

/** A condition as a short sentence-like text, e.g. `companySize ≥ 200`, `any of (a; b)`. */
export function formatCondition(condition: unknown): string {
  if (!isRecord(condition)) return formatValue(condition);
  switch (conditionKind(condition)) {
    case 'all':
    case 'any': {
      const kind = 'all' in condition ? 'all' : 'any';
      const items = Array.isArray(condition[kind]) ? (condition[kind] as unknown[]) : [];
      return `${kind} of (${items.map(formatCondition).join('; ')})`;
    }
    case 'not':
      return `not (${formatCondition(condition.not)})`;
    case 'reference':
      return `shared condition ${formatValue(condition.condition)}`;
    case 'comparison': {
      const fact = `${String(condition.fact)}${typeof condition.path === 'string' ? ` (${condition.path})` : ''}`;
      const operator = String(condition.operator);
      const value = condition.value;
      if (operator === 'between' && Array.isArray(value) && value.length === 2) {
        return `${fact} between ${formatValue(value[0])} and ${formatValue(value[1])}`;
      }
      if (operator === 'isEmpty' && typeof value === 'boolean') return `${fact} is ${value ? '' : 'not '}empty`;
      return `${fact} ${OPERATOR_TEXT[operator] ?? operator} ${formatValue(value)}`;
    }
    default:
      return JSON.stringify(condition);
  }
}

export function signedPoints(points: unknown): string {
  return typeof points === 'number' && points > 0 ? `+${points}` : String(points);
}

export function ruleParams(rule: RuleDefinition | undefined): Json {
  const event: unknown = rule?.event;
  return isRecord(event) && isRecord(event.params) ? event.params : {};
}

export function ruleLabel(rule: RuleDefinition): string {
  const label = ruleParams(rule).label;
  return typeof label === 'string' && label !== '' ? label : rule.name;
}

export function arrow(before: unknown, after: unknown): string {
  return `${formatValue(before)} → ${formatValue(after)}`;
}
