import {
  CELLS,
  type CellAction,
  type DecayDefinition,
  type Dimension,
  type FactDefinition,
  type RuleDefinition,
  type RuleSetDefinition,
  type TopLevelCondition,
  directReferences,
} from '../engine/ruleset-definition';

/**
 * Structured, human-readable differences between two rule set documents (e.g. two versions of
 * one rule set). Pure: no database, no GraphQL. Every part is plain JSON-serialisable data except
 * that `old` / `new` are `undefined` where a value is absent on that side (dropped by JSON).
 *
 * Paths are JavaScript-style property paths into the document (`grades.A`, `bands[1].min`,
 * `conditions.all[1].value`). Rule condition paths are relative to the rule, shared condition
 * paths start at `sharedConditions.<name>`. Paths of removed things refer to `before`, all
 * others to `after`.
 */

/** A value that differs at `path`; `old` / `new` are `undefined` when absent on that side. */
export interface FieldChange {
  path: string;
  old: unknown;
  new: unknown;
}

export interface ValueChange<T> {
  old: T;
  new: T;
}

export type ConditionChangeKind = 'added' | 'removed' | 'changed';

/**
 * One change in a condition tree. `added` / `removed`: a whole condition at `path` (its
 * `new` / `old` value). `changed`: either one property of a comparison or group (`path` ends with
 * `.fact`, `.operator`, `.value`, `.condition`, `.priority`, ...) or, when the kind of node
 * differs (e.g. `all` became `any`, or a comparison became a group), the whole node at `path`.
 */
export interface ConditionChange {
  path: string;
  kind: ConditionChangeKind;
  old: unknown;
  new: unknown;
  /** When a list value changed (e.g. the list of an `in`): the items only in the new list. */
  itemsAdded?: unknown[];
  /** When a list value changed: the items only in the old list. */
  itemsRemoved?: unknown[];
}

export interface RuleChange {
  /** The rule's `name`, by which before and after are matched. */
  name: string;
  /** The rule's label after the change: what people know the rule by. */
  displayLabel: string;
  label?: ValueChange<string>;
  dimension?: ValueChange<Dimension>;
  points?: ValueChange<number>;
  /** `undefined` on a side that has no explicit priority (json-rules-engine then uses 1). */
  priority?: ValueChange<number | undefined>;
  conditions: ConditionChange[];
  /** Any other difference in the rule object (e.g. `event.type`), paths relative to the rule. */
  other: FieldChange[];
}

export interface FactChange {
  name: string;
  /** Paths relative to the fact, e.g. `windowDays`, `activityTypes`, `where.contentType`. */
  changes: FieldChange[];
}

export interface NamedCondition {
  name: string;
  condition: TopLevelCondition;
}

export interface SharedConditionChange {
  name: string;
  /** Rules of `after` that use this shared condition, directly or through another shared condition. */
  usedBy: string[];
  changes: ConditionChange[];
}

export interface CellChange {
  cell: string;
  old: CellAction | undefined;
  new: CellAction | undefined;
}

export interface RuleSetDiff {
  /** True when nothing differs (`$schema` is ignored; key order in objects never matters). */
  identical: boolean;
  /** Top-level fields other than the sections below: `key`, `name`, `description`, `formatVersion`, ... */
  document: FieldChange[];
  facts: { added: FactDefinition[]; removed: FactDefinition[]; changed: FactChange[] };
  sharedConditions: { added: NamedCondition[]; removed: NamedCondition[]; changed: SharedConditionChange[] };
  rules: {
    added: RuleDefinition[];
    removed: RuleDefinition[];
    changed: RuleChange[];
    /** Rules present on both sides are in a different order (changes only the order of reasons). */
    reordered: boolean;
  };
  caps: FieldChange[];
  decay: FieldChange[];
  grades: FieldChange[];
  levels: FieldChange[];
  bands: FieldChange[];
  qualification: FieldChange[];
  /** Cells whose action or label (or anything else) changed, in A1..D4 order. */
  cells: CellChange[];
  /** One line per change, for people who do not read JSON. */
  summary: string[];
}

const SECTION_KEYS = new Set([
  '$schema',
  'facts',
  'sharedConditions',
  'rules',
  'caps',
  'decay',
  'grades',
  'levels',
  'cells',
  'bands',
  'qualification',
]);
const DOCUMENT_KEY_ORDER = ['formatVersion', 'key', 'name', 'description'];

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values; key order is irrelevant and `undefined` members count as absent. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...definedKeys(a), ...definedKeys(b)]);
    for (const key of keys) if (!jsonEqual(a[key], b[key])) return false;
    return true;
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

function definedKeys(value: Json): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/** Keys of both objects: `after`'s order first, then those only in `before`. */
function unionKeys(before: Json, after: Json): string[] {
  const keys = definedKeys(after);
  for (const key of definedKeys(before)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

function joinPath(base: string, key: string): string {
  const segment = /^[A-Za-z0-9_$]+$/.test(key) ? key : null;
  if (segment === null) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? segment : `${base}.${segment}`;
}

function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/**
 * Generic JSON diff: recurses into objects and into arrays that hold objects (index by index);
 * arrays of plain values (e.g. `activityTypes`) change as a whole.
 */
function diffValues(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (jsonEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of unionKeys(before, after)) diffValues(before[key], after[key], joinPath(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => typeof item === 'object' && item !== null)) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index++) diffValues(before[index], after[index], indexPath(path, index), out);
    return;
  }
  out.push({ path, old: before, new: after });
}

// ---------------------------------------------------------------------------------------------
// Human-readable formatting

const OPERATOR_TEXT: Record<string, string> = {
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
function quote(text: unknown): string {
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

function formatItems(items: unknown[]): string {
  return items.map(formatValue).join(', ');
}

type ConditionKind = 'all' | 'any' | 'not' | 'reference' | 'comparison' | 'unknown';

function conditionKind(condition: unknown): ConditionKind {
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

function signedPoints(points: unknown): string {
  return typeof points === 'number' && points > 0 ? `+${points}` : String(points);
}

function ruleParams(rule: RuleDefinition | undefined): Json {
  const event: unknown = rule?.event;
  return isRecord(event) && isRecord(event.params) ? event.params : {};
}

function ruleLabel(rule: RuleDefinition): string {
  const label = ruleParams(rule).label;
  return typeof label === 'string' && label !== '' ? label : rule.name;
}

function arrow(before: unknown, after: unknown): string {
  return `${formatValue(before)} → ${formatValue(after)}`;
}

// ---------------------------------------------------------------------------------------------
// Conditions

type ChildStep =
  | { kind: 'same'; before: number; after: number }
  | { kind: 'pair'; before: number; after: number }
  | { kind: 'removed'; before: number }
  | { kind: 'added'; after: number };

/**
 * Aligns the children of two groups: the longest common subsequence of identical conditions stays
 * put; between those anchors, leftover conditions are compared pairwise in order, and any extra
 * ones were removed (before) or added (after). Inserting a condition is then one `added`, not a
 * cascade of changes.
 */
function alignChildren(before: unknown[], after: unknown[]): ChildStep[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = jsonEqual(before[i], after[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const anchors: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (jsonEqual(before[i], after[j]) && lcs[i][j] === lcs[i + 1][j + 1] + 1) {
      anchors.push([i, j]);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) i++;
    else j++;
  }
  anchors.push([n, m]);

  const steps: ChildStep[] = [];
  let i = 0;
  let j = 0;
  for (const [anchorBefore, anchorAfter] of anchors) {
    const leftBefore = anchorBefore - i;
    const leftAfter = anchorAfter - j;
    const paired = Math.min(leftBefore, leftAfter);
    for (let k = 0; k < paired; k++) steps.push({ kind: 'pair', before: i + k, after: j + k });
    for (let k = paired; k < leftBefore; k++) steps.push({ kind: 'removed', before: i + k });
    for (let k = paired; k < leftAfter; k++) steps.push({ kind: 'added', after: j + k });
    if (anchorBefore < n) steps.push({ kind: 'same', before: anchorBefore, after: anchorAfter });
    i = anchorBefore + 1;
    j = anchorAfter + 1;
  }
  return steps;
}

const COMPARISON_KEY_ORDER = ['fact', 'path', 'operator', 'value', 'params', 'priority', 'name'];
const LIST_OPERATORS = new Set(['in', 'notIn']);

function orderedKeys(before: Json, after: Json, preferred: string[]): string[] {
  const keys = unionKeys(before, after);
  return [...preferred.filter((key) => keys.includes(key)), ...keys.filter((key) => !preferred.includes(key)).sort()];
}

/** A condition change as a line for people, without the rule / shared condition prefix. */
interface ConditionDiffOutput {
  changes: ConditionChange[];
  lines: string[];
}

function listDelta(before: unknown[], after: unknown[]): { added: unknown[]; removed: unknown[] } {
  return {
    added: after.filter((item) => !before.some((other) => jsonEqual(other, item))),
    removed: before.filter((item) => !after.some((other) => jsonEqual(other, item))),
  };
}

/** Walks two condition trees by path and records every leaf or structure change. */
function diffCondition(before: unknown, after: unknown, path: string, out: ConditionDiffOutput): void {
  if (jsonEqual(before, after)) return;
  const kind = conditionKind(before);
  if (kind !== conditionKind(after) || kind === 'unknown' || !isRecord(before) || !isRecord(after)) {
    out.changes.push({ path, kind: 'changed', old: before, new: after });
    out.lines.push(`condition ${formatCondition(before)} → ${formatCondition(after)}`);
    return;
  }

  if (kind === 'comparison' || kind === 'reference') {
    const changedKeys: string[] = [];
    for (const key of orderedKeys(before, after, ['condition', ...COMPARISON_KEY_ORDER])) {
      if (jsonEqual(before[key], after[key])) continue;
      changedKeys.push(key);
      const change: ConditionChange = { path: joinPath(path, key), kind: 'changed', old: before[key], new: after[key] };
      if (key === 'value' && Array.isArray(before[key]) && Array.isArray(after[key])) {
        const delta = listDelta(before[key] as unknown[], after[key] as unknown[]);
        change.itemsAdded = delta.added;
        change.itemsRemoved = delta.removed;
      }
      out.changes.push(change);
    }
    const operator = after.operator;
    if (
      changedKeys.length === 1 &&
      changedKeys[0] === 'value' &&
      typeof operator === 'string' &&
      LIST_OPERATORS.has(operator) &&
      Array.isArray(before.value) &&
      Array.isArray(after.value)
    ) {
      const delta = listDelta(before.value, after.value);
      const parts: string[] = [];
      if (delta.added.length > 0) parts.push(`added ${formatItems(delta.added)}`);
      if (delta.removed.length > 0) parts.push(`removed ${formatItems(delta.removed)}`);
      if (parts.length === 0) parts.push(`reordered to ${formatValue(after.value)}`);
      out.lines.push(`${String(after.fact)} list: ${parts.join('; ')}`);
    } else {
      out.lines.push(`${formatCondition(before)} → ${formatCondition(after)}`);
    }
    return;
  }

  // Groups and negations: their own properties (priority, name), then their children.
  const childKey = kind;
  for (const key of orderedKeys(before, after, ['priority', 'name'])) {
    if (key === childKey || jsonEqual(before[key], after[key])) continue;
    const keyPath = joinPath(path, key);
    out.changes.push({ path: keyPath, kind: 'changed', old: before[key], new: after[key] });
    out.lines.push(`${keyPath} ${arrow(before[key], after[key])}`);
  }
  const beforeChild = before[childKey];
  const afterChild = after[childKey];
  if (kind === 'not') {
    diffCondition(beforeChild, afterChild, joinPath(path, 'not'), out);
    return;
  }
  if (!Array.isArray(beforeChild) || !Array.isArray(afterChild)) {
    diffCondition(beforeChild, afterChild, joinPath(path, childKey), out);
    return;
  }
  const base = joinPath(path, childKey);
  for (const step of alignChildren(beforeChild, afterChild)) {
    if (step.kind === 'pair') {
      diffCondition(beforeChild[step.before], afterChild[step.after], indexPath(base, step.after), out);
    } else if (step.kind === 'removed') {
      const condition = beforeChild[step.before];
      out.changes.push({ path: indexPath(base, step.before), kind: 'removed', old: condition, new: undefined });
      out.lines.push(`removed condition ${formatCondition(condition)}`);
    } else if (step.kind === 'added') {
      const condition = afterChild[step.after];
      out.changes.push({ path: indexPath(base, step.after), kind: 'added', old: undefined, new: condition });
      out.lines.push(`added condition ${formatCondition(condition)}`);
    }
  }
}

/**
 * Which rules use each shared condition, directly or through other shared conditions. Built once
 * per diff, in time linear in the document (each rule's and shared condition's references are read
 * once), so a changed shared condition costs a walk of the reference graph, not one of every rule.
 */
class SharedUsage {
  /** Shared condition -> the shared conditions whose text references it. */
  private readonly referencedBy = new Map<string, Set<string>>();
  /** Shared condition -> the rules whose own conditions reference it. */
  private readonly rulesReferencing = new Map<string, Set<number>>();

  constructor(
    shared: Record<string, unknown>,
    private readonly rules: RuleDefinition[],
  ) {
    for (const [name, condition] of Object.entries(shared)) {
      for (const target of directReferences(condition)) this.add(this.referencedBy, target, name);
    }
    rules.forEach((rule, index) => {
      const conditions = isRecord(rule) ? rule.conditions : undefined;
      for (const target of directReferences(conditions)) this.add(this.rulesReferencing, target, index);
    });
  }

  private add<T>(map: Map<string, Set<T>>, key: string, value: T): void {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(value);
  }

  /** Names of the rules that use `name`, in document order. */
  usedBy(name: string): string[] {
    const reaching = new Set([name]);
    const queue = [name];
    while (queue.length > 0) {
      for (const user of this.referencedBy.get(queue.pop() as string) ?? []) {
        if (!reaching.has(user)) {
          reaching.add(user);
          queue.push(user);
        }
      }
    }
    const indexes = new Set<number>();
    for (const reached of reaching) for (const index of this.rulesReferencing.get(reached) ?? []) indexes.add(index);
    return [...indexes].sort((a, b) => a - b).map((index) => this.rules[index].name);
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

function byName<T extends { name: string }>(items: T[] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of Array.isArray(items) ? items : []) if (isRecord(item)) map.set(item.name, item);
  return map;
}

function diffRule(before: RuleDefinition, after: RuleDefinition): { change: RuleChange; lines: string[] } {
  const change: RuleChange = { name: after.name, displayLabel: ruleLabel(after), conditions: [], other: [] };
  const oldParams = ruleParams(before);
  const newParams = ruleParams(after);
  if (!jsonEqual(oldParams.label, newParams.label)) {
    change.label = { old: oldParams.label as string, new: newParams.label as string };
  }
  if (!jsonEqual(oldParams.dimension, newParams.dimension)) {
    change.dimension = { old: oldParams.dimension as Dimension, new: newParams.dimension as Dimension };
  }
  if (!jsonEqual(oldParams.points, newParams.points)) {
    change.points = { old: oldParams.points as number, new: newParams.points as number };
  }
  if (!jsonEqual(before.priority, after.priority)) change.priority = { old: before.priority, new: after.priority };

  const out: ConditionDiffOutput = { changes: [], lines: [] };
  diffCondition(before.conditions, after.conditions, 'conditions', out);
  change.conditions = out.changes;
  diffValues(ruleRest(before), ruleRest(after), '', change.other);

  const lines: string[] = [];
  if (change.label) lines.push(`Rule ${quote(ruleLabel(before))} renamed to ${quote(change.displayLabel)}`);
  const title = `Rule ${quote(change.displayLabel)}`;
  if (change.dimension) lines.push(`${title} dimension ${change.dimension.old} → ${change.dimension.new}`);
  if (change.points) lines.push(`${title} points ${change.points.old} → ${change.points.new}`);
  if (change.priority) {
    lines.push(`${title} priority ${change.priority.old ?? 'default'} → ${change.priority.new ?? 'default'}`);
  }
  for (const line of out.lines) lines.push(`${title}: ${line}`);
  for (const other of change.other) lines.push(`${title} ${other.path} ${arrow(other.old, other.new)}`);
  return { change, lines };
}

/** The parts of a rule that RuleChange does not already cover. */
function ruleRest(rule: RuleDefinition): Json {
  const { name: _name, priority: _priority, conditions: _conditions, event, ...rest } = rule as unknown as Json;
  if (!isRecord(event)) return { ...rest, event };
  const { params, ...eventRest } = event;
  if (!isRecord(params)) return { ...rest, event: { ...eventRest, params } };
  const { label: _label, dimension: _dimension, points: _points, ...paramsRest } = params;
  return { ...rest, event: { ...eventRest, params: paramsRest } };
}

function sharedPath(name: string): string {
  return joinPath('sharedConditions', name);
}

const FACT_FIELD_TEXT: Record<string, string> = {
  windowDays: 'window (days)',
  activityTypes: 'activity types',
};

function describeDecay(decay: unknown): string {
  if (!isRecord(decay)) return formatValue(decay);
  const grace = `after ${formatValue(decay.graceDays)} grace days`;
  if (decay.model === 'none') return 'no decay';
  if (decay.model === 'halfLife') return `halves every ${formatValue(decay.halfLifeDays)} days ${grace}`;
  if (decay.model === 'linear') return `loses ${formatValue(decay.pointsPerDay)} points per day ${grace}`;
  return JSON.stringify(decay);
}

function decayLines(before: DecayDefinition, after: DecayDefinition, changes: FieldChange[]): string[] {
  if (changes.length === 0) return [];
  const beforeModel = isRecord(before) ? before.model : undefined;
  const afterModel = isRecord(after) ? after.model : undefined;
  if (beforeModel !== afterModel) return [`Decay ${describeDecay(before)} → ${describeDecay(after)}`];
  return changes.map((change) => {
    switch (change.path) {
      case 'decay.halfLifeDays':
        return `Decay half-life ${arrow(change.old, change.new)} days`;
      case 'decay.graceDays':
        return `Decay grace period ${arrow(change.old, change.new)} days`;
      case 'decay.pointsPerDay':
        return `Decay points per day ${arrow(change.old, change.new)}`;
      default:
        return `${change.path} ${arrow(change.old, change.new)}`;
    }
  });
}

function capLine(change: FieldChange): string {
  const match = /^caps\.(fit|engagement)\.(min|max)$/.exec(change.path);
  if (!match) return `${change.path} ${arrow(change.old, change.new)}`;
  return `${match[2] === 'max' ? 'Maximum' : 'Minimum'} ${match[1]} points ${arrow(change.old, change.new)}`;
}

function thresholdLine(change: FieldChange, section: 'grades' | 'levels'): string {
  const match = new RegExp(`^${section}\\.(\\w+)$`).exec(change.path);
  if (!match) return `${change.path} ${arrow(change.old, change.new)}`;
  return `${section === 'grades' ? 'Grade' : 'Level'} ${match[1]} threshold ${arrow(change.old, change.new)}`;
}

interface BandLike {
  name: string;
  min?: number;
}

function bandLines(before: unknown, after: unknown): string[] {
  const toBands = (value: unknown): BandLike[] =>
    Array.isArray(value) ? value.filter((band): band is BandLike => isRecord(band) && typeof band.name === 'string') : [];
  const oldBands = toBands(before);
  const newBands = toBands(after);
  const oldByName = new Map(oldBands.map((band) => [band.name, band]));
  const newByName = new Map(newBands.map((band) => [band.name, band]));
  const from = (band: BandLike): string => (band.min === undefined ? 'below the others' : `from ${band.min} points`);
  const lines: string[] = [];
  for (const band of newBands) {
    const old = oldByName.get(band.name);
    if (!old) lines.push(`Added band ${quote(band.name)} (${from(band)})`);
    else if (!jsonEqual(old, band)) {
      for (const key of unionKeys(old as unknown as Json, band as unknown as Json)) {
        const oldValue = (old as unknown as Json)[key];
        const newValue = (band as unknown as Json)[key];
        if (jsonEqual(oldValue, newValue)) continue;
        const what = key === 'min' ? 'minimum' : key;
        lines.push(`Band ${quote(band.name)} ${what} ${arrow(oldValue, newValue)}`);
      }
    }
  }
  for (const band of oldBands) if (!newByName.has(band.name)) lines.push(`Removed band ${quote(band.name)}`);
  const commonOld = oldBands.filter((band) => newByName.has(band.name)).map((band) => band.name);
  const commonNew = newBands.filter((band) => oldByName.has(band.name)).map((band) => band.name);
  if (!jsonEqual(commonOld, commonNew)) {
    lines.push(`Bands reordered: ${commonOld.join(', ')} → ${commonNew.join(', ')}`);
  }
  return lines;
}

function cellOrder(keys: Iterable<string>): string[] {
  const all = new Set(keys);
  const known = CELLS.filter((cell) => all.has(cell));
  const extra = [...all].filter((cell) => !CELLS.includes(cell)).sort();
  return [...known, ...extra];
}

function cellLines(change: CellChange): string[] {
  const { cell } = change;
  if (!change.old && change.new) return [`Cell ${cell} set to ${change.new.action} (${quote(change.new.label)})`];
  if (change.old && !change.new) return [`Cell ${cell} removed`];
  const oldCell = (change.old ?? {}) as unknown as Json;
  const newCell = (change.new ?? {}) as unknown as Json;
  const lines: string[] = [];
  for (const key of orderedKeys(oldCell, newCell, ['action', 'label'])) {
    if (jsonEqual(oldCell[key], newCell[key])) continue;
    if (key === 'action') lines.push(`Cell ${cell} action ${String(oldCell.action)} → ${String(newCell.action)}`);
    else lines.push(`Cell ${cell} ${key} ${arrow(oldCell[key], newCell[key])}`);
  }
  return lines;
}

function documentLine(change: FieldChange): string {
  switch (change.path) {
    case 'name':
      return `Name ${arrow(change.old, change.new)}`;
    case 'key':
      return `Key ${arrow(change.old, change.new)}`;
    case 'formatVersion':
      return `Format version ${arrow(change.old, change.new)}`;
    case 'description':
      if (change.old === undefined) return 'Description added';
      if (change.new === undefined) return 'Description removed';
      return 'Description changed';
    default:
      return `${change.path} ${arrow(change.old, change.new)}`;
  }
}

// ---------------------------------------------------------------------------------------------

/** Compares two rule set documents. `$schema` is ignored; rules, facts and shared conditions match by name. */
export function diffDefinitions(before: RuleSetDefinition, after: RuleSetDefinition): RuleSetDiff {
  const oldDoc = before as unknown as Json;
  const newDoc = after as unknown as Json;
  const summary: string[] = [];

  // Document-level fields.
  const document: FieldChange[] = [];
  const docKeys = orderedKeys(oldDoc, newDoc, DOCUMENT_KEY_ORDER).filter((key) => !SECTION_KEYS.has(key));
  for (const key of docKeys) diffValues(oldDoc[key], newDoc[key], joinPath('', key), document);
  summary.push(...document.map(documentLine));

  // Facts.
  const oldFacts = byName(before.facts);
  const newFacts = byName(after.facts);
  const facts: RuleSetDiff['facts'] = { added: [], removed: [], changed: [] };
  for (const [name, fact] of newFacts) {
    const old = oldFacts.get(name);
    if (!old) {
      facts.added.push(fact);
      summary.push(`Added fact ${quote(name)}${fact.label ? ` (${fact.label})` : ''}`);
    } else if (!jsonEqual(old, fact)) {
      const changes: FieldChange[] = [];
      diffValues(old, fact, '', changes);
      facts.changed.push({ name, changes });
      for (const change of changes) {
        summary.push(`Fact ${quote(name)} ${FACT_FIELD_TEXT[change.path] ?? change.path} ${arrow(change.old, change.new)}`);
      }
    }
  }
  for (const [name, fact] of oldFacts) {
    if (!newFacts.has(name)) {
      facts.removed.push(fact);
      summary.push(`Removed fact ${quote(name)}${fact.label ? ` (${fact.label})` : ''}`);
    }
  }

  // Shared conditions.
  const oldShared = isRecord(before.sharedConditions) ? (before.sharedConditions as Record<string, TopLevelCondition>) : {};
  const newShared = isRecord(after.sharedConditions) ? (after.sharedConditions as Record<string, TopLevelCondition>) : {};
  const sharedConditions: RuleSetDiff['sharedConditions'] = { added: [], removed: [], changed: [] };
  const newRules = Array.isArray(after.rules) ? after.rules : [];
  let sharedUsage: SharedUsage | undefined;
  for (const name of Object.keys(newShared)) {
    const condition = newShared[name];
    if (!(name in oldShared)) {
      sharedConditions.added.push({ name, condition });
      summary.push(`Added shared condition ${quote(name)}: ${formatCondition(condition)}`);
    } else if (!jsonEqual(oldShared[name], condition)) {
      const out: ConditionDiffOutput = { changes: [], lines: [] };
      diffCondition(oldShared[name], condition, sharedPath(name), out);
      sharedUsage ??= new SharedUsage(newShared, newRules);
      const usedBy = sharedUsage.usedBy(name);
      sharedConditions.changed.push({ name, usedBy, changes: out.changes });
      const usage = usedBy.length === 0 ? '' : ` (used by ${usedBy.length} rule${usedBy.length === 1 ? '' : 's'})`;
      for (const line of out.lines) summary.push(`Shared condition ${quote(name)}${usage}: ${line}`);
    }
  }
  for (const name of Object.keys(oldShared)) {
    if (!(name in newShared)) {
      sharedConditions.removed.push({ name, condition: oldShared[name] });
      summary.push(`Removed shared condition ${quote(name)}`);
    }
  }

  // Rules.
  const oldRules = byName(before.rules);
  const newRulesByName = byName(after.rules);
  const rules: RuleSetDiff['rules'] = { added: [], removed: [], changed: [], reordered: false };
  const addedLines: string[] = [];
  const changedLines: string[] = [];
  for (const [name, rule] of newRulesByName) {
    const old = oldRules.get(name);
    if (!old) {
      rules.added.push(rule);
      const params = ruleParams(rule);
      addedLines.push(`Added rule ${quote(ruleLabel(rule))} (${signedPoints(params.points)} ${String(params.dimension)})`);
    } else if (!jsonEqual(old, rule)) {
      const { change, lines } = diffRule(old, rule);
      rules.changed.push(change);
      changedLines.push(...lines);
    }
  }
  const removedLines: string[] = [];
  for (const [name, rule] of oldRules) {
    if (!newRulesByName.has(name)) {
      rules.removed.push(rule);
      const params = ruleParams(rule);
      removedLines.push(`Removed rule ${quote(ruleLabel(rule))} (${signedPoints(params.points)} ${String(params.dimension)})`);
    }
  }
  const commonOld = [...oldRules.keys()].filter((name) => newRulesByName.has(name));
  const commonNew = [...newRulesByName.keys()].filter((name) => oldRules.has(name));
  rules.reordered = !jsonEqual(commonOld, commonNew);
  summary.push(...addedLines, ...removedLines, ...changedLines);
  if (rules.reordered) summary.push('Rule order changed (only the order in which reasons are listed)');

  // Thresholds and the like.
  const section = (key: string): FieldChange[] => {
    const out: FieldChange[] = [];
    diffValues(oldDoc[key], newDoc[key], key, out);
    return out;
  };
  const caps = section('caps');
  summary.push(...caps.map(capLine));
  const decay = section('decay');
  summary.push(...decayLines(before.decay, after.decay, decay));
  const grades = section('grades');
  summary.push(...grades.map((change) => thresholdLine(change, 'grades')));
  const levels = section('levels');
  summary.push(...levels.map((change) => thresholdLine(change, 'levels')));

  const oldCells: Record<string, CellAction> = isRecord(before.cells) ? before.cells : {};
  const newCells: Record<string, CellAction> = isRecord(after.cells) ? after.cells : {};
  const cells: CellChange[] = [];
  for (const cell of cellOrder([...Object.keys(oldCells), ...Object.keys(newCells)])) {
    if (jsonEqual(oldCells[cell], newCells[cell])) continue;
    const change: CellChange = { cell, old: oldCells[cell], new: newCells[cell] };
    cells.push(change);
    summary.push(...cellLines(change));
  }

  const bands = section('bands');
  if (bands.length > 0) summary.push(...bandLines(before.bands, after.bands));

  const qualification = section('qualification');
  const qualificationName = isRecord(after.qualification) ? after.qualification.label : undefined;
  for (const change of qualification) {
    if (change.path === 'qualification.threshold') {
      const named = typeof qualificationName === 'string' ? ` (${qualificationName})` : '';
      summary.push(`Qualification${named} threshold ${arrow(change.old, change.new)}`);
    } else if (change.path === 'qualification.label') {
      summary.push(`Qualification label ${arrow(change.old, change.new)}`);
    } else summary.push(`${change.path} ${arrow(change.old, change.new)}`);
  }

  const identical =
    document.length === 0 &&
    facts.added.length + facts.removed.length + facts.changed.length === 0 &&
    sharedConditions.added.length + sharedConditions.removed.length + sharedConditions.changed.length === 0 &&
    rules.added.length + rules.removed.length + rules.changed.length === 0 &&
    !rules.reordered &&
    caps.length + decay.length + grades.length + levels.length + bands.length + qualification.length === 0 &&
    cells.length === 0;

  return {
    identical,
    document,
    facts,
    sharedConditions,
    rules,
    caps,
    decay,
    grades,
    levels,
    bands,
    qualification,
    cells,
    summary,
  };
}
