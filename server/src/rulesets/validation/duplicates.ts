import type { Condition } from '../../engine/ruleset-definition';
import { quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';

/**
 * Conditions written so that equal meanings give equal text: keys sorted, `name` and `priority`
 * (which change neither when it holds nor the points) left out, the members of `all` and `any`
 * and the values of `in` and `notIn` in a fixed order (their order does not change the outcome).
 */
export function conditionKey(condition: Condition): string {
  if ('all' in condition) return `all(${condition.all.map(conditionKey).sort().join(',')})`;
  if ('any' in condition) return `any(${condition.any.map(conditionKey).sort().join(',')})`;
  if ('not' in condition) return `not(${conditionKey(condition.not)})`;
  if ('condition' in condition) return `ref(${quoted(condition.condition)})`;
  const { name: _name, priority: _priority, ...leaf } = condition;
  const list = (leaf.operator === 'in' || leaf.operator === 'notIn') && Array.isArray(leaf.value);
  return sortedJson(list ? { ...leaf, value: (leaf.value as unknown[]).map(sortedJson).sort() } : leaf);
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${quoted(key)}:${sortedJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return quoted(value);
}

/**
 * Rules with the same conditions in the same dimension: warned on the later one, naming the first.
 * Points of opposite signs cancel each other out; otherwise a lead is counted twice for one reason.
 */
export function checkDuplicateRules(checks: RuleSetChecks): void {
  const first = new Map<string, number>();
  checks.doc.rules.forEach((rule, index) => {
    const key = `${rule.event.params.dimension}|${conditionKey(rule.conditions)}`;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    const other = checks.doc.rules[earlier];
    const points = rule.event.params.points;
    const otherPoints = other.event.params.points;
    const path = `rules[${index}].conditions`;
    if (Math.sign(points) * Math.sign(otherPoints) < 0)
      checks.warn(
        path,
        `This rule contradicts rule ${quoted(other.name)}: same conditions, but it gives ${signed(points)} points where that rule gives ${signed(otherPoints)}`,
      );
    else
      checks.warn(
        path,
        `This rule duplicates rule ${quoted(other.name)}: same conditions in ${rule.event.params.dimension}, so a lead that meets them gets both rules' points`,
      );
  });
}

const signed = (points: number): string => (points > 0 ? `+${points}` : String(points));
