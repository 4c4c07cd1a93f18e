import type { CellAction, RuleSetDefinition, TopLevelCondition } from '../engine/ruleset-definition';
import { type ConditionDiffOutput, diffCondition, SharedUsage } from './diff/condition-diff';
import { arrow, formatCondition, quote, ruleLabel, ruleParams, signedPoints } from './diff/diff-text';
import type { CellChange, FieldChange, RuleSetDiff } from './diff/diff-types';
import { diffValues, isRecord, type Json, joinPath, jsonEqual, orderedKeys } from './diff/json-diff';
import { byName, diffRule } from './diff/rule-diff';
import { bandLines, capLine, cellLines, cellOrder, decayLines, documentLine, FACT_FIELD_TEXT, thresholdLine } from './diff/section-lines';

// The entry point of the diff; its parts are in diff/.
export { formatCondition, formatValue } from './diff/diff-text';
export type * from './diff/diff-types';

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

function sharedPath(name: string): string {
  return joinPath('sharedConditions', name);
}

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
