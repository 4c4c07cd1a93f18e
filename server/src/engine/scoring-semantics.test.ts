import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../rulesets/ruleset-validation';
import { daysInactive, factsFromRow, wholeDaysBetween, type FactsRow } from './facts';
import { CAP_RULE_PREFIX, DECAY_RULE, computeScore, type ScoreOutcome } from './grading';
import { ALL_OPERATORS } from './operators';
import { RuleSetEvaluator, type Facts, type FiredRule } from './rule-engine';
import {
  CELLS,
  type CellAction,
  type ConditionLeaf,
  type DecayDefinition,
  type Dimension,
  type RuleDefinition,
  type RuleSetDefinition,
  type TopLevelCondition,
} from './ruleset-definition';

/*
 * Scoring semantics, rule by rule: small rule sets built here, evaluated by json-rules-engine
 * (RuleSetEvaluator) and turned into a score by computeScore. No database.
 */

const CELL_ACTIONS: Record<string, CellAction> = Object.fromEntries(
  CELLS.map((cell) => [cell, { action: `act_${cell.toLowerCase()}`, label: `Action for ${cell}` }]),
);

/** A valid, minimal rule set; tests override what they exercise. */
function definition(overrides: Partial<RuleSetDefinition> = {}): RuleSetDefinition {
  return {
    formatVersion: 1,
    key: 'test-rules',
    name: 'Test rules',
    facts: [
      { name: 'companySize', type: 'number', source: 'attribute' },
      { name: 'jobTitle', type: 'string', source: 'attribute' },
      { name: 'country', type: 'string', source: 'attribute' },
      { name: 'budgetConfirmed', type: 'boolean', source: 'attribute' },
      { name: 'technologies', type: 'string[]', source: 'attribute' },
      { name: 'contractRenewalDate', type: 'date', source: 'attribute' },
      { name: 'pageViews30d', type: 'number', source: 'activity', aggregate: 'count', activityTypes: ['page_view'], windowDays: 30 },
    ],
    rules: [],
    caps: { fit: { min: -30, max: 100 }, engagement: { min: -40, max: 100 } },
    decay: { model: 'none' },
    grades: { A: 60, B: 40, C: 20 },
    levels: { '1': 60, '2': 35, '3': 15 },
    cells: CELL_ACTIONS,
    bands: [{ name: 'hot', min: 110 }, { name: 'warm', min: 60 }, { name: 'cold' }],
    qualification: { threshold: 90, label: 'MQL' },
    ...overrides,
  };
}

function rule(
  name: string,
  conditions: TopLevelCondition,
  points: number,
  dimension: Dimension = 'fit',
  extra: Partial<Pick<RuleDefinition, 'priority'>> = {},
): RuleDefinition {
  return { name, conditions, event: { type: 'score', params: { dimension, points, label: `Label of ${name}` } }, ...extra };
}

/** Every fact of `definition()` present with no value, as factsFromRow delivers a lead without data. */
const NO_FACTS: Facts = {
  companySize: null,
  jobTitle: null,
  country: null,
  budgetConfirmed: null,
  technologies: null,
  contractRenewalDate: null,
  pageViews30d: 0,
};

async function evaluate(def: RuleSetDefinition, facts: Facts): Promise<FiredRule[]> {
  const { fired } = await new RuleSetEvaluator(def).evaluate({ ...NO_FACTS, ...facts });
  return fired;
}

async function firedNames(def: RuleSetDefinition, facts: Facts): Promise<string[]> {
  return (await evaluate(def, facts)).map((f) => f.rule);
}

/** Whether a rule whose only condition is `leaf` fires for `facts`. */
async function fires(leaf: ConditionLeaf, facts: Facts): Promise<boolean> {
  const def = definition({ rules: [rule('under-test', { all: [leaf] }, 10)] });
  return (await firedNames(def, facts)).includes('under-test');
}

async function score(def: RuleSetDefinition, facts: Facts, days = 0): Promise<ScoreOutcome> {
  return computeScore(def, await evaluate(def, facts), days);
}

function pointsOf(outcome: ScoreOutcome, dimension: Dimension): number {
  return outcome.reasons.filter((r) => r.dimension === dimension).reduce((sum, r) => sum + r.points, 0);
}

function expectReasonsAddUp(outcome: ScoreOutcome): void {
  expect(pointsOf(outcome, 'fit')).toBe(outcome.fit);
  expect(pointsOf(outcome, 'engagement')).toBe(outcome.engagement);
  expect(outcome.total).toBe(outcome.fit + outcome.engagement);
}

/** Fired rules as the engine would report them, for computeScore on exact point totals. */
function firedPoints(fit: number, engagement: number): FiredRule[] {
  const fired: FiredRule[] = [];
  if (fit !== 0) fired.push({ rule: 'fit-points', label: 'Fit points', dimension: 'fit', points: fit });
  if (engagement !== 0) fired.push({ rule: 'eng-points', label: 'Engagement points', dimension: 'engagement', points: engagement });
  return fired;
}

type OperatorCase = [description: string, leaf: ConditionLeaf, facts: Facts, expected: boolean];

const size = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'companySize', operator, value });
const title = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'jobTitle', operator, value });
const country = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'country', operator, value });
const tech = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'technologies', operator, value });

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

  describe('points', () => {
    it('fired rules carry their label, dimension and points from the event', async () => {
      const def = definition({
        rules: [rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 5 }] }, 8, 'engagement')],
      });
      expect(await evaluate(def, { pageViews30d: 5 })).toEqual([
        { rule: 'eng-views', label: 'Label of eng-views', dimension: 'engagement', points: 8 },
      ]);
      expect(await evaluate(def, { pageViews30d: 4 })).toEqual([]);
    });

    it('negative points subtract from the dimension, and every firing rule counts', async () => {
      const def = definition({
        rules: [
          rule('fit-size', { all: [size('greaterThanInclusive', 200)] }, 30),
          rule('fit-student', { all: [title('containsText', 'student')] }, -50),
          rule('fit-us', { all: [country('equal', 'US')] }, 10),
        ],
      });
      const outcome = await score(def, { companySize: 500, jobTitle: 'Working student', country: 'US' });
      expect(outcome.fit).toBe(-10);
      expect(outcome.reasons.map((r) => [r.rule, r.points])).toEqual([
        ['fit-size', 30],
        ['fit-student', -50],
        ['fit-us', 10],
      ]);
      expectReasonsAddUp(outcome);
    });

    it('reasons follow the order of the rules in the document, not their priority or dimension', async () => {
      const always: TopLevelCondition = { all: [size('isEmpty', false)] };
      const def = definition({
        rules: [
          rule('z-low-priority', always, 5, 'fit', { priority: 1 }),
          rule('y-high-priority', always, 7, 'engagement', { priority: 10 }),
          rule('x-mid-priority', always, 3, 'fit', { priority: 5 }),
          rule('w-default-priority', always, 2, 'engagement'),
        ],
      });
      const outcome = await score(def, { companySize: 1 });
      expect(outcome.reasons.map((r) => r.rule)).toEqual(['z-low-priority', 'y-high-priority', 'x-mid-priority', 'w-default-priority']);
      expect(outcome.fit).toBe(8);
      expect(outcome.engagement).toBe(9);
    });
  });

  describe('caps', () => {
    const capped = definition({
      caps: { fit: { min: -30, max: 100 }, engagement: { min: -40, max: 100 } },
      rules: [
        rule('fit-big', { all: [size('greaterThanInclusive', 1000)] }, 70),
        rule('fit-us', { all: [country('equal', 'US')] }, 50),
        rule('fit-competitor', { all: [title('containsText', 'competitor')] }, -50),
        rule('fit-student', { all: [title('containsText', 'student')] }, -20),
        rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 1 }] }, 80, 'engagement'),
        rule('eng-many-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 10 }] }, 70, 'engagement'),
        rule('eng-unsubscribed', { all: [{ fact: 'pageViews30d', operator: 'equal', value: 0 }] }, -45, 'engagement'),
      ],
    });

    it('fit above the maximum is capped, with a $cap.fit reason so reasons still add up', async () => {
      const outcome = await score(capped, { companySize: 5000, country: 'US', pageViews30d: 1 });
      expect(outcome.fit).toBe(100);
      expect(outcome.reasons).toContainEqual({
        rule: `${CAP_RULE_PREFIX}fit`,
        label: 'Fit capped at maximum 100',
        dimension: 'fit',
        points: -20,
      });
      expect(outcome.reasons.at(-1)?.rule).toBe('$cap.fit');
      expectReasonsAddUp(outcome);
    });

    it('fit below the minimum is capped, with a positive $cap.fit reason', async () => {
      const outcome = await score(capped, { jobTitle: 'student at a competitor', pageViews30d: 1 });
      expect(outcome.fit).toBe(-30);
      expect(outcome.reasons).toContainEqual({ rule: '$cap.fit', label: 'Fit capped at minimum -30', dimension: 'fit', points: 40 });
      expectReasonsAddUp(outcome);
    });

    it('engagement above the maximum is capped with a $cap.engagement reason', async () => {
      const outcome = await score(capped, { pageViews30d: 10 });
      expect(outcome.engagement).toBe(100);
      expect(outcome.reasons).toContainEqual({
        rule: '$cap.engagement',
        label: 'Engagement capped at maximum 100',
        dimension: 'engagement',
        points: -50,
      });
      expectReasonsAddUp(outcome);
    });

    it('engagement below the minimum is capped with a $cap.engagement reason', async () => {
      const outcome = await score(capped, { pageViews30d: 0 });
      expect(outcome.engagement).toBe(-40);
      expect(outcome.reasons).toContainEqual({
        rule: '$cap.engagement',
        label: 'Engagement capped at minimum -40',
        dimension: 'engagement',
        points: 5,
      });
      expectReasonsAddUp(outcome);
    });

    it('exactly at a cap adds no $cap reason', () => {
      const atMax = computeScore(capped, firedPoints(100, 100), 0);
      const atMin = computeScore(capped, firedPoints(-30, -40), 0);
      for (const outcome of [atMax, atMin]) {
        expect(outcome.reasons.filter((r) => r.rule.startsWith(CAP_RULE_PREFIX))).toEqual([]);
        expectReasonsAddUp(outcome);
      }
      expect([atMax.fit, atMax.engagement, atMin.fit, atMin.engagement]).toEqual([100, 100, -30, -40]);
    });

    it('within the caps nothing is added', async () => {
      const outcome = await score(capped, { companySize: 5000, pageViews30d: 1 });
      expect(outcome.fit).toBe(70);
      expect(outcome.engagement).toBe(80);
      expect(outcome.reasons.map((r) => r.rule)).toEqual(['fit-big', 'eng-views']);
    });
  });

  describe('decay', () => {
    const withDecay = (decay: DecayDefinition) =>
      definition({
        decay,
        rules: [
          rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 1 }] }, 40, 'engagement'),
          rule('eng-bounced', { all: [{ fact: 'pageViews30d', operator: 'equal', value: 0 }] }, -20, 'engagement'),
          rule('fit-size', { all: [size('greaterThanInclusive', 1)] }, 40),
        ],
      });
    const halfLife = withDecay({ model: 'halfLife', halfLifeDays: 30, graceDays: 7 });
    const linear = withDecay({ model: 'linear', pointsPerDay: 2, graceDays: 7 });
    const none = withDecay({ model: 'none' });

    it.each<[number, number]>([
      [0, 40],
      [7, 40],
      [8, Math.round(40 * 0.5 ** (1 / 30))],
      [37, 20],
      [67, 10],
      [97, 5],
    ])('halfLife 30 after 7 grace days: 40 points after %i quiet days are %i', async (days, expected) => {
      const outcome = await score(halfLife, { pageViews30d: 3 }, days);
      expect(outcome.engagement).toBe(expected);
      const decayReasons = outcome.reasons.filter((r) => r.rule === DECAY_RULE);
      if (expected === 40) expect(decayReasons).toEqual([]);
      else {
        expect(decayReasons).toEqual([
          {
            rule: '$decay',
            label: `Engagement decayed after ${days} days without activity`,
            dimension: 'engagement',
            points: expected - 40,
          },
        ]);
      }
      expectReasonsAddUp(outcome);
    });

    it('day 8 of halfLife 30 / grace 7 is 39 (rounded to the nearest integer)', async () => {
      expect((await score(halfLife, { pageViews30d: 3 }, 8)).engagement).toBe(39);
    });

    it('the $decay label is singular after one day', async () => {
      const def = withDecay({ model: 'halfLife', halfLifeDays: 1, graceDays: 0 });
      const outcome = await score(def, { pageViews30d: 3 }, 1);
      expect(outcome.engagement).toBe(20);
      expect(outcome.reasons.find((r) => r.rule === DECAY_RULE)?.label).toBe('Engagement decayed after 1 day without activity');
    });

    it.each<[number, number]>([
      [0, 40],
      [7, 40],
      [8, 38],
      [26, 2],
      [27, 0],
      [28, 0],
      [365, 0],
    ])('linear 2 points/day after 7 grace days: 40 points after %i quiet days are %i (never below 0)', async (days, expected) => {
      const outcome = await score(linear, { pageViews30d: 3 }, days);
      expect(outcome.engagement).toBe(expected);
      expectReasonsAddUp(outcome);
    });

    it('none: engagement does not change however long the lead is quiet', async () => {
      const outcome = await score(none, { pageViews30d: 3 }, 3650);
      expect(outcome.engagement).toBe(40);
      expect(outcome.reasons.map((r) => r.rule)).toEqual(['eng-views']);
    });

    it.each([
      ['halfLife', halfLife],
      ['linear', linear],
      ['none', none],
    ] as const)('%s: negative engagement does not decay', async (_model, def) => {
      const outcome = await score(def, { pageViews30d: 0 }, 400);
      expect(outcome.engagement).toBe(-20);
      expect(outcome.reasons.some((r) => r.rule === DECAY_RULE)).toBe(false);
    });

    it('fit never decays', async () => {
      const outcome = await score(halfLife, { pageViews30d: 3, companySize: 10 }, 400);
      expect(outcome.fit).toBe(40);
    });

    it('decay applies after the cap, and both adjustments are explained in that order', () => {
      const def = definition({ decay: { model: 'halfLife', halfLifeDays: 30, graceDays: 7 } });
      const outcome = computeScore(def, firedPoints(0, 150), 37);
      expect(outcome.engagement).toBe(50);
      expect(outcome.reasons.map((r) => [r.rule, r.points])).toEqual([
        ['eng-points', 150],
        ['$cap.engagement', -50],
        ['$decay', -50],
      ]);
      expectReasonsAddUp(outcome);
    });

    it('level and total use engagement after decay', async () => {
      const def = definition({
        decay: { model: 'linear', pointsPerDay: 1, graceDays: 7 },
        rules: [rule('eng', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 1 }] }, 60, 'engagement')],
      });
      const fresh = await score(def, { pageViews30d: 1 }, 7);
      const quiet = await score(def, { pageViews30d: 1 }, 8);
      expect([fresh.engagement, fresh.engagementLevel, fresh.total]).toEqual([60, 1, 60]);
      expect([quiet.engagement, quiet.engagementLevel, quiet.total]).toEqual([59, 2, 59]);
    });
  });

  describe('grades, levels, cells, bands and qualification', () => {
    const def = definition();

    it.each<[number, string]>([
      [100, 'A'],
      [60, 'A'],
      [59, 'B'],
      [40, 'B'],
      [39, 'C'],
      [20, 'C'],
      [19, 'D'],
      [0, 'D'],
      [-30, 'D'],
    ])('fit %i is grade %s (A >= 60, B >= 40, C >= 20)', (fit, grade) => {
      expect(computeScore(def, firedPoints(fit, 0), 0).fitGrade).toBe(grade);
    });

    it.each<[number, number]>([
      [100, 1],
      [60, 1],
      [59, 2],
      [35, 2],
      [34, 3],
      [15, 3],
      [14, 4],
      [0, 4],
      [-40, 4],
    ])('engagement %i is level %i (1 >= 60, 2 >= 35, 3 >= 15)', (engagement, level) => {
      expect(computeScore(def, firedPoints(0, engagement), 0).engagementLevel).toBe(level);
    });

    const GRADE_POINTS = { A: 60, B: 40, C: 20, D: 19 } as const;
    const LEVEL_POINTS = { 1: 60, 2: 35, 3: 15, 4: 14 } as const;

    it.each(CELLS)('cell %s takes its action and label from cells', (cell) => {
      const grade = cell[0] as keyof typeof GRADE_POINTS;
      const level = Number(cell[1]) as keyof typeof LEVEL_POINTS;
      const outcome = computeScore(def, firedPoints(GRADE_POINTS[grade], LEVEL_POINTS[level]), 0);
      expect(outcome.cell).toBe(cell);
      expect(outcome.action).toBe(`act_${cell.toLowerCase()}`);
      expect(outcome.actionLabel).toBe(`Action for ${cell}`);
    });

    it.each<[number, number, string]>([
      [100, 100, 'hot'],
      [60, 50, 'hot'],
      [60, 49, 'warm'],
      [30, 30, 'warm'],
      [30, 29, 'cold'],
      [0, 0, 'cold'],
      [-30, -40, 'cold'],
    ])('fit %i + engagement %i is in band %s (hot >= 110, warm >= 60, else cold)', (fit, engagement, band) => {
      const outcome = computeScore(def, firedPoints(fit, engagement), 0);
      expect(outcome.total).toBe(fit + engagement);
      expect(outcome.band).toBe(band);
    });

    it('the last band catches everything below the others, also with two bands', () => {
      const twoBands = definition({ bands: [{ name: 'sales-ready', min: 150 }, { name: 'rest' }] });
      expect(computeScore(twoBands, firedPoints(100, 50), 0).band).toBe('sales-ready');
      expect(computeScore(twoBands, firedPoints(100, 49), 0).band).toBe('rest');
      expect(computeScore(twoBands, firedPoints(-30, -40), 0).band).toBe('rest');
    });

    it.each<[number, number, boolean]>([
      [60, 30, true],
      [60, 29, false],
      [100, 100, true],
      [0, 0, false],
    ])('fit %i + engagement %i qualified: %s (threshold 90)', (fit, engagement, qualified) => {
      expect(computeScore(def, firedPoints(fit, engagement), 0).qualified).toBe(qualified);
    });

    it('qualification and cell are independent', () => {
      // A3: fit 80 (A), engagement 15 (3): total 95 qualifies though the cell says nurture.
      const outcome = computeScore(def, firedPoints(80, 15), 0);
      expect(outcome.cell).toBe('A3');
      expect(outcome.action).toBe('act_a3');
      expect(outcome.qualified).toBe(true);
    });

    it('no rule fired: zero points, D4, last band, not qualified, no reasons', () => {
      expect(computeScore(def, [], 0)).toEqual({
        fit: 0,
        engagement: 0,
        total: 0,
        fitGrade: 'D',
        engagementLevel: 4,
        cell: 'D4',
        band: 'cold',
        qualified: false,
        action: 'act_d4',
        actionLabel: 'Action for D4',
        reasons: [],
        compact: { firedRules: [], capFit: 0, capEngagement: 0, decay: 0, daysInactive: 0 },
      });
    });
  });

  describe('the whole path: rules to action', () => {
    it('a lead scored by a small rule set', async () => {
      const def = definition({
        decay: { model: 'halfLife', halfLifeDays: 30, graceDays: 7 },
        rules: [
          rule('fit-size', { all: [size('between', [200, 5000])] }, 40),
          rule('fit-country', { all: [country('in', ['US', 'CA'])] }, 25),
          rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 5 }] }, 60, 'engagement'),
        ],
      });
      const outcome = await score(def, { companySize: 200, country: 'CA', pageViews30d: 5 }, 37);
      expect(outcome).toMatchObject({
        fit: 65,
        engagement: 30,
        total: 95,
        fitGrade: 'A',
        engagementLevel: 3,
        cell: 'A3',
        band: 'warm',
        qualified: true,
        action: 'act_a3',
      });
      expect(outcome.reasons.map((r) => [r.rule, r.points])).toEqual([
        ['fit-size', 40],
        ['fit-country', 25],
        ['eng-views', 60],
        ['$decay', -30],
      ]);
      expectReasonsAddUp(outcome);
    });
  });
});

describe('facts from a facts-query row', () => {
  const factsDefinition = definition({
    facts: [
      { name: 'companySize', type: 'number', source: 'attribute' },
      { name: 'headcount', type: 'number', source: 'attribute', attribute: 'companySize' },
      { name: 'jobTitle', type: 'string', source: 'attribute' },
      { name: 'budgetConfirmed', type: 'boolean', source: 'attribute' },
      { name: 'technologies', type: 'string[]', source: 'attribute' },
      { name: 'contractRenewalDate', type: 'date', source: 'attribute' },
      { name: 'emailDomain', type: 'string', source: 'lead', field: 'emailDomain' },
      { name: 'isFreeEmail', type: 'boolean', source: 'lead', field: 'isFreeEmail' },
      { name: 'daysSinceCreated', type: 'number', source: 'lead', field: 'daysSinceCreated' },
      { name: 'segment', type: 'string', source: 'lead', field: 'segment' },
      { name: 'leadOrigin', type: 'string', source: 'lead', field: 'source' },
      { name: 'pageViews30d', type: 'number', source: 'activity', aggregate: 'count', activityTypes: ['page_view'], windowDays: 30 },
      { name: 'requestedDemo', type: 'boolean', source: 'activity', aggregate: 'exists', activityTypes: ['demo_request'] },
      { name: 'daysSinceLastActivity', type: 'number', source: 'activity', aggregate: 'daysSinceLast' },
      {
        name: 'webinarMinutes',
        type: 'number',
        source: 'activity',
        aggregate: 'sum',
        activityTypes: ['webinar_attendance'],
        property: 'minutes',
      },
      { name: 'unsubscribed', type: 'boolean', source: 'activity', aggregate: 'exists', activityTypes: ['unsubscribe'] },
    ],
  });
  const asOf = new Date('2025-03-31T12:00:00.000Z');

  function row(overrides: Partial<FactsRow> = {}): FactsRow {
    return {
      lead_id: '1',
      email: 'ana@acme.io',
      segment: 'enterprise',
      source: 'api',
      attributes: {},
      created_at: new Date('2025-03-01T12:00:00.000Z'),
      last_activity_at: null,
      f0: 0,
      f1: 0,
      f2: null,
      f3: 0,
      f4: 0,
      ...overrides,
    };
  }

  it('the facts definition is valid', () => {
    expect(validateRuleSetDefinition(factsDefinition)).toEqual([]);
  });

  it('reads attributes, lead fields and activity aggregates (f0.. in the order of the activity facts)', () => {
    const facts = factsFromRow(
      factsDefinition,
      row({
        email: 'Ana@Gmail.COM',
        attributes: {
          companySize: 250,
          jobTitle: 'Head of Sales',
          budgetConfirmed: false,
          technologies: ['salesforce', 'segment'],
          contractRenewalDate: '2025-09-30',
        },
        created_at: new Date('2025-03-01T12:00:01.000Z'),
        last_activity_at: new Date('2025-03-29T13:00:00.000Z'),
        f0: 12,
        f1: 1,
        f2: new Date('2025-03-29T13:00:00.000Z'),
        f3: 75.5,
        f4: 0,
      }),
      asOf,
    );
    expect(facts).toEqual({
      companySize: 250,
      headcount: 250,
      jobTitle: 'Head of Sales',
      budgetConfirmed: false,
      technologies: ['salesforce', 'segment'],
      contractRenewalDate: '2025-09-30',
      emailDomain: 'gmail.com',
      isFreeEmail: true,
      daysSinceCreated: 29,
      segment: 'enterprise',
      leadOrigin: 'api',
      pageViews30d: 12,
      requestedDemo: true,
      daysSinceLastActivity: 1,
      webinarMinutes: 75.5,
      unsubscribed: false,
    });
  });

  it('missing attributes are null, never absent', () => {
    const facts = factsFromRow(factsDefinition, row({ attributes: {} }), asOf);
    for (const name of ['companySize', 'headcount', 'jobTitle', 'budgetConfirmed', 'technologies', 'contractRenewalDate']) {
      expect(facts, name).toHaveProperty(name, null);
    }
    expect(Object.keys(facts).sort()).toEqual(factsDefinition.facts.map((f) => f.name).sort());
  });

  it('attributes explicitly null are null', () => {
    const facts = factsFromRow(factsDefinition, row({ attributes: { companySize: null, jobTitle: null, technologies: null } }), asOf);
    expect([facts.companySize, facts.jobTitle, facts.technologies]).toEqual([null, null, null]);
  });

  it.each<[string, string, unknown]>([
    ['number given as a string', 'companySize', '250'],
    ['number that is not finite', 'companySize', Number.POSITIVE_INFINITY],
    ['number that is NaN', 'companySize', Number.NaN],
    ['string given as a number', 'jobTitle', 42],
    ['boolean given as a string', 'budgetConfirmed', 'yes'],
    ['boolean given as a number', 'budgetConfirmed', 1],
    ['string[] given as one string', 'technologies', 'salesforce'],
    ['string[] with a non-string item', 'technologies', ['salesforce', 1]],
    ['date given as a number', 'contractRenewalDate', 20250930],
  ])('a wrong-typed attribute is null: %s', (_description, attribute, value) => {
    const facts = factsFromRow(factsDefinition, row({ attributes: { [attribute]: value } }), asOf);
    expect(facts[attribute]).toBeNull();
  });

  it('an attribute fact reads the attribute it names, defaulting to its own name', () => {
    const facts = factsFromRow(factsDefinition, row({ attributes: { companySize: 40, headcount: 99 } }), asOf);
    expect(facts.companySize).toBe(40);
    expect(facts.headcount).toBe(40);
  });

  it.each<[string | null, string | null, boolean | null]>([
    ['bob@acme.io', 'acme.io', false],
    ['ana@gmail.com', 'gmail.com', true],
    ['ANA@YAHOO.COM', 'yahoo.com', true],
    ['someone@proton.me', 'proton.me', true],
    ['not-an-email', null, null],
    [null, null, null],
  ])('email %s: emailDomain %s, isFreeEmail %s', (email, domain, free) => {
    const facts = factsFromRow(factsDefinition, row({ email }), asOf);
    expect(facts.emailDomain).toBe(domain);
    expect(facts.isFreeEmail).toBe(free);
  });

  it('segment and source are null when the lead has none', () => {
    const facts = factsFromRow(factsDefinition, row({ segment: null, source: null }), asOf);
    expect(facts.segment).toBeNull();
    expect(facts.leadOrigin).toBeNull();
  });

  it('daysSinceCreated counts whole days (floors)', () => {
    const created = (iso: string) => factsFromRow(factsDefinition, row({ created_at: new Date(iso) }), asOf).daysSinceCreated;
    expect(created('2025-03-31T12:00:00.000Z')).toBe(0);
    expect(created('2025-03-30T12:00:00.001Z')).toBe(0);
    expect(created('2025-03-30T12:00:00.000Z')).toBe(1);
    expect(created('2024-03-31T12:00:00.000Z')).toBe(365);
  });

  it('a lead without activity: counts and sums 0, exists false, daysSinceLast null', () => {
    const facts = factsFromRow(factsDefinition, row({ f0: 0, f1: 0, f2: null, f3: 0, f4: 0 }), asOf);
    expect(facts.pageViews30d).toBe(0);
    expect(facts.requestedDemo).toBe(false);
    expect(facts.daysSinceLastActivity).toBeNull();
    expect(facts.webinarMinutes).toBe(0);
    expect(facts.unsubscribed).toBe(false);
  });

  it('aggregate columns that are missing or null count as 0 / false / null', () => {
    const bare: FactsRow = {
      lead_id: '1',
      email: null,
      segment: null,
      source: null,
      attributes: {},
      created_at: new Date('2025-03-01T12:00:00.000Z'),
      last_activity_at: null,
    };
    const facts = factsFromRow(factsDefinition, bare, asOf);
    expect([facts.pageViews30d, facts.requestedDemo, facts.daysSinceLastActivity, facts.webinarMinutes, facts.unsubscribed]).toEqual([
      0,
      false,
      null,
      0,
      false,
    ]);
  });

  it('exists is a boolean: true for any positive count', () => {
    const facts = factsFromRow(factsDefinition, row({ f1: 3, f4: 1 }), asOf);
    expect(facts.requestedDemo).toBe(true);
    expect(facts.unsubscribed).toBe(true);
  });

  it('daysSinceLast accepts a Date or an ISO string and floors', () => {
    const asDate = factsFromRow(factsDefinition, row({ f2: new Date('2025-03-24T12:00:00.001Z') }), asOf);
    const asString = factsFromRow(factsDefinition, row({ f2: '2025-03-24T12:00:00.000Z' }), asOf);
    expect(asDate.daysSinceLastActivity).toBe(6);
    expect(asString.daysSinceLastActivity).toBe(7);
  });

  it('facts from a row feed the evaluator: a lead without data fires only the rules built for missing values', async () => {
    const def = definition({
      facts: factsDefinition.facts,
      rules: [
        rule('no-size', { all: [{ fact: 'companySize', operator: 'isEmpty', value: true }] }, -5),
        rule('small', { all: [{ fact: 'companySize', operator: 'lessThan', value: 50 }] }, -10),
        rule('quiet', { all: [{ fact: 'daysSinceLastActivity', operator: 'greaterThan', value: 90 }] }, -10, 'engagement'),
        rule('never-demo', { all: [{ fact: 'requestedDemo', operator: 'equal', value: false }] }, -1, 'engagement'),
      ],
    });
    const facts = factsFromRow(def, row({ email: null }), asOf);
    const { fired } = await new RuleSetEvaluator(def).evaluate(facts);
    expect(fired.map((f) => f.rule)).toEqual(['no-size', 'never-demo']);
  });
});

describe('wholeDaysBetween and daysInactive', () => {
  const from = new Date('2025-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(from.getTime() + ms);
  const DAY = 86_400_000;

  it.each<[string, number, number]>([
    ['the same instant', 0, 0],
    ['one millisecond short of a day', DAY - 1, 0],
    ['exactly one day', DAY, 1],
    ['one millisecond short of two days', 2 * DAY - 1, 1],
    ['thirty days and a half', 30.5 * DAY, 30],
  ])('%s is %i whole days (floors)', (_description, ms, days) => {
    expect(wholeDaysBetween(from, at(ms))).toBe(days);
  });

  it('is never negative when "to" is before "from"', () => {
    expect(wholeDaysBetween(from, at(-3 * DAY))).toBe(0);
  });

  it('daysInactive counts from the last activity, or from creation when there is none', () => {
    const asOf = new Date('2025-03-31T12:00:00.000Z');
    const created_at = new Date('2025-01-30T12:00:00.000Z');
    expect(daysInactive({ created_at, last_activity_at: new Date('2025-03-21T12:00:00.000Z') }, asOf)).toBe(10);
    expect(daysInactive({ created_at, last_activity_at: null }, asOf)).toBe(60);
  });
});
