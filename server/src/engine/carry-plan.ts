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
import { canonicalJson } from './canonical-json';
import { wholeDaysBetween, type ActivityValues } from './facts';
import type { FiredRule } from './rule-engine';
import { type Condition, directReferences, type RuleSetDefinition, usesAccountFacts } from './ruleset-definition';

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

/**
 * What a definition's rules reach through shared conditions, measured once per definition so that
 * comparing rule by rule stays linear in the document: each shared condition's canonical text and
 * the references it writes are computed once, however many rules reach it.
 */
class SharedIndex {
  private readonly texts = new Map<string, string>();
  private readonly direct = new Map<string, string[]>();

  constructor(private readonly shared: RuleSetDefinition['sharedConditions']) {}

  /** Canonical text of a shared condition (`null` for a name it does not define). */
  text(name: string): string {
    let text = this.texts.get(name);
    if (text === undefined) {
      text = canonicalJson(this.condition(name) ?? null);
      this.texts.set(name, text);
    }
    return text;
  }

  condition(name: string): Condition | undefined {
    return this.shared && Object.hasOwn(this.shared, name) ? this.shared[name] : undefined;
  }

  /** Names a condition references, directly or through shared conditions (each followed once). */
  reached(conditions: unknown): Set<string> {
    const found = new Set<string>();
    const queue = [...new Set(directReferences(conditions))];
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (found.has(name)) continue;
      found.add(name);
      let next = this.direct.get(name);
      if (!next) {
        next = [...new Set(directReferences(this.condition(name)))];
        this.direct.set(name, next);
      }
      for (const inner of next) if (!found.has(inner)) queue.push(inner);
    }
    return found;
  }
}

/** Same conditions, shared conditions they reach included: equal text, equal meaning. */
function sameConditions(before: Condition, after: Condition, from: SharedIndex, to: SharedIndex): boolean {
  if (canonicalJson(before) !== canonicalJson(after)) return false;
  const reachedBefore = from.reached(before);
  const reachedAfter = to.reached(after);
  if (reachedBefore.size !== reachedAfter.size) return false;
  for (const name of reachedAfter) if (!reachedBefore.has(name) || from.text(name) !== to.text(name)) return false;
  return true;
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
  // Facts about the lead's account change without the lead changing (its account is re-scored, or
  // the lead moves): the stored fired rules say nothing about them, so such rule sets never carry.
  if (usesAccountFacts(to)) return null;
  const oldByName = new Map(from.rules.map((rule, index) => [rule.name, { rule, index }]));
  const newIndex: number[] = from.rules.map(() => -1);
  const read = new Set<string>();
  const fromShared = new SharedIndex(from.sharedConditions);
  const toShared = new SharedIndex(to.sharedConditions);
  const reachedByAny = new Set<string>();
  for (let index = 0; index < to.rules.length; index++) {
    const rule = to.rules[index];
    const old = oldByName.get(rule.name);
    if (!old || newIndex[old.index] !== -1) return null; // new, or a duplicate name (never valid)
    if (!sameConditions(old.rule.conditions, rule.conditions, fromShared, toShared)) return null;
    newIndex[old.index] = index;
    collectFacts(rule.conditions, read);
    for (const name of toShared.reached(rule.conditions)) reachedByAny.add(name);
  }
  for (const name of reachedByAny) collectFacts(toShared.condition(name), read);
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
  return definition.rules.map((rule) => ({
    rule: rule.name,
    label: rule.event.params.label,
    dimension: rule.event.params.dimension,
    points: rule.event.params.points,
  }));
}
