import type { ErrorObject } from 'ajv/dist/2020.js';
import { BLANK_VALUE, humanise, quoted } from './leaves';

/*
 * The one place where JSON Schema (ajv) errors become sentences for people: "Name cannot be empty",
 * not "must NOT have fewer than 1 characters". The path stays beside them for tools.
 */

const NAMED: Record<string, string> = {
  '(root)': 'The rule set',
  key: 'Key',
  formatVersion: 'Format version',
  fact: 'Fact',
  operator: 'Operator',
  value: 'Value',
  points: 'Points',
  dimension: 'Dimension',
  label: 'Label',
  windowDays: 'Time window (days)',
  activityTypes: 'Activity types',
  halfLifeDays: 'Half-life (days)',
  graceDays: 'Grace period (days)',
};

/** The field a path names, in words: `rules[3].event.params.points` -> `Points`, `grades.B` -> `Grade B threshold`. */
export function fieldLabel(path: string): string {
  if (path === '(root)' || path === '') return NAMED['(root)'];
  const tokens = path.match(/[^.[\]]+|\[\d+\]/g) ?? [path];
  const last = tokens[tokens.length - 1];
  const index = /^\[(\d+)\]$/.exec(last);
  if (index) return `Item ${Number(index[1]) + 1} of ${fieldLabel(tokens.slice(0, -1).join('.').replace(/\.\[/g, '[')).toLowerCase()}`;
  const parent = tokens.length > 1 ? tokens[tokens.length - 2].replace(/\[\d+\]$/, '') : '';
  if (parent === 'grades') return `Grade ${last} threshold`;
  if (parent === 'levels') return `Level ${last} threshold`;
  if (parent === 'cells') return `Cell ${last}`;
  if (tokens.includes('caps') && (last === 'min' || last === 'max')) return `${last === 'min' ? 'Lowest' : 'Highest'} ${parent} points`;
  if (last === 'name' && tokens[0] === 'rules' && tokens.length === 3) return 'Rule name';
  if (last === 'name' && tokens[0].startsWith('facts')) return 'Fact name';
  return NAMED[last] ?? humanise(last);
}

function valueAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list',
  null: 'empty',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const isGroup = (path: string): boolean => /\.(all|any)$/.test(path);
const isLeafField = (path: string, field: string): boolean =>
  new RegExp(`conditions.*\\.${field}$|^sharedConditions.*\\.${field}$`).test(path);

/**
 * A sentence for one ajv error at `path` (made from its instancePath; for `required` and
 * `additionalProperties`, the property's own path).
 */
export function schemaSentence(error: ErrorObject, path: string, doc: unknown): string {
  const label = fieldLabel(path);
  const data = valueAt(doc, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      if (isLeafField(path, 'fact')) return 'A fact is required: choose what this condition tests';
      if (isLeafField(path, 'operator')) return 'An operator is required: choose how this condition compares';
      if (isLeafField(path, 'value')) return `A value is required: ${BLANK_VALUE.toLowerCase()}`;
      return `${label} is required`;
    case 'additionalProperties':
      return `${quoted(params.additionalProperty)} is not a known property here; remove it or check its spelling`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(quoted).join(', ');
      if (data === '' && isLeafField(path, 'operator')) return 'Choose an operator for this condition';
      return `${label} ${quoted(data)} is not allowed; it must be one of ${allowed}`;
    }
    case 'const':
      return `${label} must be ${quoted(params.allowedValue)}`;
    case 'type': {
      const types = Array.isArray(params.type) ? (params.type as string[]) : [String(params.type)];
      return `${label} must be ${types.map((type) => TYPE_WORDS[type] ?? type).join(' or ')}${types.includes('integer') ? ' (an integer)' : ''}`;
    }
    case 'minLength':
      if (isLeafField(path, 'value')) return BLANK_VALUE;
      return params.limit === 1
        ? `${label} cannot be empty`
        : `${label} must be at least ${plural(Number(params.limit), 'character')} long`;
    case 'maxLength':
      return `${label} is too long: at most ${plural(Number(params.limit), 'character')}`;
    case 'pattern':
      if (isLeafField(path, 'fact') && data === '') return 'Choose a fact for this condition';
      if (path === 'key') return 'Key must be 2 to 63 lower-case letters, digits or hyphens, starting with a letter or digit';
      if (data === '') return `${label} cannot be empty`;
      if (/\.activityTypes\[\d+\]$/.test(path))
        return `${label} ${quoted(data)} is not an activity type name: 2 to 63 lower-case letters, digits or underscores, starting with a letter (e.g. feature_used)`;
      return `${label} ${quoted(data)} must start with a letter and hold only letters, digits or underscores (at most 64 characters)`;
    case 'minimum':
      return `${label} must be at least ${params.limit}`;
    case 'maximum':
      return `${label} must be at most ${params.limit}`;
    case 'exclusiveMinimum':
      return `${label} must be above ${params.limit}`;
    case 'exclusiveMaximum':
      return `${label} must be below ${params.limit}`;
    case 'minItems':
      if (isGroup(path)) return 'This group has no conditions: add a condition or remove the group';
      if (isLeafField(path, 'value')) return `The list of values needs at least ${plural(Number(params.limit), 'value')}`;
      return `${label} needs at least ${plural(Number(params.limit), 'item')}`;
    case 'maxItems':
      return `${label} has too many items: at most ${params.limit}`;
    case 'uniqueItems':
      return `${label} lists the same item twice (items ${Number(params.j) + 1} and ${Number(params.i) + 1})`;
    case 'maxProperties':
      return `${label} has too many entries: at most ${params.limit}`;
    case 'propertyNames':
      return `The name ${quoted(params.propertyName)} in ${label.toLowerCase()} must start with a letter and hold only letters, digits, underscores or hyphens (at most 64 characters)`;
    case 'format':
      return `${label} must be a valid ${params.format}`;
    case 'false schema':
      return `${label} is one item too many: remove it`;
    default:
      return `${label} is not valid here`;
  }
}
