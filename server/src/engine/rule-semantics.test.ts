import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { ALL_OPERATORS } from './operators';
import { RuleSetEvaluator, type Facts } from './rule-engine';
import type { ConditionLeaf } from './ruleset-definition';
import { definition, firedNames, fires, rule, size, title, country, tech } from './testing/semantics';

/*
 * Scoring semantics, rule by rule, part one: which rules fire (operators, missing attributes,
 * all / any / not and shared conditions), with small rule sets evaluated by json-rules-engine
 * (RuleSetEvaluator). No database. Part two, from fired rules to a score: score-semantics.test.ts.
 */

type OperatorCase = [description: string, leaf: ConditionLeaf, facts: Facts, expected: boolean];

const OPERATOR_CASES: OperatorCase[] = [
  // json-rules-engine built-ins
  ['equal: same number', size('equal', 200), { companySize: 200 }, true],
  ['equal: another number', size('equal', 200), { companySize: 201 }, false],
  ['equal: same string', title('equal', 'CEO'), { jobTitle: 'CEO' }, true],
  ['equal: is case-sensitive', title('equal', 'CEO'), { jobTitle: 'ceo' }, false],
  ['equal: boolean true', { fact: 'budgetConfirmed', operator: 'equal', value: true }, { budgetConfirmed: true }, true],
  ['equal: boolean false is not true', { fact: 'budgetConfirmed', operator: 'equal', value: true }, { budgetConfirmed: false }, false],
  ['notEqual: another value', country('notEqual', 'US'), { country: 'DE' }, true],
  ['notEqual: the same value', country('notEqual', 'US'), { country: 'US' }, false],
  ['lessThan: one below', size('lessThan', 200), { companySize: 199 }, true],
  ['lessThan: exactly at the value', size('lessThan', 200), { companySize: 200 }, false],
  ['lessThanInclusive: exactly at the value', size('lessThanInclusive', 200), { companySize: 200 }, true],
  ['lessThanInclusive: one above', size('lessThanInclusive', 200), { companySize: 201 }, false],
  ['greaterThan: one above', size('greaterThan', 200), { companySize: 201 }, true],
  ['greaterThan: exactly at the value', size('greaterThan', 200), { companySize: 200 }, false],
  ['greaterThanInclusive: exactly at the value', size('greaterThanInclusive', 200), { companySize: 200 }, true],
  ['greaterThanInclusive: one below', size('greaterThanInclusive', 200), { companySize: 199 }, false],
  ['in: one of the list', country('in', ['US', 'CA']), { country: 'CA' }, true],
  ['in: not in the list', country('in', ['US', 'CA']), { country: 'DE' }, false],
  ['in: is case-sensitive', country('in', ['US', 'CA']), { country: 'us' }, false],
  ['in: numbers', size('in', [10, 20]), { companySize: 20 }, true],
  ['notIn: not in the list', country('notIn', ['US', 'CA']), { country: 'DE' }, true],
  ['notIn: in the list', country('notIn', ['US', 'CA']), { country: 'US' }, false],
  ['contains: the list has the item', tech('contains', 'salesforce'), { technologies: ['hubspot', 'salesforce'] }, true],
  ['contains: the list lacks the item', tech('contains', 'salesforce'), { technologies: ['hubspot'] }, false],
  ['contains: empty list', tech('contains', 'salesforce'), { technologies: [] }, false],
  ['contains: whole items only, no substring', tech('contains', 'sales'), { technologies: ['salesforce'] }, false],
  ['doesNotContain: the list lacks the item', tech('doesNotContain', 'salesforce'), { technologies: ['hubspot'] }, true],
  ['doesNotContain: empty list', tech('doesNotContain', 'salesforce'), { technologies: [] }, true],
  ['doesNotContain: the list has the item', tech('doesNotContain', 'salesforce'), { technologies: ['salesforce'] }, false],
  // ours
  ['startsWith: prefix', title('startsWith', 'Head'), { jobTitle: 'Head of Sales' }, true],
  ['startsWith: the whole text', title('startsWith', 'Head'), { jobTitle: 'Head' }, true],
  ['startsWith: is case-sensitive', title('startsWith', 'Head'), { jobTitle: 'head of sales' }, false],
  ['startsWith: elsewhere in the text', title('startsWith', 'Head'), { jobTitle: 'Deputy Head' }, false],
  ['endsWith: suffix', title('endsWith', 'Intern'), { jobTitle: 'Marketing Intern' }, true],
  ['endsWith: is case-sensitive', title('endsWith', 'Intern'), { jobTitle: 'marketing intern' }, false],
  ['endsWith: elsewhere in the text', title('endsWith', 'Intern'), { jobTitle: 'Internal Auditor' }, false],
  ['containsText: ignores case of the fact', title('containsText', 'head of'), { jobTitle: 'Global HEAD OF Sales' }, true],
  ['containsText: ignores case of the value', title('containsText', 'HEAD OF'), { jobTitle: 'head of growth' }, true],
  ['containsText: text absent', title('containsText', 'head of'), { jobTitle: 'Header designer' }, false],
  ['between: exactly the low end', size('between', [200, 5000]), { companySize: 200 }, true],
  ['between: exactly the high end', size('between', [200, 5000]), { companySize: 5000 }, true],
  ['between: inside', size('between', [200, 5000]), { companySize: 1000 }, true],
  ['between: one below the low end', size('between', [200, 5000]), { companySize: 199 }, false],
  ['between: one above the high end', size('between', [200, 5000]), { companySize: 5001 }, false],
  ['isEmpty true: null', title('isEmpty', true), { jobTitle: null }, true],
  ['isEmpty true: empty string', title('isEmpty', true), { jobTitle: '' }, true],
  ['isEmpty true: empty list', tech('isEmpty', true), { technologies: [] }, true],
  ['isEmpty true: a value', title('isEmpty', true), { jobTitle: 'CEO' }, false],
  ['isEmpty true: zero is a value', size('isEmpty', true), { companySize: 0 }, false],
  ['isEmpty true: false is a value', { fact: 'budgetConfirmed', operator: 'isEmpty', value: true }, { budgetConfirmed: false }, false],
  ['isEmpty false: a value', title('isEmpty', false), { jobTitle: 'CEO' }, true],
  ['isEmpty false: a non-empty list', tech('isEmpty', false), { technologies: ['hubspot'] }, true],
  ['isEmpty false: null', title('isEmpty', false), { jobTitle: null }, false],
  ['isEmpty false: empty string', title('isEmpty', false), { jobTitle: '' }, false],
  [
    'isEmpty: date fact with a value',
    { fact: 'contractRenewalDate', operator: 'isEmpty', value: false },
    { contractRenewalDate: '2025-09-30' },
    true,
  ],
];

describe('scoring semantics rule by rule', () => {
  it('the test helper builds a valid rule set', () => {
    expect(validateRuleSetDefinition(definition())).toEqual([]);
    expect(validateRuleSetDefinition(definition({ rules: [rule('r', { all: [size('greaterThan', 1)] }, 5)] }))).toEqual([]);
  });

  describe('operators', () => {
    it.each(OPERATOR_CASES)('%s', async (_description, leaf, facts, expected) => {
      expect(await fires(leaf, facts)).toBe(expected);
    });

    it('covers every operator with a case that fires and one that does not', () => {
      for (const operator of ALL_OPERATORS) {
        const cases = OPERATOR_CASES.filter(([, leaf]) => leaf.operator === operator);
        expect(
          cases.some(([, , , expected]) => expected),
          `${operator} fires`,
        ).toBe(true);
        expect(
          cases.some(([, , , expected]) => !expected),
          `${operator} does not fire`,
        ).toBe(true);
      }
    });

    it('every condition in the operator table is accepted by the rule set validator', () => {
      for (const [description, leaf] of OPERATOR_CASES) {
        const def = definition({ rules: [rule('under-test', { all: [leaf] }, 10)] });
        expect(validateRuleSetDefinition(def), description).toEqual([]);
      }
    });
  });

  describe('missing attributes (null facts), as json-rules-engine 7 evaluates them', () => {
    it.each<[string, ConditionLeaf]>([
      ['lessThan', size('lessThan', 10)],
      ['lessThanInclusive', size('lessThanInclusive', 10)],
      ['greaterThan', size('greaterThan', -10)],
      ['greaterThanInclusive', size('greaterThanInclusive', 0)],
      ['between', size('between', [-10, 10])],
      ['equal', size('equal', 0)],
      ['in', size('in', [0, 1])],
    ])('numeric %s does not fire on a missing number (even where JS would coerce null to 0)', async (_op, leaf) => {
      expect(await fires(leaf, { companySize: null })).toBe(false);
    });

    it.each<[string, ConditionLeaf]>([
      ['startsWith', title('startsWith', 'H')],
      ['endsWith', title('endsWith', 'd')],
      ['containsText', title('containsText', 'null')],
      ['equal', title('equal', 'CEO')],
      ['in', title('in', ['CEO'])],
    ])('text %s does not fire on a missing string', async (_op, leaf) => {
      expect(await fires(leaf, { jobTitle: null })).toBe(false);
    });

    it('notEqual DOES fire on a missing value (null !== value)', async () => {
      expect(await fires(country('notEqual', 'US'), { country: null })).toBe(true);
      expect(await fires(size('notEqual', 0), { companySize: null })).toBe(true);
    });

    it('notIn DOES fire on a missing value (null is in no list)', async () => {
      expect(await fires(country('notIn', ['US', 'CA']), { country: null })).toBe(true);
    });

    it('contains and doesNotContain both do NOT fire on a missing list (the engine requires an array)', async () => {
      expect(await fires(tech('contains', 'salesforce'), { technologies: null })).toBe(false);
      expect(await fires(tech('doesNotContain', 'salesforce'), { technologies: null })).toBe(false);
    });

    it('isEmpty true fires and isEmpty false does not on a missing value', async () => {
      expect(await fires(size('isEmpty', true), { companySize: null })).toBe(true);
      expect(await fires(size('isEmpty', false), { companySize: null })).toBe(false);
    });

    it('not(...) around a comparison on a missing value fires', async () => {
      const def = definition({ rules: [rule('not-small', { not: size('lessThan', 10) }, 5)] });
      expect(await firedNames(def, { companySize: null })).toEqual(['not-small']);
      expect(await firedNames(def, { companySize: 5 })).toEqual([]);
    });

    it('an absent fact key behaves like null (allowUndefinedFacts)', async () => {
      const def = definition({
        rules: [rule('small', { all: [size('lessThan', 10)] }, 5), rule('not-us', { all: [country('notEqual', 'US')] }, 5)],
      });
      const { fired } = await new RuleSetEvaluator(def).evaluate({});
      expect(fired.map((f) => f.rule)).toEqual(['not-us']);
    });
  });

  describe('all / any / not and shared conditions', () => {
    // all[ any[country in US/CA, budgetConfirmed], not any[jobTitle contains "student", companySize < 10] ]
    const nested = definition({
      rules: [
        rule(
          'nested',
          {
            all: [
              { any: [country('in', ['US', 'CA']), { fact: 'budgetConfirmed', operator: 'equal', value: true }] },
              { not: { any: [title('containsText', 'student'), size('lessThan', 10)] } },
            ],
          },
          10,
        ),
      ],
    });

    it.each<[string, Facts, boolean]>([
      ['first any branch, nothing excluded', { country: 'US', companySize: 50, jobTitle: 'CEO' }, true],
      ['second any branch, nothing excluded', { country: 'DE', budgetConfirmed: true, companySize: 50 }, true],
      ['no any branch holds', { country: 'DE', budgetConfirmed: false, companySize: 50 }, false],
      ['excluded by the first not branch', { country: 'US', jobTitle: 'Student Assistant', companySize: 50 }, false],
      ['excluded by the second not branch', { country: 'US', companySize: 9 }, false],
      ['at the boundary of the excluded range', { country: 'US', companySize: 10 }, true],
      ['missing values in the not branch do not exclude', { country: 'CA' }, true],
    ])('%s', async (_description, facts, expected) => {
      expect((await firedNames(nested, facts)).includes('nested')).toBe(expected);
    });

    it('deeper nesting: all > any > all > not', async () => {
      const def = definition({
        rules: [
          rule(
            'deep',
            {
              all: [
                {
                  any: [{ all: [size('greaterThanInclusive', 100), { not: country('equal', 'US') }] }, title('startsWith', 'VP')],
                },
              ],
            },
            10,
          ),
        ],
      });
      expect(await firedNames(def, { companySize: 100, country: 'DE' })).toEqual(['deep']);
      expect(await firedNames(def, { companySize: 100, country: 'US' })).toEqual([]);
      expect(await firedNames(def, { companySize: 99, country: 'DE' })).toEqual([]);
      expect(await firedNames(def, { companySize: 1, country: 'US', jobTitle: 'VP Sales' })).toEqual(['deep']);
    });

    const shared = definition({
      sharedConditions: {
        decisionMaker: { any: [title('containsText', 'head of'), title('startsWith', 'VP')] },
      },
      rules: [
        rule('dm-with-budget', { all: [{ condition: 'decisionMaker' }, { fact: 'budgetConfirmed', operator: 'equal', value: true }] }, 10),
        rule('dm', { condition: 'decisionMaker' }, 5),
        rule('not-dm', { not: { condition: 'decisionMaker' } }, -5),
      ],
    });

    it('the shared-condition rule set is valid', () => {
      expect(validateRuleSetDefinition(shared)).toEqual([]);
    });

    it('a shared condition is evaluated wherever it is referenced (inside all, at the root, under not)', async () => {
      expect(await firedNames(shared, { jobTitle: 'Head of Marketing', budgetConfirmed: true })).toEqual(['dm-with-budget', 'dm']);
      expect(await firedNames(shared, { jobTitle: 'VP Sales', budgetConfirmed: false })).toEqual(['dm']);
      expect(await firedNames(shared, { jobTitle: 'Engineer', budgetConfirmed: true })).toEqual(['not-dm']);
      expect(await firedNames(shared, {})).toEqual(['not-dm']);
    });
  });
});
