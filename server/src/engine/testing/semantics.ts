import { expect } from 'vitest';
import { computeScore, type ScoreOutcome } from '../grading';
import { RuleSetEvaluator, type Facts, type FiredRule } from '../rule-engine';
import {
  CELLS,
  type CellAction,
  type ConditionLeaf,
  type Dimension,
  type RuleDefinition,
  type RuleSetDefinition,
  type TopLevelCondition,
} from '../ruleset-definition';

/*
 * Test support for the scoring semantics: small rule sets built here, evaluated by json-rules-engine
 * (RuleSetEvaluator) and turned into a score by computeScore. No database.
 */

const CELL_ACTIONS: Record<string, CellAction> = Object.fromEntries(
  CELLS.map((cell) => [cell, { action: `act_${cell.toLowerCase()}`, label: `Action for ${cell}` }]),
);

/** A valid, minimal rule set; tests override what they exercise. */
export function definition(overrides: Partial<RuleSetDefinition> = {}): RuleSetDefinition {
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

export function rule(
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

export async function evaluate(def: RuleSetDefinition, facts: Facts): Promise<FiredRule[]> {
  const { fired } = await new RuleSetEvaluator(def).evaluate({ ...NO_FACTS, ...facts });
  return fired;
}

export async function firedNames(def: RuleSetDefinition, facts: Facts): Promise<string[]> {
  return (await evaluate(def, facts)).map((f) => f.rule);
}

/** Whether a rule whose only condition is `leaf` fires for `facts`. */
export async function fires(leaf: ConditionLeaf, facts: Facts): Promise<boolean> {
  const def = definition({ rules: [rule('under-test', { all: [leaf] }, 10)] });
  return (await firedNames(def, facts)).includes('under-test');
}

export async function score(def: RuleSetDefinition, facts: Facts, days = 0): Promise<ScoreOutcome> {
  return computeScore(def, await evaluate(def, facts), days);
}

function pointsOf(outcome: ScoreOutcome, dimension: Dimension): number {
  return outcome.reasons.filter((r) => r.dimension === dimension).reduce((sum, r) => sum + r.points, 0);
}

export function expectReasonsAddUp(outcome: ScoreOutcome): void {
  expect(pointsOf(outcome, 'fit')).toBe(outcome.fit);
  expect(pointsOf(outcome, 'engagement')).toBe(outcome.engagement);
  expect(outcome.total).toBe(outcome.fit + outcome.engagement);
}

/** Fired rules as the engine would report them, for computeScore on exact point totals. */
export function firedPoints(fit: number, engagement: number): FiredRule[] {
  const fired: FiredRule[] = [];
  if (fit !== 0) fired.push({ rule: 'fit-points', label: 'Fit points', dimension: 'fit', points: fit });
  if (engagement !== 0) fired.push({ rule: 'eng-points', label: 'Engagement points', dimension: 'engagement', points: engagement });
  return fired;
}

export const size = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'companySize', operator, value });
export const title = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'jobTitle', operator, value });
export const country = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'country', operator, value });
export const tech = (operator: string, value: unknown): ConditionLeaf => ({ fact: 'technologies', operator, value });
