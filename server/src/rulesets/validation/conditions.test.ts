import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../ruleset-validation';
import { copy, expectOnlyProblem, indexOfRule } from './validation-fixtures';

/* The rule set validator: conditions (facts, operators, values, references) and rules that can never fire. */

describe('validateRuleSetDefinition: conditions', () => {
  it('unknown fact', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0].fact = 'employees';
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[0].conditions.all[0].fact',
      /^This condition tests "employees", which is not one of the rule set's facts: declare it under Facts/,
    );
  });

  it('unknown fact nested in any / not and in a shared condition', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-title-head-of-or-founder');
    doc.rules[i].conditions.all[1].not.fact = 'level';
    doc.sharedConditions.decisionMaker.any[2].fact = 'title';
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toContainEqual({
      path: `rules[${i}].conditions.all[1].not.fact`,
      message: expect.stringMatching(/^This condition tests "level", which is not one of the rule set's facts/),
    });
    expect(problems).toContainEqual({
      path: 'sharedConditions.decisionMaker.any[2].fact',
      message: expect.stringMatching(/^This condition tests "title", which is not one of the rule set's facts/),
    });
    expect(problems).toHaveLength(2);
  });

  it('operator not allowed for the fact type (startsWith on a number)', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'startsWith', value: '1' };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[0].conditions.all[0].operator',
      /^The comparison "startsWith" does not apply to Company size \(employees\), which is a number: use one of .*between/,
    );
  });

  it('operator not allowed for the fact type (contains on a string)', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-competitor');
    doc.rules[i].conditions.all[0] = { fact: 'accountType', operator: 'contains', value: 'competitor' };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `rules[${i}].conditions.all[0].operator`,
      /^The comparison "contains" does not apply to Account type, which is text/,
    );
  });

  it('value of the wrong type for the fact (equal "200" on a number)', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'equal', value: '200' };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[0].conditions.all[0].value',
      /^Company size \(employees\) is a number: compare it with a number, not "200"$/,
    );
  });

  it('value of the wrong type for a boolean fact (equal "true")', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-budget-confirmed');
    doc.rules[i].conditions.all[0].value = 'true';
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `rules[${i}].conditions.all[0].value`,
      /^Budget confirmed is true or false: compare it with true or false, not "true"$/,
    );
  });

  it('an item of the wrong type in an "in" list points at the item', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].conditions.all[0].value[1] = 7;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `rules[${i}].conditions.all[0].value[1]`,
      /^Each value compared with Industry must be text, not 7$/,
    );
  });

  it('between with low above high', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0].value = [5000, 200];
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toContainEqual({
      path: 'rules[0].conditions.all[0].value',
      message: expect.stringMatching(/^The low end 5000 is above the high end 200: swap them$/),
    });
  });

  it('duplicate rule names: the second one is reported and the first named', () => {
    const doc = copy();
    doc.rules[5].name = doc.rules[2].name;
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'rules[5].name',
      new RegExp(`^Rule 3 is already named "${doc.rules[2].name}": give each rule its own name$`),
    );
  });

  it('duplicate fact names', () => {
    const doc = copy();
    doc.facts.push({ ...doc.facts[1] });
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `facts[${doc.facts.length - 1}].name`,
      /^Another fact is already named "companySize": give each fact its own name$/,
    );
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
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      `rules[${i}].conditions.all[0].condition`,
      /^There is no shared condition named "decisionMakr": create it or pick one that exists$/,
    );
  });

  it('unknown shared condition reference at the root of a rule', () => {
    const doc = copy();
    doc.rules[0].conditions = { condition: 'nope' };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions.condition', /^There is no shared condition named "nope"/);
  });

  it('a shared condition that refers to itself', () => {
    const doc = copy();
    doc.sharedConditions.loop = { any: [{ condition: 'loop' }] };
    expectOnlyProblem(
      validateRuleSetDefinition(doc),
      'sharedConditions.loop',
      /^Shared condition "loop" refers to itself: loop -> loop; remove one of these references$/,
    );
  });
});
