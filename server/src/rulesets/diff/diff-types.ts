import type { CellAction, Dimension, FactDefinition, RuleDefinition, TopLevelCondition } from '../../engine/ruleset-definition';

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
