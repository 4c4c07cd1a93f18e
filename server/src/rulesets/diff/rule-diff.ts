import type { Dimension, RuleDefinition } from '../../engine/ruleset-definition';
import { type ConditionDiffOutput, diffCondition } from './condition-diff';
import { arrow, quote, ruleLabel, ruleParams } from './diff-text';
import type { RuleChange } from './diff-types';
import { diffValues, isRecord, type Json, jsonEqual } from './json-diff';

export function byName<T extends { name: string }>(items: T[] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of Array.isArray(items) ? items : []) if (isRecord(item)) map.set(item.name, item);
  return map;
}

/** What changed in one rule present on both sides, and its summary lines. */
export function diffRule(before: RuleDefinition, after: RuleDefinition): { change: RuleChange; lines: string[] } {
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
