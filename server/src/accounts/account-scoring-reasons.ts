import { CONTRIBUTORS_LIMIT, type ContactRef } from '../engine/account-facts';
import type { ScoreReason } from '../engine/grading';
import { forEachConditionNode, type RuleSetDefinition } from '../engine/ruleset-definition';
import type { ModelReason } from '../scoring/models/model-score-store';

/*
 * Reasons of an account score that name the contacts behind them: a fired rule's contacts are the
 * contributors of the contacts facts its conditions read (through shared conditions too).
 */

const factsByRule = new WeakMap<RuleSetDefinition, Map<string, string[]>>();

/** The facts each rule's conditions read, shared conditions followed (computed once per definition). */
export function factsReadByRules(definition: RuleSetDefinition): Map<string, string[]> {
  let byRule = factsByRule.get(definition);
  if (byRule) return byRule;
  const shared = (definition.sharedConditions ?? {}) as Record<string, unknown>;
  const sharedFacts = new Map<string, Set<string>>();
  const collect = (root: unknown, into: Set<string>, visiting: Set<string>) => {
    forEachConditionNode(root, (node) => {
      if (typeof node.fact === 'string') into.add(node.fact);
      const reference = node.condition;
      if (typeof reference !== 'string' || !Object.hasOwn(shared, reference) || visiting.has(reference)) return;
      let facts = sharedFacts.get(reference);
      if (!facts) {
        facts = new Set();
        visiting.add(reference);
        collect(shared[reference], facts, visiting);
        visiting.delete(reference);
        sharedFacts.set(reference, facts);
      }
      for (const fact of facts) into.add(fact);
    });
  };
  byRule = new Map(
    definition.rules.map((rule) => {
      const facts = new Set<string>();
      collect(rule.conditions, facts, new Set());
      return [rule.name, [...facts]];
    }),
  );
  factsByRule.set(definition, byRule);
  return byRule;
}

/** The score's reasons, each rule's with the contacts behind the contacts facts it read (at most CONTRIBUTORS_LIMIT). */
export function accountReasons(
  definition: RuleSetDefinition,
  reasons: readonly ScoreReason[],
  contributors: ReadonlyMap<string, readonly ContactRef[]>,
): ModelReason[] {
  const byRule = factsReadByRules(definition);
  return reasons.map((reason) => {
    const out: ModelReason = { rule: reason.rule, dimension: reason.dimension, points: reason.points, label: reason.label };
    const seen = new Map<string, ContactRef>();
    for (const fact of byRule.get(reason.rule) ?? []) {
      for (const contact of contributors.get(fact) ?? []) {
        if (seen.size >= CONTRIBUTORS_LIMIT) break;
        if (!seen.has(contact.leadId)) seen.set(contact.leadId, { leadId: contact.leadId, label: contact.label });
      }
    }
    if (seen.size > 0) out.contacts = [...seen.values()];
    return out;
  });
}
