import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Facts, RuleSetEvaluator } from '../../engine/rule-engine';
import type { Condition, FactDefinition, FactType, RuleSetDefinition } from '../../engine/ruleset-definition';
import { rule, ruleSet, runs, viaEngine } from '../../engine/testing/differential';
import { checkRuleSetDefinition, OPERATORS_BY_TYPE, validateRuleSetDefinition } from '../ruleset-validation';
import { copy, type Doc, expectOnlyProblem, indexOfRule } from './validation-fixtures';

/* Conditions that can never hold: reported when certain, never for a condition some lead meets. */

const industry = (operator: string, value: unknown) => ({ fact: 'industry', operator, value });
const size = (operator: string, value: unknown) => ({ fact: 'companySize', operator, value });

/** rules[0] of default-b2b.json with these conditions. */
function withConditions(conditions: unknown): Doc {
  const doc = copy();
  doc.rules[0].conditions = conditions;
  return doc;
}

describe('conditions that can never hold', () => {
  it.each([
    [
      'in [a, b] and equal c',
      [industry('in', ['software', 'insurance']), industry('equal', 'government')],
      /"industry" cannot be one of "software", "insurance" and also "government"/,
    ],
    [
      'equal a and equal b',
      [industry('equal', 'software'), industry('equal', 'retail')],
      /"industry" cannot equal both "software" and "retail"/,
    ],
    [
      'in X and notIn a superset of X',
      [industry('in', ['software', 'retail']), industry('notIn', ['retail', 'software', 'media'])],
      /"industry"/,
    ],
    ['equal a and notEqual a', [industry('equal', 'software'), industry('notEqual', 'software')], /other than "software"/],
    ['in X and in Y, disjoint', [industry('in', ['software']), industry('in', ['retail', 'media'])], /"industry"/],
    [
      'greaterThan 100 and lessThan 50',
      [size('greaterThan', 100), size('lessThan', 50)],
      /"companySize" cannot be above 100 and also below 50/,
    ],
    ['two between without overlap', [size('between', [10, 20]), size('between', [30, 40])], /between 10 and 20 and also between 30 and 40/],
    ['equal 5 and between 10 and 20', [size('equal', 5), size('between', [10, 20])], /"companySize"/],
    ['in [1, 2] and greaterThan 5', [size('in', [1, 2]), size('greaterThan', 5)], /"companySize"/],
    ['isEmpty true and isEmpty false', [industry('isEmpty', true), industry('isEmpty', false)], /both empty and filled in/],
    ['isEmpty true and equal a', [industry('isEmpty', true), industry('equal', 'software')], /empty and also "software"/],
  ])('%s', (_name, leaves, reason) => {
    expectOnlyProblem(
      validateRuleSetDefinition(withConditions({ all: leaves })),
      'rules[0].conditions',
      new RegExp(`^This rule can never fire: .*${reason.source}`),
    );
  });

  it.each([
    ['in X and notIn a part of X', [industry('in', ['software', 'retail']), industry('notIn', ['retail'])]],
    ['greaterThanInclusive 10 and lessThanInclusive 10', [size('greaterThanInclusive', 10), size('lessThanInclusive', 10)]],
    ['overlapping between', [size('between', [10, 20]), size('between', [20, 40])]],
    ['notEqual a and notEqual b', [industry('notEqual', 'software'), industry('notEqual', 'retail')]],
    ['isEmpty true and equal ""', [industry('isEmpty', true), industry('notEqual', 'software')]],
    ['different facts', [industry('equal', 'software'), { fact: 'accountType', operator: 'equal', value: 'customer' }]],
  ])('not reported when a lead can meet it: %s', (_name, leaves) => {
    expect(validateRuleSetDefinition(withConditions({ all: leaves }))).toEqual([]);
  });

  it('a contradiction in a nested all, and in every alternative of an any', () => {
    const nested = withConditions({ all: [size('greaterThan', 1), { all: [industry('equal', 'software'), industry('equal', 'retail')] }] });
    expectOnlyProblem(validateRuleSetDefinition(nested), 'rules[0].conditions', /can never fire: "industry" cannot equal both/);
    const everyBranch = withConditions({
      any: [
        { all: [size('greaterThan', 100), size('lessThan', 50)] },
        { all: [industry('equal', 'software'), industry('equal', 'retail')] },
      ],
    });
    expectOnlyProblem(validateRuleSetDefinition(everyBranch), 'rules[0].conditions', /can never fire: none of its alternatives can hold/);
    const oneBranch = withConditions({ any: [{ all: [size('greaterThan', 100), size('lessThan', 50)] }, industry('equal', 'software')] });
    expect(validateRuleSetDefinition(oneBranch)).toEqual([]);
  });

  it('through a shared condition: the shared condition and the rule that needs it', () => {
    const doc = copy();
    doc.sharedConditions.targetIndustry = { all: [industry('in', ['software', 'insurance'])] };
    doc.rules[0].conditions = { all: [{ condition: 'targetIndustry' }, industry('equal', 'government')] };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[0].conditions',
      /can never fire: "industry" cannot be one of "software", "insurance" and also "government"/,
    );
    doc.sharedConditions.never = { all: [size('greaterThan', 100), size('lessThan', 50)] };
    const i = indexOfRule(doc, 'fit-decision-maker-with-budget');
    doc.rules[i].conditions = { all: [{ condition: 'never' }, size('greaterThan', 1)] };
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toContainEqual({
      path: 'sharedConditions.never',
      message: expect.stringMatching(/^This shared condition can never hold: .*above 100/),
    });
    expect(problems).toContainEqual({
      path: `rules[${i}].conditions`,
      message: expect.stringMatching(/^This rule can never fire: .*above 100/),
    });
  });

  it('a negated comparison counts as its opposite', () => {
    const doc = withConditions({ all: [industry('equal', 'software'), { not: industry('in', ['software', 'retail']) }] });
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[0].conditions',
      /"industry" cannot be "software" and also none of "software", "retail"/,
    );
  });

  it('a fact compared with a JSONPath or with another fact is left alone', () => {
    const doc = withConditions({ all: [{ ...size('greaterThan', 100), path: '$.x' }, size('lessThan', 50)] });
    expect(validateRuleSetDefinition(doc).filter((p) => /never/.test(p.message))).toEqual([]);
  });
});

/** The rule set with one more rule per shared condition, so that what can never hold there is checked against leads too. */
function withProbes(definition: RuleSetDefinition): RuleSetDefinition {
  const probes = Object.keys(definition.sharedConditions ?? {}).map((name) => ({
    name: `probe-${name}`,
    conditions: { condition: name },
    event: { type: 'score' as const, params: { dimension: 'fit' as const, points: 1, label: name } },
  }));
  return { ...definition, rules: [...definition.rules, ...probes] };
}

/*
 * Dense rule sets for the property: few facts, few values, no JSONPath, so that one group often
 * compares a fact several times (where contradictions are), and leads drawn from the same values
 * (and their neighbours) often meet them.
 */
const NUMBERS = [0, 5, 10, 50, 100];
const TEXTS = ['a', 'b', 'c'];
const FACTS: FactDefinition[] = [
  { name: 'size', type: 'number', source: 'attribute' },
  { name: 'title', type: 'string', source: 'attribute' },
  { name: 'tech', type: 'string[]', source: 'attribute' },
  { name: 'budget', type: 'boolean', source: 'attribute' },
];

function valueFor(type: FactType, operator: string): fc.Arbitrary<unknown> {
  const scalar: fc.Arbitrary<unknown> =
    type === 'number' ? fc.constantFrom(...NUMBERS) : type === 'boolean' ? fc.boolean() : fc.constantFrom(...TEXTS);
  switch (operator) {
    case 'in':
    case 'notIn':
      return fc.uniqueArray(scalar, { minLength: 1, maxLength: 3 });
    case 'between':
      return fc.tuple(fc.constantFrom(...NUMBERS), fc.constantFrom(...NUMBERS)).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
    case 'isEmpty':
      return fc.boolean();
    default:
      return scalar;
  }
}

const denseLeaf = fc
  .constantFrom(...FACTS)
  .chain((fact) =>
    fc
      .constantFrom(...OPERATORS_BY_TYPE[fact.type])
      .chain((operator) => valueFor(fact.type, operator).map((value) => ({ fact: fact.name, operator, value }))),
  );

function denseCondition(depth: number, refs: readonly string[]): fc.Arbitrary<Condition> {
  const leafish: fc.Arbitrary<Condition> =
    refs.length > 0
      ? fc.oneof(
          { weight: 6, arbitrary: denseLeaf },
          { weight: 1, arbitrary: fc.constantFrom(...refs).map((condition) => ({ condition })) },
        )
      : denseLeaf;
  if (depth === 0) return leafish;
  const child = denseCondition(depth - 1, refs);
  return fc.oneof(
    { weight: 4, arbitrary: leafish },
    { weight: 2, arbitrary: fc.array(child, { minLength: 1, maxLength: 4 }).map((all) => ({ all })) },
    { weight: 1, arbitrary: fc.array(child, { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
    { weight: 1, arbitrary: child.map((not) => ({ not })) },
  );
}

const denseRoot = (refs: readonly string[]) => fc.array(denseCondition(2, refs), { minLength: 2, maxLength: 5 }).map((all) => ({ all }));

const denseRuleSet: fc.Arbitrary<RuleSetDefinition> = fc
  .record({ shared: fc.tuple(denseRoot([]), denseRoot(['s0'])), rules: fc.array(denseRoot(['s0', 's1']), { minLength: 1, maxLength: 6 }) })
  .map(({ shared, rules }) =>
    ruleSet({
      facts: FACTS,
      sharedConditions: { s0: shared[0], s1: shared[1] } as RuleSetDefinition['sharedConditions'],
      rules: rules.map((conditions, i) => rule(`rule-${i}`, conditions, 5)),
    }),
  );

const near = NUMBERS.flatMap((n) => [n - 1, n, n + 1]);
const denseLead: fc.Arbitrary<Facts> = fc.record({
  size: fc.option(fc.constantFrom(...near), { nil: null, freq: 6 }),
  title: fc.option(fc.constantFrom(...TEXTS, ''), { nil: null, freq: 6 }),
  tech: fc.option(fc.subarray(TEXTS), { nil: null, freq: 6 }),
  budget: fc.option(fc.boolean(), { nil: null, freq: 6 }),
});

describe('never fires: no false alarm on generated rule sets', () => {
  it('a rule (or shared condition) reported as never holding fires for no lead', async () => {
    let reported = 0;
    await fc.assert(
      fc.asyncProperty(denseRuleSet.map(withProbes), fc.array(denseLead, { minLength: 20, maxLength: 40 }), async (definition, leads) => {
        const never = checkRuleSetDefinition(definition)
          .filter((problem) => /^rules\[\d+\]\.conditions$/.test(problem.path) && /can never fire/.test(problem.message))
          .map((problem) => problem.path);
        if (never.length === 0) return;
        reported += 1;
        for (const facts of leads) {
          const outcome = await viaEngine(new RuleSetEvaluator(definition), facts);
          if (!('fired' in outcome)) continue;
          for (const fired of outcome.fired) {
            const index = definition.rules.findIndex((r) => r.name === fired.rule);
            expect(never, `${fired.rule} fired for ${JSON.stringify(facts)}`).not.toContain(`rules[${index}].conditions`);
          }
        }
      }),
      runs(150),
    );
    // The property says something only if some generated rules were reported.
    expect(reported).toBeGreaterThan(10);
  }, 120_000);
});
