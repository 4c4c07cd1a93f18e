import fc from 'fast-check';
import type { Facts } from '../rule-engine';
import type { FactDefinition, FactType, RuleSetDefinition } from '../ruleset-definition';
import { rule, ruleSet } from './differential';

/*
 * Valid rule sets: what validateRuleSetDefinition accepts, with typed facts (null when missing).
 * The operators each fact type allows come from the validation (rulesets/), passed in by the tests.
 */

export const TYPED_FACTS: FactDefinition[] = [
  { name: 'size', type: 'number', source: 'attribute' },
  { name: 'views', type: 'number', source: 'activity', aggregate: 'count' },
  { name: 'title', type: 'string', source: 'attribute' },
  { name: 'country', type: 'string', source: 'attribute' },
  { name: 'budget', type: 'boolean', source: 'attribute' },
  { name: 'tech', type: 'string[]', source: 'attribute' },
  { name: 'renewal', type: 'date', source: 'attribute' },
];
const typedStr = fc.constantFrom('', 'US', 'DE', 'Head of Sales', 'founder', 'CTO', 'hubspot', 'salesforce', 'intern', '2025-01-01');
const typedNum = fc.oneof(fc.integer({ min: -5, max: 300 }), fc.constantFrom(0, 50, 199, 200, 5000));

/** A typed value; condition values (`inCondition`) are never "" (the schema wants minLength 1). */
function typedValue(type: FactType, inCondition = false): fc.Arbitrary<unknown> {
  const text = inCondition ? typedStr.filter((v) => v !== '') : typedStr;
  switch (type) {
    case 'number':
      return typedNum;
    case 'boolean':
      return fc.boolean();
    case 'string[]':
      return fc.array(text, { maxLength: 3 });
    default:
      return text;
  }
}

export const typedFactsArb: fc.Arbitrary<Facts> = fc.record(
  Object.fromEntries(TYPED_FACTS.map((fact) => [fact.name, fc.option(typedValue(fact.type), { nil: null, freq: 4 })])),
) as fc.Arbitrary<Facts>;

/** The operators validation allows per fact type (rulesets/ruleset-validation.ts OPERATORS_BY_TYPE). */
export type OperatorsByType = Record<FactType, readonly string[]>;

// Shared conditions that use one another, often more than once (what the per-lead memo is for).
const VALID_SHARED = ['decisionMaker', 'seniorBuyer', 'hotAccount'] as const;

/** Valid rule sets over TYPED_FACTS, each leaf using an operator its fact type allows. */
export function validRuleSetArb(operatorsByType: OperatorsByType): fc.Arbitrary<RuleSetDefinition> {
  const validLeaf = fc.constantFrom(...TYPED_FACTS).chain((fact) =>
    fc.constantFrom(...operatorsByType[fact.type]).chain((operator) => {
      const scalarType: FactType = fact.type === 'string[]' ? 'string' : fact.type === 'date' ? 'string' : fact.type;
      const sameType = TYPED_FACTS.filter((other) => other.type === fact.type).map((other) => other.name);
      let value: fc.Arbitrary<unknown>;
      switch (operator) {
        case 'in':
        case 'notIn':
          value = fc.array(typedValue(scalarType, true), { minLength: 1, maxLength: 12 });
          break;
        case 'between':
          value = fc.tuple(typedNum, typedNum).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
          break;
        case 'isEmpty':
          value = fc.boolean();
          break;
        default:
          value = fc.oneof(
            { weight: 6, arbitrary: typedValue(scalarType, true) },
            { weight: 1, arbitrary: fc.constantFrom(...sameType).map((name) => ({ fact: name })) },
          );
      }
      return fc.record(
        {
          fact: fc.constant(fact.name),
          operator: fc.constant(operator),
          value,
          priority: fc.integer({ min: 1, max: 3 }),
          path: fc.constant(fact.type === 'string[]' ? '$[0]' : '$.x'),
        },
        { requiredKeys: ['fact', 'operator', 'value'] },
      );
    }),
  );

  const validCondition = (depth: number, refs: readonly string[]): fc.Arbitrary<unknown> => {
    const leafish =
      refs.length > 0
        ? fc.oneof({ weight: 8, arbitrary: validLeaf }, { weight: 1, arbitrary: fc.record({ condition: fc.constantFrom(...refs) }) })
        : validLeaf;
    if (depth === 0) return leafish;
    const child = validCondition(depth - 1, refs);
    return fc.oneof(
      { weight: 5, arbitrary: leafish },
      { weight: 2, arbitrary: fc.record({ all: fc.array(child, { minLength: 1, maxLength: 4 }) }) },
      { weight: 2, arbitrary: fc.record({ any: fc.array(child, { minLength: 1, maxLength: 4 }) }) },
      { weight: 1, arbitrary: fc.record({ not: child }) },
    );
  };

  const validRoot = (depth: number, refs: readonly string[]) =>
    fc.oneof(
      fc.record({ all: fc.array(validCondition(depth - 1, refs), { minLength: 1, maxLength: 4 }) }),
      fc.record({ any: fc.array(validCondition(depth - 1, refs), { minLength: 1, maxLength: 4 }) }),
      fc.record({ not: validCondition(depth - 1, refs) }),
    );

  return fc
    .record({
      shared: fc.tuple(validRoot(3, []), validRoot(3, ['decisionMaker']), validRoot(3, ['decisionMaker', 'seniorBuyer'])),
      rules: fc.array(
        fc.record({ conditions: validRoot(4, VALID_SHARED), points: fc.integer({ min: 1, max: 30 }), negative: fc.boolean() }),
        { minLength: 1, maxLength: 8 },
      ),
    })
    .map(({ shared, rules }) =>
      ruleSet({
        facts: TYPED_FACTS,
        sharedConditions: Object.fromEntries(VALID_SHARED.map((name, i) => [name, shared[i]])) as RuleSetDefinition['sharedConditions'],
        rules: rules.map((r, i) => rule(`rule-${i}`, r.conditions, r.negative ? -r.points : r.points)),
      }),
    );
}

/** Leads for rules/default-b2b.json (passed in): its facts with realistic values, null when missing. */
export const b2bFactsFor = (definition: RuleSetDefinition): fc.Arbitrary<Facts> =>
  fc.record(
    Object.fromEntries(
      definition.facts.map((fact) => {
        const values: Record<string, fc.Arbitrary<unknown>> = {
          industry: fc.constantFrom('software', 'consulting', 'manufacturing', 'insurance', 'retail'),
          seniority: fc.constantFrom('c_level', 'vp', 'director', 'manager', 'student', 'individual_contributor'),
          jobTitle: fc.constantFrom('Head of Marketing', 'Co-Founder', 'Sales Intern', 'student', 'CFO', 'Marketing intern', 'Engineer'),
          department: fc.constantFrom('marketing', 'sales', 'engineering', 'executive'),
          country: fc.constantFrom('US', 'DE', 'BR', 'NZ', 'IN', 'FR'),
          technologies: fc.array(fc.constantFrom('salesforce', 'hubspot', 'microsoft_dynamics', 'marketo', 'slack'), { maxLength: 3 }),
          timeline: fc.constantFrom('now', 'this_quarter', 'next_year', 'unknown'),
          accountType: fc.constantFrom('prospect', 'customer', 'competitor', 'partner'),
        };
        const arbitrary = values[fact.name] ?? typedValue(fact.type);
        return [fact.name, fc.option(arbitrary, { nil: null, freq: 4 })];
      }),
    ),
  ) as fc.Arbitrary<Facts>;
