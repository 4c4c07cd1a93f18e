/**
 * Helpers for the rule set document as the console edits it. Its types are the engine's own
 * (server/src/engine/ruleset-definition.ts, imported as types only so nothing server-side is
 * bundled); the API validates the document, so a form may hold a value those types do not allow yet.
 */
import type {
  Condition,
  ConditionAll,
  ConditionAny,
  ConditionLeaf,
  ConditionNot,
  ConditionReference,
  FactDefinition,
  FactType,
  RuleDefinition,
  RuleSetDefinition,
} from '@engine/ruleset-definition';

export type {
  BandDefinition,
  CellAction,
  Condition,
  ConditionAll,
  ConditionAny,
  ConditionLeaf,
  ConditionNot,
  ConditionReference,
  DecayDefinition,
  Dimension,
  FactDefinition,
  FactType,
  RuleDefinition,
  RuleSetDefinition,
  TopLevelCondition,
} from '@engine/ruleset-definition';

/** The document as the API's JSONObject scalar carries it. */
export function toJsonObject(definition: RuleSetDefinition): Record<string, unknown> {
  return definition as unknown as Record<string, unknown>;
}

/** A document from the API or JSON mode, typed for the forms (the API has validated it, or reports why not). */
export function toDefinition(value: unknown): RuleSetDefinition {
  return value as RuleSetDefinition;
}

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export const LEVELS = ['1', '2', '3', '4'] as const;
export const CELLS = GRADES.flatMap((grade) => LEVELS.map((level) => `${grade}${level}`));

/** Which operators make sense for each fact type (the API enforces the same table). */
export const OPERATORS_BY_TYPE: Record<FactType, string[]> = {
  number: [
    'equal',
    'notEqual',
    'lessThan',
    'lessThanInclusive',
    'greaterThan',
    'greaterThanInclusive',
    'between',
    'in',
    'notIn',
    'isEmpty',
  ],
  string: ['equal', 'notEqual', 'in', 'notIn', 'containsText', 'startsWith', 'endsWith', 'isEmpty'],
  boolean: ['equal', 'notEqual', 'isEmpty'],
  'string[]': ['contains', 'doesNotContain', 'isEmpty'],
  date: ['equal', 'notEqual', 'isEmpty'],
};

/** Operators in words, for people who do not read JSON. */
export const OPERATOR_LABELS: Record<string, string> = {
  equal: 'is',
  notEqual: 'is not',
  lessThan: 'is less than',
  lessThanInclusive: 'is at most',
  greaterThan: 'is more than',
  greaterThanInclusive: 'is at least',
  between: 'is between',
  in: 'is one of',
  notIn: 'is none of',
  contains: 'contains',
  doesNotContain: 'does not contain',
  containsText: 'contains the text',
  startsWith: 'starts with',
  endsWith: 'ends with',
  isEmpty: 'is empty',
};

export function isLeaf(condition: Condition): condition is ConditionLeaf {
  return 'fact' in condition;
}
export function isAll(condition: Condition): condition is ConditionAll {
  return 'all' in condition;
}
export function isAny(condition: Condition): condition is ConditionAny {
  return 'any' in condition;
}
export function isNot(condition: Condition): condition is ConditionNot {
  return 'not' in condition;
}
export function isReference(condition: Condition): condition is ConditionReference {
  return 'condition' in condition && !('fact' in condition);
}

/** A value that fits the operator and fact type, keeping what it can of the previous value. */
export function defaultValue(type: FactType, operator: string, previous?: unknown): unknown {
  const scalar = Array.isArray(previous) ? previous[0] : previous;
  switch (operator) {
    case 'isEmpty':
      return typeof previous === 'boolean' ? previous : false;
    case 'between': {
      if (Array.isArray(previous) && previous.length === 2) return previous;
      const low = typeof scalar === 'number' ? scalar : 0;
      return [low, low + 10];
    }
    case 'in':
    case 'notIn':
      if (Array.isArray(previous)) return previous;
      return scalar === undefined || scalar === null || scalar === '' ? [] : [scalar];
  }
  switch (type) {
    case 'number':
      return typeof scalar === 'number' ? scalar : 0;
    case 'boolean':
      return typeof scalar === 'boolean' ? scalar : true;
    default:
      return typeof scalar === 'string' ? scalar : '';
  }
}

export function newLeaf(facts: FactDefinition[]): ConditionLeaf {
  const fact = facts[0];
  if (!fact) return { fact: '', operator: 'equal', value: '' };
  const operator = OPERATORS_BY_TYPE[fact.type]?.[0] ?? 'equal';
  return { fact: fact.name, operator, value: defaultValue(fact.type, operator) };
}

export function newRule(definition: RuleSetDefinition): RuleDefinition {
  const names = new Set(definition.rules.map((rule) => rule.name));
  let index = definition.rules.length + 1;
  while (names.has(`rule-${index}`)) index++;
  return {
    name: `rule-${index}`,
    conditions: { all: [newLeaf(definition.facts)] },
    event: { type: 'score', params: { dimension: 'fit', points: 10, label: 'New rule: say why the lead gets these points' } },
  };
}

/** `rules[3].conditions.all[1].value`: the path format of the API's problems. */
export type Path = ReadonlyArray<string | number>;

export function pathToString(path: Path): string {
  let out = '';
  for (const segment of path) out = typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment;
  return out;
}

/** Copy of `value` with the member at `path` replaced (undefined removes an object member). */
export function setIn<T>(value: T, path: Path, next: unknown): T {
  if (path.length === 0) return next as T;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = setIn(copy[head as number], rest, next);
    return copy as T;
  }
  const record = { ...(value as Record<string, unknown>) };
  const updated = setIn(record[head as string], rest, next);
  if (updated === undefined) delete record[head as string];
  else record[head as string] = updated;
  return record as T;
}

export function getIn(value: unknown, path: Path): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

/** JSON with object keys sorted, so that key order never makes two documents differ. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
