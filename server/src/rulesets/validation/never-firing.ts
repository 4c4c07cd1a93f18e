import type { Condition } from '../../engine/ruleset-definition';
import type { RuleSetChecks } from './rule-set-checks';

interface Range {
  low: number;
  high: number;
  lowInclusive: boolean;
  highInclusive: boolean;
}

/** Detects the plainly contradictory: an `all` whose numeric bounds on one fact leave no value, or an empty `in`. */
export function neverTrue(checks: RuleSetChecks, condition: Condition): string | null {
  if (!('all' in condition)) return null;
  const ranges = new Map<string, Range>();
  const equals = new Map<string, unknown>();
  for (const child of condition.all) {
    if (!('fact' in child) || child.path !== undefined) continue;
    const fact = checks.facts.get(child.fact);
    if (!fact || (typeof child.value === 'object' && child.value !== null && !Array.isArray(child.value))) continue;
    if (child.operator === 'equal') {
      if (equals.has(child.fact) && equals.get(child.fact) !== child.value) {
        return `"${child.fact}" cannot equal both ${JSON.stringify(equals.get(child.fact))} and ${JSON.stringify(child.value)}`;
      }
      equals.set(child.fact, child.value);
    }
    if (fact.type !== 'number') continue;
    const range = ranges.get(child.fact) ?? { low: -Infinity, high: Infinity, lowInclusive: true, highInclusive: true };
    const v = child.value;
    if (child.operator === 'greaterThan' && typeof v === 'number' && v >= range.low) Object.assign(range, { low: v, lowInclusive: false });
    if (child.operator === 'greaterThanInclusive' && typeof v === 'number' && v > range.low)
      Object.assign(range, { low: v, lowInclusive: true });
    if (child.operator === 'lessThan' && typeof v === 'number' && v <= range.high) Object.assign(range, { high: v, highInclusive: false });
    if (child.operator === 'lessThanInclusive' && typeof v === 'number' && v < range.high)
      Object.assign(range, { high: v, highInclusive: true });
    if (child.operator === 'between' && Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') {
      if (v[0] > range.low) Object.assign(range, { low: v[0], lowInclusive: true });
      if (v[1] < range.high) Object.assign(range, { high: v[1], highInclusive: true });
    }
    ranges.set(child.fact, range);
    const empty = range.low > range.high || (range.low === range.high && !(range.lowInclusive && range.highInclusive));
    if (empty) return `no value of "${child.fact}" satisfies all its bounds`;
  }
  return null;
}
