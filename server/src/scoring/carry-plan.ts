/**
 * Carrying a stored score's fired rules over to another version without evaluating its conditions.
 *
 * A rule fires or not from its conditions and the lead's facts alone (every rule is evaluated on
 * every run; priority only orders the run, and the fired list is in document order). So when the
 * new version has the same facts as the version a score was computed with, and every one of its rules
 * has a rule of the same name there with the same conditions (shared conditions included), the rules
 * it fires for a lead whose facts did not change are the old fired rules that it still has. Points,
 * labels, caps, decay, grades, levels, cells, bands and the qualification threshold may all differ:
 * they are applied afterwards (computeScore). That covers the most common publish, re-weighting
 * points (e.g. from a backtest's suggestions), and the daily decay pass (same version).
 *
 * A lead's facts have not changed when nothing about the lead changed since its score was stored
 * (every write to a lead or its activities re-scores it in the same transaction; the caller says
 * so), its cached activity aggregates still hold, and the facts that move with time alone
 * (`daysSinceCreated`, `daysSinceLast`) have the same whole-day values now as when it was scored.
 * Anything else is evaluated in full.
 */
import { canonicalJson } from '../common/canonical-json';
import { wholeDaysBetween, type ActivityValues } from './facts';
import type { FiredRule } from './rule-engine';
import type { Condition, RuleSetDefinition } from './ruleset-definition';

export interface CarryPlan {
  /** For each rule of the old version (by index): its index in the new version, -1 when it is gone. */
  readonly newIndex: readonly number[];
  /** Whether a rule of the new version reads `daysSinceCreated` (a lead fact that moves with time). */
  readonly readsDaysSinceCreated: boolean;
  /** Activity aggregates (indexes into ActivityValues) of kind `daysSinceLast` that the rules read. */
  readonly daysSinceLastIndexes: readonly number[];
}

/** Every `fact` name a condition reads, its comparison value's `{ fact }` references included. */
function collectFacts(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectFacts(child, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'fact' && typeof value === 'string') into.add(value);
      else collectFacts(value, into);
    }
  }
}

/** Names of the shared conditions a condition references, directly or through other shared conditions. */
function collectReferences(node: unknown, shared: RuleSetDefinition['sharedConditions'], into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectReferences(child, shared, into);
  } else if (node !== null && typeof node === 'object') {
    const reference = (node as { condition?: unknown }).condition;
    if (typeof reference === 'string' && !into.has(reference)) {
      into.add(reference);
      collectReferences(shared?.[reference], shared, into);
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'condition') collectReferences(value, shared, into);
  }
}

/** A rule's conditions with every shared condition they reach, canonically: equal text, equal meaning. */
function conditionsKey(conditions: Condition, shared: RuleSetDefinition['sharedConditions']): string {
  const references = new Set<string>();
  collectReferences(conditions, shared, references);
  const reached = [...references].sort().map((name) => [name, shared?.[name] ?? null]);
  return canonicalJson({ conditions, shared: reached });
}

/** Facts compared without their labels (a label changes nothing a rule sees). */
function factsKey(definition: RuleSetDefinition): string {
  return canonicalJson(definition.facts.map(({ label: _label, ...fact }) => fact));
}

/**
 * The plan to carry fired rules from `from` to `to`, or null when `to` must be evaluated: its facts
 * differ, or one of its rules is new or reads different conditions.
 */
export function carryPlan(from: RuleSetDefinition, to: RuleSetDefinition): CarryPlan | null {
  if (factsKey(from) !== factsKey(to)) return null;
  const oldByName = new Map(from.rules.map((rule, index) => [rule.name, { rule, index }]));
  const newIndex: number[] = from.rules.map(() => -1);
  const read = new Set<string>();
  for (let index = 0; index < to.rules.length; index++) {
    const rule = to.rules[index];
    const old = oldByName.get(rule.name);
    if (!old || newIndex[old.index] !== -1) return null; // new, or a duplicate name (never valid)
    if (conditionsKey(old.rule.conditions, from.sharedConditions) !== conditionsKey(rule.conditions, to.sharedConditions)) return null;
    newIndex[old.index] = index;
    const references = new Set<string>();
    collectReferences(rule.conditions, to.sharedConditions, references);
    collectFacts(rule.conditions, read);
    for (const name of references) collectFacts(to.sharedConditions?.[name], read);
  }
  let activityIndex = 0;
  let readsDaysSinceCreated = false;
  const daysSinceLastIndexes: number[] = [];
  for (const fact of to.facts) {
    if (fact.source === 'activity') {
      if (fact.aggregate === 'daysSinceLast' && read.has(fact.name)) daysSinceLastIndexes.push(activityIndex);
      activityIndex += 1;
    } else if (fact.source === 'lead' && fact.field === 'daysSinceCreated' && read.has(fact.name)) {
      readsDaysSinceCreated = true;
    }
  }
  return { newIndex, readsDaysSinceCreated, daysSinceLastIndexes };
}

/**
 * Whether the facts that move with time alone read the same at `scoredAt` (when the stored fired
 * rules were computed) as at `asOf`: whole days since creation and since each newest activity read.
 */
export function timeFactsUnchanged(plan: CarryPlan, createdAt: number, activity: ActivityValues, scoredAt: number, asOf: Date): boolean {
  if (scoredAt > asOf.getTime()) return false;
  const then = new Date(scoredAt);
  if (plan.readsDaysSinceCreated && wholeDaysBetween(createdAt, then) !== wholeDaysBetween(createdAt, asOf)) return false;
  for (const index of plan.daysSinceLastIndexes) {
    const newest = activity[index];
    if (newest !== null && newest !== undefined && wholeDaysBetween(newest, then) !== wholeDaysBetween(newest, asOf)) return false;
  }
  return true;
}

/**
 * The new version's fired rules (in its document order) from the old version's fired rule indexes;
 * `rules` is the new version's rules as FiredRules (CompiledEvaluator.rules or rulesAsFired).
 */
export function carryFired(plan: CarryPlan, rules: readonly FiredRule[], oldFired: readonly number[]): FiredRule[] {
  return carryIndexes(plan, oldFired).map((index) => rules[index]);
}

/** The new version's fired rule indexes, ascending (document order), from the old version's. */
export function carryIndexes(plan: CarryPlan, oldFired: readonly number[]): number[] {
  const indexes: number[] = [];
  for (const old of oldFired) {
    const index = plan.newIndex[old];
    if (index !== undefined && index >= 0) indexes.push(index);
  }
  return indexes.sort((a, b) => a - b);
}

/** A definition's rules as FiredRules, in document order. */
export function rulesAsFired(definition: RuleSetDefinition): FiredRule[] {
  return definition.rules.map((rule) => ({ rule: rule.name, label: rule.event.params.label, dimension: rule.event.params.dimension, points: rule.event.params.points }));
}
