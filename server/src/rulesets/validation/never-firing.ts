import type { Condition, ConditionLeaf } from '../../engine/ruleset-definition';
import { quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';

/*
 * Conditions that can never hold: an `all` whose comparisons on one fact leave it no value (two
 * different equal values, an equal outside an `in` list, every listed value excluded, numeric bounds
 * that do not overlap, contains and doesNotContain of one item, empty and filled in), an `any` none
 * of whose alternatives can hold, and the same through shared conditions. Only what is certain:
 * a condition reported here holds for no lead whatever its facts.
 */

type Scalar = string | number | boolean;

interface Range {
  low: number;
  high: number;
  lowInclusive: boolean;
  highInclusive: boolean;
}

/** What the comparisons of one `all` say about one fact so far. */
interface FactState {
  said: string[];
  equalTo?: Scalar;
  allowed: Scalar[] | null;
  excluded: Set<Scalar>;
  range: Range;
  contains: Set<Scalar>;
  lacks: Set<Scalar>;
  empty: boolean | null;
}

const isScalar = (value: unknown): value is Scalar => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function listed(values: readonly unknown[]): string {
  const shown = values.slice(0, 5).map(quoted).join(', ');
  return values.length > 5 ? `${shown} (and ${values.length - 5} more)` : shown;
}

/** A comparison in words: `above 100`, `one of "a", "b"`. */
function described(leaf: ConditionLeaf): string {
  const v = leaf.value;
  const list = Array.isArray(v) ? v : [v];
  switch (leaf.operator) {
    case 'equal':
      return quoted(v);
    case 'notEqual':
      return `other than ${quoted(v)}`;
    case 'in':
      return `one of ${listed(list)}`;
    case 'notIn':
      return `none of ${listed(list)}`;
    case 'greaterThan':
      return `above ${quoted(v)}`;
    case 'greaterThanInclusive':
      return `${quoted(v)} or more`;
    case 'lessThan':
      return `below ${quoted(v)}`;
    case 'lessThanInclusive':
      return `${quoted(v)} or less`;
    case 'between':
      return `between ${quoted(list[0])} and ${quoted(list[1])}`;
    case 'contains':
      return `a list with ${quoted(v)}`;
    case 'doesNotContain':
      return `a list without ${quoted(v)}`;
    case 'isEmpty':
      return v ? 'empty' : 'filled in';
    default:
      return `${leaf.operator} ${quoted(v)}`;
  }
}

function narrow(range: Range, bound: 'low' | 'high', value: number, inclusive: boolean): void {
  const tighter =
    bound === 'low' ? value > range.low || (value === range.low && !inclusive) : value < range.high || (value === range.high && !inclusive);
  if (!tighter) return;
  range[bound] = value;
  range[bound === 'low' ? 'lowInclusive' : 'highInclusive'] = inclusive;
}

const rangeIsEmpty = (r: Range): boolean => r.low > r.high || (r.low === r.high && !(r.lowInclusive && r.highInclusive));

function inRange(value: Scalar, r: Range): boolean {
  if (typeof value !== 'number') return true; // only numbers are certain to fail numeric bounds
  const aboveLow = value > r.low || (value === r.low && r.lowInclusive);
  const belowHigh = value < r.high || (value === r.high && r.highInclusive);
  return aboveLow && belowHigh;
}

/** Adds one comparison to what is known of its fact; the contradiction in words, or null. */
function apply(state: FactState, leaf: ConditionLeaf): string | null {
  const v = leaf.value;
  const fact = quoted(leaf.fact);
  const before = state.said.slice();
  state.said.push(described(leaf));
  switch (leaf.operator) {
    case 'equal':
      if (!isScalar(v)) return null;
      if (state.equalTo !== undefined && state.equalTo !== v) return `${fact} cannot equal both ${quoted(state.equalTo)} and ${quoted(v)}`;
      state.equalTo = v;
      state.allowed = (state.allowed ?? [v]).filter((allowed) => allowed === v);
      break;
    case 'in':
      if (!Array.isArray(v)) return null;
      state.allowed = (state.allowed ?? v.filter(isScalar)).filter((allowed) => v.includes(allowed));
      break;
    case 'notEqual':
      if (isScalar(v)) state.excluded.add(v);
      break;
    case 'notIn':
      if (Array.isArray(v)) for (const item of v) if (isScalar(item)) state.excluded.add(item);
      break;
    case 'greaterThan':
    case 'greaterThanInclusive':
      if (typeof v === 'number') narrow(state.range, 'low', v, leaf.operator === 'greaterThanInclusive');
      break;
    case 'lessThan':
    case 'lessThanInclusive':
      if (typeof v === 'number') narrow(state.range, 'high', v, leaf.operator === 'lessThanInclusive');
      break;
    case 'between':
      if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') {
        narrow(state.range, 'low', v[0], true);
        narrow(state.range, 'high', v[1], true);
      }
      break;
    case 'contains':
      if (isScalar(v)) state.contains.add(v);
      break;
    case 'doesNotContain':
      if (isScalar(v)) state.lacks.add(v);
      break;
    case 'isEmpty':
      if (typeof v !== 'boolean') return null;
      if (state.empty !== null && state.empty !== v) return `${fact} cannot be both empty and filled in`;
      state.empty = v;
      break;
    default:
      return null;
  }
  if (before.length === 0) return null;
  const neverSo = `${fact} cannot be ${before.join(', ')} and also ${state.said.at(-1)}`;
  if (rangeIsEmpty(state.range)) return neverSo;
  if (state.allowed !== null) {
    const left = state.allowed.filter(
      (value) => !state.excluded.has(value) && inRange(value, state.range) && (!state.empty || value === ''),
    );
    if (left.length === 0) return neverSo;
  }
  if ([...state.contains].some((item) => state.lacks.has(item))) return neverSo;
  if (state.empty && state.contains.size > 0) return neverSo;
  return null;
}

/** The comparison that holds exactly when `leaf` does not (for every value, missing ones included), or null. */
function negation(leaf: ConditionLeaf): ConditionLeaf | null {
  const opposite: Record<string, string> = { equal: 'notEqual', notEqual: 'equal', in: 'notIn', notIn: 'in' };
  if (opposite[leaf.operator]) return { ...leaf, operator: opposite[leaf.operator] };
  // Not the numeric or list operators: json-rules-engine fails both them and their opposite on a missing value.
  if (leaf.operator === 'isEmpty' && typeof leaf.value === 'boolean') return { ...leaf, value: !leaf.value };
  return null;
}

/** Finds the conditions that can never hold, remembering each shared condition's answer. */
export class NeverFiring {
  private readonly shared = new Map<string, string | null>();

  /** `followReferences` false when references cycle or expand too far (already reported). */
  constructor(
    private readonly checks: RuleSetChecks,
    private readonly followReferences: boolean,
  ) {}

  /** Why `condition` can never hold, or null when it may. */
  reason(condition: Condition): string | null {
    if ('all' in condition) {
      for (const child of condition.all) {
        if ('fact' in child) continue;
        const reason = this.reason(child);
        if (reason) return reason;
      }
      return this.contradiction(this.leavesOf(condition, new Set()));
    }
    if ('any' in condition) {
      const reasons: string[] = [];
      for (const child of condition.any) {
        const reason = 'fact' in child ? null : this.reason(child);
        if (!reason) return null;
        reasons.push(reason);
      }
      return reasons.length === 1 ? reasons[0] : `none of its alternatives can hold (${reasons.join('; ')})`;
    }
    if ('condition' in condition) return this.followReferences ? this.sharedReason(condition.condition) : null;
    return null;
  }

  /** Why the shared condition `name` can never hold, or null. */
  sharedReason(name: string): string | null {
    if (this.shared.has(name)) return this.shared.get(name) ?? null;
    const condition = this.checks.doc.sharedConditions?.[name];
    this.shared.set(name, null); // a cycle is reported elsewhere; meanwhile it may hold
    const reason = condition ? this.reason(condition) : null;
    this.shared.set(name, reason);
    return reason;
  }

  /** The comparisons that must all hold for `condition` to hold: its own, negated ones, nested `all`s', and shared ones'. */
  private leavesOf(condition: Condition, seen: Set<string>): ConditionLeaf[] {
    if ('fact' in condition) return [condition];
    if ('all' in condition) return condition.all.flatMap((child) => this.leavesOf(child, seen));
    if ('any' in condition && condition.any.length === 1) return this.leavesOf(condition.any[0], seen);
    if ('not' in condition && 'fact' in condition.not) {
      const negated = negation(condition.not);
      return negated ? [negated] : [];
    }
    if ('condition' in condition && this.followReferences && !seen.has(condition.condition)) {
      seen.add(condition.condition);
      const shared = this.checks.doc.sharedConditions?.[condition.condition];
      return shared ? this.leavesOf(shared, seen) : [];
    }
    return [];
  }

  private contradiction(leaves: ConditionLeaf[]): string | null {
    const states = new Map<string, FactState>();
    for (const leaf of leaves) {
      const value = leaf.value;
      // A JSONPath, parameters or another fact as the value: what is compared is not known here.
      if (leaf.path !== undefined || leaf.params !== undefined || !this.checks.facts.has(leaf.fact)) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) continue;
      let state = states.get(leaf.fact);
      if (!state) {
        state = {
          said: [],
          allowed: null,
          excluded: new Set(),
          range: { low: -Infinity, high: Infinity, lowInclusive: true, highInclusive: true },
          contains: new Set(),
          lacks: new Set(),
          empty: null,
        };
        states.set(leaf.fact, state);
      }
      const reason = apply(state, leaf);
      if (reason) return reason;
    }
    return null;
  }
}
