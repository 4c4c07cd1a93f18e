import { directReferences, type RuleDefinition } from '../../engine/ruleset-definition';
import { arrow, conditionKind, formatCondition, formatItems, formatValue } from './diff-text';
import type { ConditionChange } from './diff-types';
import { indexPath, isRecord, joinPath, jsonEqual, listDelta, orderedKeys } from './json-diff';

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

/** A condition change as a line for people, without the rule / shared condition prefix. */
export interface ConditionDiffOutput {
  changes: ConditionChange[];
  lines: string[];
}

/** Walks two condition trees by path and records every leaf or structure change. */
export function diffCondition(before: unknown, after: unknown, path: string, out: ConditionDiffOutput): void {
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
export class SharedUsage {
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
