import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import { OPERATORS_BY_TYPE, validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { compileRuleSet, createFastEvaluator, evaluateMany, type CompiledEvaluator } from './compiled-evaluator';
import { RuleSetEvaluator, type Facts, type FiredRule } from './rule-engine';
import { CELLS, type FactDefinition, type FactType, type RuleSetDefinition } from './ruleset-definition';

/*
 * Differential tests: json-rules-engine (RuleSetEvaluator) is the definition of which rules fire;
 * the compiled evaluator must agree on every rule set and every lead, including where the engine
 * rejects (the compiled evaluate then throws).
 */

/** COMPILED_EVALUATOR_RUNS=20 multiplies the property runs for a deeper (slower) search. */
const RUNS = Math.max(1, Number(process.env.COMPILED_EVALUATOR_RUNS ?? 1));
const runs = (n: number) => ({ numRuns: n * RUNS });

type Outcome = { fired: FiredRule[] } | { threw: true };

async function viaEngine(evaluator: RuleSetEvaluator, facts: Facts): Promise<Outcome> {
  try {
    return { fired: (await evaluator.evaluate(facts)).fired };
  } catch {
    return { threw: true };
  }
}

function viaCompiled(compiled: CompiledEvaluator, facts: Facts): Outcome {
  try {
    return { fired: compiled.evaluate(facts) };
  } catch {
    return { threw: true };
  }
}

function mustCompile(definition: RuleSetDefinition): CompiledEvaluator {
  const result = compileRuleSet(definition);
  if (!result.compiled) throw new Error(`expected the rule set to compile: ${result.reason}`);
  return result;
}

/**
 * A fresh engine for every lead: a rejected json-rules-engine run keeps evaluating in the
 * background and then marks the shared Engine FINISHED, which can make the next run on it skip
 * rules (engine.js run / evaluateRules).
 */
async function expectSameOutcomes(definition: RuleSetDefinition, leads: Facts[]): Promise<void> {
  const compiled = mustCompile(definition);
  for (const facts of leads) {
    const expected = await viaEngine(new RuleSetEvaluator(definition), facts);
    const actual = viaCompiled(compiled, facts);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      expect({ actual, facts }).toEqual({ actual: expected, facts });
    }
  }
}

const CELL_ACTIONS = Object.fromEntries(CELLS.map((cell) => [cell, { action: `act_${cell.toLowerCase()}`, label: cell }]));

function ruleSet(overrides: Partial<RuleSetDefinition>): RuleSetDefinition {
  return {
    formatVersion: 1,
    key: 'compiled-test',
    name: 'Compiled evaluator test',
    facts: [],
    rules: [],
    caps: { fit: { min: -100, max: 100 }, engagement: { min: -100, max: 100 } },
    decay: { model: 'none' },
    grades: { A: 60, B: 40, C: 20 },
    levels: { '1': 60, '2': 35, '3': 15 },
    cells: CELL_ACTIONS,
    bands: [{ name: 'hot', min: 110 }, { name: 'cold' }],
    qualification: { threshold: 90, label: 'MQL' },
    ...overrides,
  };
}

const rule = (name: string, conditions: unknown, points = 10, extra: Record<string, unknown> = {}) =>
  ({
    name,
    conditions,
    event: { type: 'score', params: { dimension: 'fit', points, label: `Label ${name}` } },
    ...extra,
  }) as RuleSetDefinition['rules'][number];

// ---------------------------------------------------------------------------------------------
// Arbitrary-ish rule sets: anything json-rules-engine accepts, valid for our validation or not.

const FACT_NAMES = ['n', 'm', 's', 't', 'flag', 'tags', 'obj', 'constructor', 'absent'] as const;
const SHARED_NAMES = ['sa', 'sb', 'sc'] as const;
const PATHS = ['', '$[0]', '$[1]', '$.a', '$.a.b', '$.length', '$[0][0]', '$.a[0]', '$[0].length', '$.b'];

const str = fc.constantFrom(
  '',
  'a',
  'abc',
  'ABC',
  'Abc def',
  'x',
  '12',
  ' 3',
  '1e3',
  '-4.5',
  '0x10',
  'Infinity',
  'NaN',
  'null',
  'true',
  '5abc',
  'head of',
  'Head Of sales',
);
const num = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -3, max: 15 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, -0, 12, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  { weight: 1, arbitrary: fc.double() },
);
const scalar = fc.oneof(str, num, fc.boolean(), fc.constant(null));
const strings = fc.array(str, { maxLength: 4 });
const factValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 24, arbitrary: scalar },
  { weight: 12, arbitrary: strings },
  { weight: 4, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.record(
      { a: fc.oneof(scalar, strings, fc.record({ b: scalar }, { requiredKeys: [] })), b: scalar },
      { requiredKeys: [], noNullPrototype: true },
    ),
  },
  // string conversion of a null-prototype object throws: numeric operators reject on it
  { weight: 1, arbitrary: fc.constant(null).map((): unknown => Object.assign(Object.create(null) as object, { a: 'x' })) },
);
const factsArb: fc.Arbitrary<Facts> = fc.record(
  Object.fromEntries(FACT_NAMES.filter((name) => name !== 'absent').map((name) => [name, factValue])),
  { requiredKeys: [] },
) as fc.Arbitrary<Facts>;

const OPERATORS: Array<[operator: string, weight: number]> = [
  ['equal', 60],
  ['notEqual', 30],
  ['lessThan', 30],
  ['lessThanInclusive', 30],
  ['greaterThan', 30],
  ['greaterThanInclusive', 30],
  ['in', 50],
  ['notIn', 30],
  ['contains', 30],
  ['doesNotContain', 20],
  ['startsWith', 20],
  ['endsWith', 20],
  ['containsText', 30],
  ['between', 30],
  ['isEmpty', 30],
  // json-rules-engine's operator decorators
  ['not:equal', 10],
  ['someFact:equal', 10],
  ['everyFact:lessThan', 10],
  ['someValue:startsWith', 10],
  ['everyValue:greaterThan', 10],
  ['swap:in', 5],
  ['not:someFact:containsText', 10],
  ['swap:contains', 10],
  // unknown: rejected when reached
  ['bogus', 1],
  ['nope:equal', 1],
];

const factReference = fc.record({ fact: fc.constantFrom(...FACT_NAMES), path: fc.constantFrom(...PATHS) }, { requiredKeys: ['fact'] });

/** The value of a leaf, mostly of a shape that makes sense for the operator (so few runs reject). */
function valueFor(operator: string): fc.Arbitrary<unknown> {
  const base = operator.split(':').at(-1);
  const list = fc.array(scalar, { maxLength: 6 });
  if (operator.startsWith('someValue:') || operator.startsWith('everyValue:')) {
    return fc.oneof({ weight: 12, arbitrary: list }, { weight: 1, arbitrary: scalar });
  }
  switch (base) {
    case 'in':
    case 'notIn':
      return fc.oneof(
        { weight: 30, arbitrary: list },
        { weight: 3, arbitrary: str },
        { weight: 1, arbitrary: scalar },
        { weight: 1, arbitrary: factReference },
      );
    case 'between':
      return fc.oneof({ weight: 4, arbitrary: fc.tuple(num, num) }, { weight: 1, arbitrary: list }, { weight: 1, arbitrary: scalar });
    case 'isEmpty':
      return fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: scalar });
    default:
      return fc.oneof(
        { weight: 8, arbitrary: scalar },
        { weight: 2, arbitrary: factReference },
        { weight: 1, arbitrary: list },
        { weight: 1, arbitrary: fc.record({ a: scalar }) },
        { weight: 1, arbitrary: fc.record({ fact: fc.constantFrom(...FACT_NAMES), params: fc.constant({ x: 1 }) }) },
      );
  }
}

const priority = fc.integer({ min: -1, max: 3 });

const leafArb = fc.oneof(...OPERATORS.map(([operator, weight]) => ({ weight, arbitrary: fc.constant(operator) }))).chain((operator) =>
  fc.record(
    {
      fact: fc.constantFrom(...FACT_NAMES),
      operator: fc.constant(operator),
      value: valueFor(operator),
      path: fc.constantFrom(...PATHS),
      params: fc.constant({ ignored: true }),
      priority,
      name: fc.constant('leaf'),
    },
    { requiredKeys: ['fact', 'operator', 'value'] },
  ),
);

/**
 * Conditions up to `depth` levels of all / any / not, referring only to `refs`. (Unknown shared
 * conditions have their own property below: json-rules-engine throws for them synchronously, which
 * leaves sibling promises unhandled when those reject too.)
 */
function conditionArb(depth: number, refs: readonly string[]): fc.Arbitrary<unknown> {
  const leafish =
    refs.length > 0
      ? fc.oneof(
          { weight: 8, arbitrary: leafArb },
          { weight: 1, arbitrary: fc.record({ condition: fc.constantFrom(...refs), priority }, { requiredKeys: ['condition'] }) },
        )
      : leafArb;
  if (depth === 0) return leafish;
  const child = conditionArb(depth - 1, refs);
  return fc.oneof(
    { weight: 4, arbitrary: leafish },
    { weight: 2, arbitrary: fc.record({ all: fc.array(child, { maxLength: 4 }), priority }, { requiredKeys: ['all'] }) },
    { weight: 2, arbitrary: fc.record({ any: fc.array(child, { maxLength: 4 }), priority }, { requiredKeys: ['any'] }) },
    { weight: 1, arbitrary: fc.record({ not: child, priority }, { requiredKeys: ['not'] }) },
  );
}

function rootArb(depth: number, refs: readonly string[]): fc.Arbitrary<unknown> {
  const child = conditionArb(depth - 1, refs);
  const options: Array<fc.WeightedArbitrary<unknown>> = [
    { weight: 4, arbitrary: fc.record({ all: fc.array(child, { maxLength: 4 }) }) },
    { weight: 3, arbitrary: fc.record({ any: fc.array(child, { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ not: child }) },
  ];
  if (refs.length > 0) options.push({ weight: 1, arbitrary: fc.record({ condition: fc.constantFrom(...refs) }) });
  return fc.oneof(...options);
}

const arbitraryRuleSet: fc.Arbitrary<RuleSetDefinition> = fc
  .record({
    shared: fc.tuple(rootArb(2, []), rootArb(3, ['sa']), rootArb(3, ['sa', 'sb'])),
    rules: fc.array(
      fc.record({
        conditions: rootArb(4, SHARED_NAMES),
        points: fc.integer({ min: -20, max: 30 }),
        priority: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ shared, rules }) =>
    ruleSet({
      sharedConditions: Object.fromEntries(SHARED_NAMES.map((name, i) => [name, shared[i]])) as RuleSetDefinition['sharedConditions'],
      rules: rules.map((r, i) => rule(`rule-${i}`, r.conditions, r.points, r.priority === undefined ? {} : { priority: r.priority })),
    }),
  );

// ---------------------------------------------------------------------------------------------
// Valid rule sets: what validateRuleSetDefinition accepts, with typed facts (null when missing).

const TYPED_FACTS: FactDefinition[] = [
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

const typedFactsArb: fc.Arbitrary<Facts> = fc.record(
  Object.fromEntries(TYPED_FACTS.map((fact) => [fact.name, fc.option(typedValue(fact.type), { nil: null, freq: 4 })])),
) as fc.Arbitrary<Facts>;

const validLeaf = fc.constantFrom(...TYPED_FACTS).chain((fact) =>
  fc.constantFrom(...OPERATORS_BY_TYPE[fact.type]).chain((operator) => {
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

function validCondition(depth: number, refs: readonly string[]): fc.Arbitrary<unknown> {
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
}

const validRoot = (depth: number, refs: readonly string[]) =>
  fc.oneof(
    fc.record({ all: fc.array(validCondition(depth - 1, refs), { minLength: 1, maxLength: 4 }) }),
    fc.record({ any: fc.array(validCondition(depth - 1, refs), { minLength: 1, maxLength: 4 }) }),
    fc.record({ not: validCondition(depth - 1, refs) }),
  );

// Shared conditions that use one another, often more than once (what the per-lead memo is for).
const VALID_SHARED = ['decisionMaker', 'seniorBuyer', 'hotAccount'] as const;

const validRuleSet: fc.Arbitrary<RuleSetDefinition> = fc
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

const DEFAULT_B2B = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8')) as RuleSetDefinition;

const b2bFactsArb: fc.Arbitrary<Facts> = fc.record(
  Object.fromEntries(
    DEFAULT_B2B.facts.map((fact) => {
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

// ---------------------------------------------------------------------------------------------

describe('compiled evaluator: differential against json-rules-engine', () => {
  it('fires exactly what json-rules-engine fires on arbitrary rule sets and leads', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRuleSet, fc.array(factsArb, { minLength: 1, maxLength: 5 }), async (definition, leads) => {
        await expectSameOutcomes(definition, leads);
      }),
      runs(400),
    );
  });

  it('fires exactly what json-rules-engine fires on valid rule sets with typed facts', async () => {
    await fc.assert(
      fc.asyncProperty(validRuleSet, fc.array(typedFactsArb, { minLength: 1, maxLength: 5 }), async (definition, leads) => {
        fc.pre(validateRuleSetDefinition(definition).length === 0);
        await expectSameOutcomes(definition, leads);
      }),
      runs(300),
    );
  });

  it('rejects like json-rules-engine when an unknown shared condition is reached', async () => {
    const withGhost = fc
      .tuple(validRuleSet, fc.nat(), fc.boolean(), fc.boolean(), priority, priority)
      .map(([definition, at, any, first, p1, p2]) => {
        const index = at % definition.rules.length;
        const original = { ...definition.rules[index].conditions, priority: p1 };
        const ghost = { condition: 'ghost', priority: p2 };
        const conditions = { [any ? 'any' : 'all']: first ? [ghost, original] : [original, ghost] };
        return { ...definition, rules: definition.rules.map((r, i) => (i === index ? { ...r, conditions } : r)) } as RuleSetDefinition;
      });
    await fc.assert(
      fc.asyncProperty(withGhost, fc.array(typedFactsArb, { minLength: 1, maxLength: 4 }), async (definition, leads) => {
        await expectSameOutcomes(definition, leads);
      }),
      runs(150),
    );
  });

  it('agrees on rules/default-b2b.json for arbitrary leads', async () => {
    const compiled = mustCompile(DEFAULT_B2B);
    const engine = new RuleSetEvaluator(DEFAULT_B2B);
    await fc.assert(
      fc.asyncProperty(b2bFactsArb, async (facts) => {
        expect(viaCompiled(compiled, facts)).toEqual(await viaEngine(engine, facts));
      }),
      runs(500),
    );
  });

  it('resolves simple fact paths as JSONPath-plus does', async () => {
    const paths = PATHS.filter(Boolean);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        factValue,
        fc.constantFrom(...paths, ''),
        factValue,
        async (leftPath, left, rightPath, right) => {
          const definition = ruleSet({
            rules: [
              rule('eq', { all: [{ fact: 'x', path: leftPath, operator: 'equal', value: { fact: 'y', path: rightPath } }] }),
              rule('neq', { all: [{ fact: 'x', path: leftPath, operator: 'notEqual', value: null }] }),
              rule('undef', { all: [{ fact: 'x', path: leftPath, operator: 'isEmpty', value: true }] }),
            ],
          });
          await expectSameOutcomes(definition, [{ x: left, y: right } as Facts, { x: right } as Facts]);
        },
      ),
      runs(300),
    );
  });
});

describe('compiled evaluator: shared conditions used many times', () => {
  const size = (value: number) => ({ fact: 'size', operator: 'greaterThan', value });
  const country = (value: string) => ({ fact: 'country', operator: 'equal', value });
  /** l0..l<links>: each link uses the next twice (once negated), so results differ link by link. */
  function chained(links: number): RuleSetDefinition {
    const sharedConditions: Record<string, unknown> = {};
    for (let i = 0; i < links; i++) {
      sharedConditions[`l${i}`] = {
        any: [
          { all: [{ condition: `l${i + 1}` }, size(i * 20)] },
          { all: [{ not: { condition: `l${i + 1}` } }, i % 2 ? country('US') : country('DE')] },
        ],
      };
    }
    sharedConditions[`l${links}`] = { all: [{ fact: 'budget', operator: 'equal', value: true }] };
    return ruleSet({
      facts: TYPED_FACTS,
      sharedConditions: sharedConditions as RuleSetDefinition['sharedConditions'],
      rules: Array.from({ length: links + 1 }, (_, i) => rule(`uses-l${i}`, { all: [{ condition: `l${i}` }] }, i + 1)),
    });
  }
  /** What l<i> means, evaluated directly (each link once). */
  function expected(links: number, facts: Facts): string[] {
    const holds: boolean[] = [];
    holds[links] = facts.budget === true;
    for (let i = links - 1; i >= 0; i--) {
      const sized = typeof facts.size === 'number' && facts.size > i * 20;
      holds[i] = (holds[i + 1] && sized) || (!holds[i + 1] && facts.country === (i % 2 ? 'US' : 'DE'));
    }
    return holds.flatMap((held, i) => (held ? [`uses-l${i}`] : []));
  }

  // Each link doubles what an unmemoised evaluation does: 80 links would never finish.
  it('evaluates each shared condition once per lead: 80 links, each using the next twice', () => {
    const compiled = mustCompile(chained(80));
    fc.assert(
      fc.property(typedFactsArb, (facts) => {
        expect(compiled.evaluate(facts).map((fired) => fired.rule)).toEqual(expected(80, facts));
      }),
      runs(200),
    );
    const leads = [{ size: 2000, budget: true }, { size: 10, country: 'DE' }, {}] as Facts[];
    const { rules, fired } = evaluateMany(compiled, leads);
    leads.forEach((facts, i) => {
      expect(rules.filter((_, r) => fired[i * rules.length + r] === 1).map((f) => f.rule)).toEqual(expected(80, facts));
    });
  }, 20_000);

  it('reads the innermost link once per lead however many references reach it', () => {
    const definition = chained(16);
    (definition.sharedConditions as Record<string, unknown>).l16 = { all: [{ fact: 'probe', path: '$.x', operator: 'equal', value: 1 }] };
    const compiled = mustCompile(definition);
    let reads = 0;
    const probe = {
      get x() {
        reads += 1;
        return 1;
      },
    };
    for (let lead = 1; lead <= 3; lead++) {
      compiled.evaluate({ probe, size: 500 } as unknown as Facts);
      expect(reads).toBe(lead); // without the memo: 2^16 per lead
    }
  });

  it('json-rules-engine is never built over an expansion validation would refuse (a version stored before the bound)', () => {
    // Counted in linear time: an unmemoised count of 90 links would never return.
    expect(() => new RuleSetEvaluator(chained(90))).toThrow(
      expect.objectContaining({ code: 'RULE_SET_TOO_LARGE', problems: [expect.objectContaining({ path: 'definition.rules' })] }),
    );
    expect(() => new RuleSetEvaluator(chained(7))).not.toThrow();
  });

  it('a large but legal sharing pattern: valid, and both engines agree', async () => {
    const definition = chained(7);
    expect(validateRuleSetDefinition(definition)).toEqual([]);
    const compiled = mustCompile(definition);
    const engine = new RuleSetEvaluator(definition);
    await fc.assert(
      fc.asyncProperty(typedFactsArb, async (facts) => {
        const outcome = await viaEngine(engine, facts);
        expect(viaCompiled(compiled, facts)).toEqual(outcome);
        expect(outcome).toEqual({ fired: expected(7, facts).map((name) => expect.objectContaining({ rule: name })) });
      }),
      runs(40),
    );
  });
});

describe('compiled evaluator: json-rules-engine subtleties', () => {
  it('scores a few default-b2b leads like json-rules-engine', async () => {
    const leads: Facts[] = [
      Object.fromEntries(DEFAULT_B2B.facts.map((fact) => [fact.name, null])),
      {
        ...Object.fromEntries(DEFAULT_B2B.facts.map((fact) => [fact.name, null])),
        industry: 'software',
        companySize: 800,
        jobTitle: 'Head of RevOps',
        seniority: 'director',
        department: 'sales',
        country: 'DE',
        technologies: ['hubspot'],
        budgetConfirmed: true,
        timeline: 'now',
        isFreeEmail: false,
        daysSinceCreated: 12,
        pageViews30d: 25,
        pricingViews14d: 2,
        requestedDemo: true,
        daysSinceLastActivity: 1,
      },
      {
        ...Object.fromEntries(DEFAULT_B2B.facts.map((fact) => [fact.name, null])),
        jobTitle: 'Marketing intern',
        seniority: 'student',
        isFreeEmail: true,
        unsubscribed: true,
        emailBounces90d: 2,
        daysSinceLastActivity: 120,
        daysSinceCreated: 400,
        pageViews30d: 3,
      },
    ];
    const compiled = mustCompile(DEFAULT_B2B);
    const engine = new RuleSetEvaluator(DEFAULT_B2B);
    for (const facts of leads) expect(compiled.evaluate(facts)).toEqual((await engine.evaluate(facts)).fired);
    expect(compiled.evaluate(leads[1]).map((fired) => fired.rule)).toContain('fit-decision-maker-with-budget');
    const many = evaluateMany(compiled, leads);
    leads.forEach((facts, i) => {
      const names = compiled.rules.filter((_, r) => many.fired[i * compiled.rules.length + r] === 1);
      expect(names).toEqual(compiled.evaluate(facts));
    });
  });

  const cases: Array<[string, unknown, Facts, boolean | 'throws']> = [
    ['empty any holds (as empty all does)', { any: [] }, {}, true],
    ['not of an empty any fails', { not: { any: [] } }, {}, false],
    ['a numeric string passes the numeric validator', { all: [{ fact: 'a', operator: 'lessThan', value: 15 }] }, { a: '12' }, true],
    ['numeric string against string compares as strings', { all: [{ fact: 'a', operator: 'lessThan', value: '5' }] }, { a: '12' }, true],
    ['null fails every numeric operator', { all: [{ fact: 'a', operator: 'lessThanInclusive', value: 0 }] }, { a: null }, false],
    ['contains needs an array fact', { all: [{ fact: 'a', operator: 'contains', value: 'b' }] }, { a: 'abc' }, false],
    ['in a string searches substrings', { all: [{ fact: 'a', operator: 'in', value: 'abc' }] }, { a: 'bc' }, true],
    ['in a number rejects', { all: [{ fact: 'a', operator: 'in', value: 5 }] }, { a: 5 }, 'throws'],
    ['an unknown operator rejects', { all: [{ fact: 'a', operator: 'bogus', value: 5 }] }, { a: 5 }, 'throws'],
    [
      'a failing higher-priority condition spares the lower group',
      {
        all: [
          { fact: 'a', operator: 'equal', value: 1, priority: 2 },
          { fact: 'a', operator: 'bogus', value: 5 },
        ],
      },
      { a: 2 },
      false,
    ],
    [
      'the same priority evaluates the whole group',
      {
        all: [
          { fact: 'a', operator: 'equal', value: 1 },
          { fact: 'a', operator: 'bogus', value: 5 },
        ],
      },
      { a: 2 },
      'throws',
    ],
    [
      'an unknown shared condition rejects when reached',
      { any: [{ fact: 'a', operator: 'equal', value: 2, priority: 3 }, { condition: 'ghost' }] },
      { a: 1 },
      'throws',
    ],
    ['a path on a string fact is ignored', { all: [{ fact: 'a', path: '$.length', operator: 'equal', value: 'abc' }] }, { a: 'abc' }, true],
    ['a path into an array', { all: [{ fact: 'a', path: '$.length', operator: 'equal', value: 2 }] }, { a: ['x', 'y'] }, true],
    ['undefined is not null', { all: [{ fact: 'missing', operator: 'equal', value: null }] }, {}, false],
    ['a fact reference', { all: [{ fact: 'a', operator: 'greaterThan', value: { fact: 'b' } }] }, { a: 3, b: 2 }, true],
    [
      'decorated operators are json-rules-engine operators',
      { all: [{ fact: 'a', operator: 'someFact:greaterThan', value: 2 }] },
      { a: ['1', '3'] },
      true,
    ],
    ['inherited properties are not facts', { all: [{ fact: 'constructor', operator: 'isEmpty', value: true }] }, {}, true],
    [
      'an own "__proto__" key is a fact',
      { all: [{ fact: '__proto__', operator: 'equal', value: 5 }] },
      JSON.parse('{"__proto__": 5}') as Facts,
      true,
    ],
    ['a key "" rejects', { all: [] }, { '': 1 }, 'throws'],
  ];
  it.each(cases)('%s', async (_, conditions, facts, expected) => {
    const definition = ruleSet({ rules: [rule('r', conditions)] });
    const outcome = viaCompiled(mustCompile(definition), facts);
    expect(outcome).toEqual(await viaEngine(new RuleSetEvaluator(definition), facts));
    expect('threw' in outcome ? 'throws' : outcome.fired.length === 1).toBe(expected);
  });

  it('splits large rule sets into several functions and still agrees', async () => {
    // default-b2b's rules twelve times over (420 rules), the copies with their own shared condition.
    const copies = 12;
    const definition: RuleSetDefinition = {
      ...DEFAULT_B2B,
      sharedConditions: {
        ...DEFAULT_B2B.sharedConditions,
        ...Object.fromEntries(
          Array.from({ length: copies }, (_, c) => [
            `decisionMaker${c}`,
            { all: [{ condition: 'decisionMaker' }, { fact: 'country', operator: 'notEqual', value: `X${c}` }] },
          ]),
        ),
      },
      rules: Array.from({ length: copies }, (_, c) =>
        DEFAULT_B2B.rules.map((r) => ({
          ...r,
          name: `${r.name}-${c}`,
          conditions: JSON.parse(JSON.stringify(r.conditions).replaceAll('"decisionMaker"', `"decisionMaker${c}"`)) as typeof r.conditions,
        })),
      ).flat(),
    };
    const compiled = mustCompile(definition);
    expect(compiled.source).toContain('function e1(');
    const leads = fc.sample(b2bFactsArb, { numRuns: 40, seed: 7 });
    await expectSameOutcomes(definition, leads);
    const many = evaluateMany(compiled, leads);
    leads.forEach((facts, i) => {
      const fired = compiled.rules.filter((_, r) => many.fired[i * compiled.rules.length + r] === 1);
      expect(fired).toEqual(compiled.evaluate(facts));
    });
  });

  it('ignores rule priority for which rules fire and returns them in document order', async () => {
    const definition = ruleSet({
      rules: [
        rule('low', { all: [] }, 1, { priority: 1 }),
        rule('high', { all: [] }, 2, { priority: 9 }),
        rule('mid', { all: [{ fact: 'a', operator: 'equal', value: 1 }] }, 3, { priority: 5 }),
      ],
    });
    expect(
      mustCompile(definition)
        .evaluate({ a: 1 })
        .map((f) => f.rule),
    ).toEqual(['low', 'high', 'mid']);
    await expectSameOutcomes(definition, [{ a: 1 }, { a: 2 }]);
  });

  it('copies facts that are not plain objects, as { ...facts } does', async () => {
    const definition = ruleSet({ rules: [rule('r', { all: [{ fact: 'a', operator: 'equal', value: 1 }] })] });
    const inherited = Object.create({ a: 1 }) as Facts;
    const own = Object.assign(Object.create({ b: 2 }), { a: 1 }) as Facts;
    await expectSameOutcomes(definition, [inherited, own]);
    expect(mustCompile(definition).evaluate(inherited)).toEqual([]);
    expect(mustCompile(definition).evaluate(own)).toHaveLength(1);
  });
});

describe('compiled evaluator: fallback to json-rules-engine', () => {
  const unsupported: Array<[string, unknown, string]> = [
    ['a recursive-descent path', { all: [{ fact: 'a', path: '$..b', operator: 'equal', value: 1 }] }, 'rules[0].conditions.all[0].path'],
    [
      'a wildcard path in a fact reference',
      { all: [{ fact: 'a', operator: 'equal', value: { fact: 'b', path: '$[*]' } }] },
      'rules[0].conditions.all[0].value.path',
    ],
    [
      'a non-integer priority',
      {
        any: [
          { fact: 'a', operator: 'equal', value: 1, priority: 'high' },
          { fact: 'a', operator: 'equal', value: 2 },
        ],
      },
      'rules[0].conditions.any[0].priority',
    ],
    ['a condition with both all and any', { all: [{ all: [], any: [] }] }, 'rules[0].conditions.all[0]'],
  ];
  it.each(unsupported)('reports %s with its path and falls back', async (_, conditions, at) => {
    const definition = ruleSet({ rules: [rule('r', conditions), rule('always', { all: [] })] });
    const compiled = compileRuleSet(definition);
    expect(compiled.compiled).toBe(false);
    if (!compiled.compiled) expect(compiled.reason.startsWith(`${at}:`)).toBe(true);

    const fast = createFastEvaluator(definition);
    expect(fast.compiled).toBe(false);
    expect(fast.reason).toBe(compiled.compiled ? undefined : compiled.reason);
    const facts = { a: 1, b: ['1'] } as Facts;
    const result = fast.evaluate(facts);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toEqual((await new RuleSetEvaluator(definition).evaluate(facts)).fired);
  });

  it('reports shared conditions that refer to themselves', () => {
    const definition = ruleSet({
      sharedConditions: { a: { any: [{ condition: 'b' }] }, b: { all: [{ condition: 'a' }] } },
      rules: [rule('r', { condition: 'a' })],
    });
    const compiled = compileRuleSet(definition);
    expect(compiled).toEqual({ compiled: false, reason: expect.stringMatching(/^sharedConditions\.a: refers to itself/) });
  });

  it('uses the compiled evaluator (synchronous) when the rule set compiles', () => {
    const fast = createFastEvaluator(DEFAULT_B2B);
    expect(fast.compiled).toBe(true);
    expect(Array.isArray(fast.evaluate({}))).toBe(true);
  });

  it('runs fallback evaluations one at a time, so overlapping calls never skip rules', async () => {
    // json-rules-engine keeps RUNNING / FINISHED on the shared Engine; overlapping runs can skip rules.
    const definition = ruleSet({
      rules: [
        rule('a', { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, 1, { priority: 3 }),
        rule('b', { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, 1, { priority: 2 }),
        rule('c', { all: [{ fact: 'x', operator: 'equal', value: 1, path: '$..y' }] }, 1),
        rule('d', { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, 1),
      ],
    });
    const fast = createFastEvaluator(definition);
    expect(fast.compiled).toBe(false);
    for (let delay = 0; delay < 60; delay++) {
      const first = fast.evaluate({ x: 1 });
      let tick: Promise<unknown> = Promise.resolve();
      for (let i = 0; i < delay; i++) tick = tick.then(() => undefined);
      const second = tick.then(() => fast.evaluate({ x: 1 }));
      const [one, two] = await Promise.all([first, second]);
      expect([one.map((f) => f.rule), two.map((f) => f.rule)]).toEqual([
        ['a', 'b', 'c', 'd'],
        ['a', 'b', 'c', 'd'],
      ]);
    }
  });
});
