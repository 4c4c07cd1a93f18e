import type { Problem } from '../../common/errors';
import { directReferences, EXPANDED_CONDITION_LIMITS, expandedSizes } from '../../engine/ruleset-definition';
import { quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';

/** Bounds that keep one rule set cheap to store, validate and evaluate. */
export const RULE_SET_LIMITS = {
  maxBytes: 512 * 1024,
  maxRules: 500,
  maxFacts: 200,
  maxConditionDepth: 8,
  maxConditionsTotal: 5000,
  /**
   * Conditions of one rule, and of all rules, with every shared condition they use written out in
   * place: what json-rules-engine walks for each lead. Shipped rule sets use at most 7 per rule and
   * 85 in all.
   */
  maxExpandedConditionsPerRule: EXPANDED_CONDITION_LIMITS.perRule,
  maxExpandedConditionsTotal: EXPANDED_CONDITION_LIMITS.total,
  maxListValues: 500,
  /** Nesting of the JSON document itself (a valid rule set needs about 25 levels). */
  maxJsonDepth: 64,
} as const;

/** What a document nested deeper than maxJsonDepth is told. */
export const NESTED_TOO_DEEPLY = `This condition is nested too deeply: conditions nest at most ${RULE_SET_LIMITS.maxConditionDepth} levels; use shared conditions to reuse a group`;

/**
 * The path of the first value nested deeper than maxJsonDepth, or null. Iterative: serialising,
 * schema-checking or diffing a document nested thousands deep would overflow the call stack.
 */
export function tooDeeplyNested(doc: unknown): string | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: doc, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (value === null || typeof value !== 'object') continue;
    if (depth >= RULE_SET_LIMITS.maxJsonDepth) return path || '(root)';
    if (Array.isArray(value))
      value.forEach((item, i) => {
        stack.push({ value: item, depth: depth + 1, path: `${path}[${i}]` });
      });
    else
      for (const [key, item] of Object.entries(value)) stack.push({ value: item, depth: depth + 1, path: path ? `${path}.${key}` : key });
  }
  return null;
}

/** The document's size in bytes against maxBytes, or null when it is within. */
export function tooLarge(doc: unknown): Problem | null {
  const size = Buffer.byteLength(JSON.stringify(doc ?? null), 'utf8');
  return size > RULE_SET_LIMITS.maxBytes
    ? { path: '(root)', message: `This rule set is ${size} bytes; a rule set is at most ${RULE_SET_LIMITS.maxBytes} bytes` }
    : null;
}

/** Problems listed at most; a longer list helps no one and makes a large response. */
const MAX_PROBLEMS = 200;

export function atMost(problems: Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    {
      path: '(root)',
      message: `There are ${(problems.length - MAX_PROBLEMS).toLocaleString('en-US')} more problems not listed here: fix these and validate again`,
    },
  ];
}

/**
 * json-rules-engine evaluates a reference by evaluating the shared condition in its place, every
 * time: a few lines that use one another twice can stand for millions of conditions per lead.
 */
export function checkExpandedSize(checks: RuleSetChecks): void {
  const { maxExpandedConditionsPerRule: perRule, maxExpandedConditionsTotal: total } = RULE_SET_LIMITS;
  const sizes = expandedSizes(checks.doc);
  const shown = (size: number) => (size > 1_000_000 ? 'over a million' : size.toLocaleString('en-US'));
  // Name the shared conditions where the growth crosses the limit: too large, though each one they use is not.
  for (const [name, size] of sizes.shared) {
    if (size <= perRule) continue;
    const usesLarge = directReferences(checks.doc.sharedConditions?.[name]).some((next) => (sizes.shared.get(next) ?? 0) > perRule);
    if (usesLarge) continue;
    checks.add(
      `sharedConditions.${name}`,
      `Shared condition ${quoted(name)} stands for ${shown(size)} conditions once the shared conditions it uses are written out in its place (at most ${perRule.toLocaleString('en-US')} per rule): every reference repeats the whole shared condition`,
    );
  }
  sizes.rules.forEach((size, index) => {
    if (size <= perRule) return;
    const references = directReferences(checks.doc.rules[index].conditions);
    const culprit = references.find((next) => (sizes.shared.get(next) ?? 0) > perRule);
    const through = culprit ? ` (through shared condition ${quoted(culprit)})` : '';
    const expanded = references.length > 0 ? ' once the shared conditions it uses are written out in its place' : '';
    checks.add(
      `rules[${index}].conditions`,
      `Rule ${quoted(checks.doc.rules[index].name)} has ${shown(size)} conditions${expanded}${through}; a rule has at most ${perRule.toLocaleString('en-US')}`,
    );
  });
  if (sizes.total > total && sizes.rules.every((size) => size <= perRule)) {
    checks.add(
      'rules',
      `The rules have ${shown(sizes.total)} conditions in all once shared conditions are written out where they are used; a rule set has at most ${total.toLocaleString('en-US')}`,
    );
  }
}
