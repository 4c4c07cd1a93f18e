import { Operator } from 'json-rules-engine';

/**
 * Operators we add to json-rules-engine's built-ins. None takes a pattern or loops over
 * user-controlled sizes beyond the fact's own value, so a rule set cannot make evaluation hang.
 */
export const BUILT_IN_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

export const CUSTOM_OPERATOR_NAMES = ['startsWith', 'endsWith', 'containsText', 'between', 'isEmpty'] as const;
export type CustomOperatorName = (typeof CUSTOM_OPERATOR_NAMES)[number];
export const ALL_OPERATORS: readonly string[] = [...BUILT_IN_OPERATORS, ...CUSTOM_OPERATOR_NAMES];

export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Pure predicates, shared by json-rules-engine and anything that re-implements its semantics. */
export const customOperatorPredicates: Record<CustomOperatorName, (factValue: unknown, value: unknown) => boolean> = {
  startsWith: (f, v) => typeof f === 'string' && typeof v === 'string' && f.startsWith(v),
  endsWith: (f, v) => typeof f === 'string' && typeof v === 'string' && f.endsWith(v),
  containsText: (f, v) => typeof f === 'string' && typeof v === 'string' && f.toLowerCase().includes(v.toLowerCase()),
  between: (f, v) =>
    typeof f === 'number' &&
    Array.isArray(v) &&
    v.length === 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    f >= v[0] &&
    f <= v[1],
  isEmpty: (f, v) => isEmptyValue(f) === (v === true),
};

export function customOperators(): Operator[] {
  return CUSTOM_OPERATOR_NAMES.map((name) => new Operator(name, customOperatorPredicates[name]));
}
