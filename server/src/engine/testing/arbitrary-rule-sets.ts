import fc from 'fast-check';
import type { Facts } from '../rule-engine';
import type { RuleSetDefinition } from '../ruleset-definition';
import { rule, ruleSet } from './differential';

/** Arbitrary-ish rule sets: anything json-rules-engine accepts, valid for our validation or not. */

const FACT_NAMES = ['n', 'm', 's', 't', 'flag', 'tags', 'obj', 'constructor', 'absent'] as const;
const SHARED_NAMES = ['sa', 'sb', 'sc'] as const;
export const PATHS = ['', '$[0]', '$[1]', '$.a', '$.a.b', '$.length', '$[0][0]', '$.a[0]', '$[0].length', '$.b'];

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
export const factValue: fc.Arbitrary<unknown> = fc.oneof(
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
export const factsArb: fc.Arbitrary<Facts> = fc.record(
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

export const priority = fc.integer({ min: -1, max: 3 });

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

export const arbitraryRuleSet: fc.Arbitrary<RuleSetDefinition> = fc
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
