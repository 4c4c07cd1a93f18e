import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import { carryFired, carryPlan, rulesAsFired, timeFactsUnchanged } from './carry-plan';
import { compileRuleSet, type CompiledEvaluator } from './compiled-evaluator';
import type { Facts, FactValue } from './rule-engine';
import type { RuleSetDefinition } from './ruleset-definition';

/*
 * Carrying fired rules over must give exactly the rules the new version fires when evaluated: for
 * the shipped rule sets under random edits that keep conditions and facts (points, labels, caps,
 * thresholds, cells, decay, removed and reordered rules), on random facts, the carried list equals
 * the compiled evaluator's (itself differential-tested against json-rules-engine). Edits that change
 * what fires get no plan.
 */

const load = (file: string) => JSON.parse(readFileSync(path.join(RULES_DIR, file), 'utf8')) as RuleSetDefinition;
const SHIPPED = [load('default-b2b.json'), load('x-education.json')];

function compiled(definition: RuleSetDefinition): CompiledEvaluator {
  const result = compileRuleSet(definition);
  if (!result.compiled) throw new Error(result.reason);
  return result;
}

/** Values the rules compare each fact with, so that random facts make rules fire. */
function conditionValues(definition: RuleSetDefinition): Map<string, unknown[]> {
  const values = new Map<string, unknown[]>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const leaf = node as { fact?: unknown; value?: unknown };
    if (typeof leaf.fact === 'string' && 'value' in leaf) {
      const list = values.get(leaf.fact) ?? [];
      list.push(...(Array.isArray(leaf.value) ? leaf.value : [leaf.value]));
      values.set(leaf.fact, list);
    }
    Object.values(node).forEach(walk);
  };
  walk(definition.rules);
  walk(definition.sharedConditions ?? {});
  return values;
}

function factsArbitrary(definition: RuleSetDefinition): fc.Arbitrary<Facts> {
  const seen = conditionValues(definition);
  const entries = definition.facts.map((fact) => {
    const known = (seen.get(fact.name) ?? []).filter((value) => typeof value !== 'object');
    const strings = known.filter((value): value is string => typeof value === 'string');
    let value: fc.Arbitrary<FactValue>;
    switch (fact.type) {
      case 'number':
        value = fc.oneof(
          fc.integer({ min: -5, max: 400 }),
          ...(known.length ? [fc.constantFrom(...(known.filter((v) => typeof v === 'number') as number[]), 0)] : []),
        );
        break;
      case 'boolean':
        value = fc.boolean();
        break;
      case 'string[]':
        value = fc.array(strings.length ? fc.constantFrom(...strings) : fc.string(), { maxLength: 3 });
        break;
      default:
        value = strings.length ? fc.oneof(fc.constantFrom(...strings), fc.string({ maxLength: 4 })) : fc.string({ maxLength: 4 });
    }
    return [fact.name, fc.option(value, { nil: null, freq: 5 })] as const;
  });
  return fc.record(Object.fromEntries(entries)) as fc.Arbitrary<Facts>;
}

/** An edit that keeps every rule's conditions and the facts: what a plan must carry. */
const keepingEdit = fc.record({
  points: fc.array(fc.integer({ min: -15, max: 15 }), { maxLength: 60 }),
  remove: fc.array(fc.nat(), { maxLength: 5 }),
  shuffle: fc.array(fc.nat(), { maxLength: 10 }),
  grades: fc.integer({ min: -10, max: 10 }),
  threshold: fc.integer({ min: -20, max: 20 }),
  capMax: fc.integer({ min: 0, max: 40 }),
  relabel: fc.boolean(),
  priorities: fc.boolean(),
});

type KeepingEdit = typeof keepingEdit extends fc.Arbitrary<infer T> ? T : never;

function applyEdit(from: RuleSetDefinition, edit: KeepingEdit): RuleSetDefinition {
  const to = structuredClone(from);
  to.rules.forEach((rule, i) => {
    rule.event.params.points += edit.points[i] ?? 0;
    if (edit.relabel) rule.event.params.label = `${rule.event.params.label} (v2)`;
    if (edit.priorities) rule.priority = 1 + (i % 3);
  });
  for (const index of edit.remove) if (to.rules.length > 1) to.rules.splice(index % to.rules.length, 1);
  for (const index of edit.shuffle) {
    const [rule] = to.rules.splice(index % to.rules.length, 1);
    to.rules.push(rule);
  }
  to.grades = { A: to.grades.A + edit.grades, B: to.grades.B + edit.grades, C: to.grades.C + edit.grades };
  to.qualification.threshold += edit.threshold;
  to.caps.fit.max += edit.capMax;
  to.decay = { model: 'linear', pointsPerDay: 2, graceDays: 3 };
  if (edit.relabel) to.facts = to.facts.map((fact) => ({ ...fact, label: `${fact.label ?? fact.name}!` }));
  return to;
}

describe('carryPlan', () => {
  for (const from of SHIPPED) {
    it(`${from.key}: the carried fired rules equal the new version's evaluation, under edits that keep conditions and facts`, () => {
      const before = compiled(from);
      fc.assert(
        fc.property(keepingEdit, fc.array(factsArbitrary(from), { minLength: 1, maxLength: 25 }), (edit, leads) => {
          const to = applyEdit(from, edit);
          const plan = carryPlan(from, to);
          expect(plan).not.toBeNull();
          if (!plan) return;
          const after = compiled(to);
          const rules = rulesAsFired(to);
          for (const facts of leads) {
            const oldIndexes = before.evaluate(facts).map((fired) => from.rules.findIndex((rule) => rule.name === fired.rule));
            expect(carryFired(plan, rules, oldIndexes)).toEqual(after.evaluate(facts));
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it('makes random leads fire rules (the property above is not vacuous)', () => {
    const [from] = SHIPPED;
    const sample = fc.sample(factsArbitrary(from), { numRuns: 50, seed: 1 });
    const fired = sample.reduce((sum, facts) => sum + compiled(from).evaluate(facts).length, 0);
    expect(fired).toBeGreaterThan(50);
  });

  it('has no plan when what fires may change: a condition, a new rule, a fact or a shared condition a rule reads', () => {
    const [from] = SHIPPED;
    const edits: Array<[string, (to: RuleSetDefinition) => void]> = [
      ['a condition value', (to) => ((to.rules[0].conditions as { all: Array<{ value: unknown }> }).all[0].value = 'something else')],
      ['a rule added', (to) => to.rules.push({ ...structuredClone(to.rules[0]), name: 'brand-new' })],
      ['a rule renamed', (to) => (to.rules[3].name = 'renamed')],
      [
        'an activity fact window',
        (to) => {
          const fact = to.facts.find((f) => f.source === 'activity' && f.windowDays !== undefined);
          if (fact?.source === 'activity') fact.windowDays = (fact.windowDays ?? 0) + 1;
        },
      ],
      [
        'an attribute fact type',
        (to) => {
          const fact = to.facts.find((f) => f.source === 'attribute');
          if (fact) fact.type = fact.type === 'string' ? 'number' : 'string';
        },
      ],
    ];
    for (const [what, edit] of edits) {
      const to = structuredClone(from);
      edit(to);
      expect(carryPlan(from, to), what).toBeNull();
    }
    // A shared condition: changed where a rule references it, no plan; unreferenced, the plan holds.
    const shared = {
      ...from,
      sharedConditions: {
        big: { all: [{ fact: 'companySize', operator: 'greaterThan', value: 1000 }] },
        unused: { all: [{ fact: 'companySize', operator: 'lessThan', value: 5 }] },
      },
      rules: [
        ...from.rules,
        {
          name: 'big-company',
          conditions: { condition: 'big' },
          event: { type: 'score' as const, params: { dimension: 'fit' as const, points: 5, label: 'Big' } },
        },
      ],
    } satisfies RuleSetDefinition;
    const changedReferenced = structuredClone(shared);
    (changedReferenced.sharedConditions.big.all[0] as { value: number }).value = 2000;
    expect(carryPlan(shared, changedReferenced)).toBeNull();
    const changedUnused = structuredClone(shared);
    (changedUnused.sharedConditions.unused.all[0] as { value: number }).value = 6;
    expect(carryPlan(shared, changedUnused)).not.toBeNull();
  });
});

describe('timeFactsUnchanged', () => {
  const DAY = 86_400_000;
  const [b2b] = SHIPPED; // reads daysSinceCreated (eng-returning-lead)
  const plan = carryPlan(b2b, b2b);
  const created = Date.UTC(2025, 0, 1, 12);

  it('holds while whole days since creation read the same, not once they move', () => {
    if (!plan) throw new Error('a version always carries to itself');
    expect(plan.readsDaysSinceCreated).toBe(true);
    expect(timeFactsUnchanged(plan, created, [], created + 10 * DAY + 1_000, new Date(created + 10.9 * DAY))).toBe(true);
    expect(timeFactsUnchanged(plan, created, [], created + 10.9 * DAY, new Date(created + 11 * DAY))).toBe(false);
    // A score from the future (as of later than now) is never carried back.
    expect(timeFactsUnchanged(plan, created, [], created + 12 * DAY, new Date(created + 11 * DAY))).toBe(false);
  });

  it('ignores daysSinceCreated when no rule reads it', () => {
    const unread = { ...b2b, rules: b2b.rules.filter((rule) => !JSON.stringify(rule.conditions).includes('daysSinceCreated')) };
    const unreadPlan = carryPlan(unread, unread);
    expect(unreadPlan?.readsDaysSinceCreated).toBe(false);
    if (unreadPlan) expect(timeFactsUnchanged(unreadPlan, created, [], created + 10.9 * DAY, new Date(created + 11 * DAY))).toBe(true);
  });

  it('checks every daysSinceLast aggregate a rule reads', () => {
    const definition: RuleSetDefinition = {
      ...b2b,
      facts: [
        ...b2b.facts,
        { name: 'daysSinceVisit', type: 'number', source: 'activity', aggregate: 'daysSinceLast', activityTypes: ['page_view'] },
      ],
      rules: [
        ...b2b.rules.filter((rule) => !JSON.stringify(rule.conditions).includes('daysSinceCreated')),
        {
          name: 'recent-visit',
          conditions: { all: [{ fact: 'daysSinceVisit', operator: 'lessThan', value: 7 }] },
          event: { type: 'score', params: { dimension: 'engagement', points: 5, label: 'Visited this week' } },
        },
      ],
    };
    const withVisit = carryPlan(definition, definition);
    if (!withVisit) throw new Error('a version always carries to itself');
    const index = definition.facts.filter((fact) => fact.source === 'activity').length - 1;
    expect(withVisit.daysSinceLastIndexes).toContain(index);
    const values = definition.facts.filter((fact) => fact.source === 'activity').map(() => null as number | null);
    expect(timeFactsUnchanged(withVisit, created, values, created + 5.5 * DAY, new Date(created + 30 * DAY))).toBe(true); // never visited
    values[index] = created + DAY;
    expect(timeFactsUnchanged(withVisit, created, values, created + 5.5 * DAY, new Date(created + 5.9 * DAY))).toBe(true);
    expect(timeFactsUnchanged(withVisit, created, values, created + 5.5 * DAY, new Date(created + 6.1 * DAY))).toBe(false);
  });
});
