import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../ruleset-validation';
import { copy, expectOnlyProblem, indexOfRule } from './validation-fixtures';

/* The rule set validator: conditions (facts, operators, values, references) and rules that can never fire. */

describe('validateRuleSetDefinition: conditions', () => {
  it('unknown fact', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0].fact = 'employees';
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions.all[0].fact', /unknown fact "employees"/);
  });

  it('unknown fact nested in any / not and in a shared condition', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-title-head-of-or-founder');
    doc.rules[i].conditions.all[1].not.fact = 'level';
    doc.sharedConditions.decisionMaker.any[2].fact = 'title';
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toContainEqual({
      path: `rules[${i}].conditions.all[1].not.fact`,
      message: expect.stringMatching(/unknown fact "level"/),
    });
    expect(problems).toContainEqual({
      path: 'sharedConditions.decisionMaker.any[2].fact',
      message: expect.stringMatching(/unknown fact "title"/),
    });
    expect(problems).toHaveLength(2);
  });

  it('operator not allowed for the fact type (startsWith on a number)', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'startsWith', value: '1' };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[0].conditions.all[0].operator',
      /"startsWith" does not apply to number fact "companySize".*between/,
    );
  });

  it('operator not allowed for the fact type (contains on a string)', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-competitor');
    doc.rules[i].conditions.all[0] = { fact: 'accountType', operator: 'contains', value: 'competitor' };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `rules[${i}].conditions.all[0].operator`,
      /"contains" does not apply to string fact "accountType"/,
    );
  });

  it('value of the wrong type for the fact (equal "200" on a number)', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'equal', value: '200' };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions.all[0].value', /must be a number.*got string "200"/);
  });

  it('value of the wrong type for a boolean fact (equal "true")', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-budget-confirmed');
    doc.rules[i].conditions.all[0].value = 'true';
    expectOnlyProblem(validateRuleSetDefinition(doc), `rules[${i}].conditions.all[0].value`, /must be a boolean/);
  });

  it('an item of the wrong type in an "in" list points at the item', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].conditions.all[0].value[1] = 7;
    expectOnlyProblem(validateRuleSetDefinition(doc), `rules[${i}].conditions.all[0].value[1]`, /must be a string, got number/);
  });

  it('between with low above high', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0].value = [5000, 200];
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toContainEqual({
      path: 'rules[0].conditions.all[0].value',
      message: expect.stringMatching(/low 5000 is above high 200/),
    });
  });

  it('duplicate rule names: the second one is reported and the first named', () => {
    const doc = copy();
    doc.rules[5].name = doc.rules[2].name;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[5].name',
      new RegExp(`duplicate rule name "${doc.rules[2].name}".*rules\\[2\\]`),
    );
  });

  it('duplicate fact names', () => {
    const doc = copy();
    doc.facts.push({ ...doc.facts[1] });
    expectOnlyProblem(validateRuleSetDefinition(doc), `facts[${doc.facts.length - 1}].name`, /duplicate fact name "companySize"/);
  });

  it('accepts a rule awarding 0 points (neutral: it still fires, is explained and is measured by backtests)', () => {
    const doc = copy();
    doc.rules[3].event.params.points = 0;
    expect(validateRuleSetDefinition(doc)).toEqual([]);
  });

  it('a rule that can never fire: all of x > 10 and x < 5', () => {
    const doc = copy();
    doc.rules[0].conditions = {
      all: [
        { fact: 'companySize', operator: 'greaterThan', value: 10 },
        { fact: 'companySize', operator: 'lessThan', value: 5 },
      ],
    };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions', /can never fire.*"companySize"/);
  });

  it('a rule that can never fire: between [50, 199] and > 500', () => {
    const doc = copy();
    doc.rules[0].conditions.all.push({ fact: 'companySize', operator: 'greaterThan', value: 500 });
    doc.rules[0].conditions.all[0].value = [50, 199];
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions', /can never fire/);
  });

  it('a rule that can never fire: >= 10 and < 10; but >= 10 and <= 10 can', () => {
    const never = copy();
    never.rules[0].conditions = {
      all: [
        { fact: 'companySize', operator: 'greaterThanInclusive', value: 10 },
        { fact: 'companySize', operator: 'lessThan', value: 10 },
      ],
    };
    expectOnlyProblem(validateRuleSetDefinition(never), 'rules[0].conditions', /can never fire/);
    const exactly = copy();
    exactly.rules[0].conditions = {
      all: [
        { fact: 'companySize', operator: 'greaterThanInclusive', value: 10 },
        { fact: 'companySize', operator: 'lessThanInclusive', value: 10 },
      ],
    };
    expect(validateRuleSetDefinition(exactly)).toEqual([]);
  });

  it('a rule that can never fire: one fact equal to two different values', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-competitor');
    doc.rules[i].conditions.all.push({ fact: 'accountType', operator: 'equal', value: 'customer' });
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `rules[${i}].conditions`,
      /can never fire.*"accountType" cannot equal both "competitor" and "customer"/,
    );
  });

  it('unknown shared condition reference inside a group', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-decision-maker-with-budget');
    doc.rules[i].conditions.all[0] = { condition: 'decisionMakr' };
    expectOnlyProblem(validateRuleSetDefinition(doc), `rules[${i}].conditions.all[0].condition`, /unknown shared condition "decisionMakr"/);
  });

  it('unknown shared condition reference at the root of a rule', () => {
    const doc = copy();
    doc.rules[0].conditions = { condition: 'nope' };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions.condition', /unknown shared condition "nope"/);
  });

  it('a shared condition that refers to itself', () => {
    const doc = copy();
    doc.sharedConditions.loop = { any: [{ condition: 'loop' }] };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'sharedConditions.loop', /refers to itself/);
  });
});
