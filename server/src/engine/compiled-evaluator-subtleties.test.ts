import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import { evaluateMany } from './compiled-evaluator';
import { RuleSetEvaluator, type Facts } from './rule-engine';
import type { RuleSetDefinition } from './ruleset-definition';
import { expectSameOutcomes, mustCompile, rule, ruleSet, viaCompiled, viaEngine } from './testing/differential';
import { b2bFactsFor } from './testing/typed-rule-sets';

const DEFAULT_B2B = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8')) as RuleSetDefinition;
const b2bFactsArb = b2bFactsFor(DEFAULT_B2B);

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
