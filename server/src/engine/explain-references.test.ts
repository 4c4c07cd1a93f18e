import { describe, expect, it } from 'vitest';
import { explainEvaluation } from './explain';
import { RuleSetEvaluator, type Facts, type RuleEvaluation } from './rule-engine';
import { BIG_COMPANY, byName, definition, explain, IN_TARGET_COUNTRY, results, rule } from './testing/explain';

/* explainEvaluation: shared conditions, short-circuits, missing facts, rule order and the shape of its output. */

describe('explainEvaluation', () => {
  it('a shared condition reference is inlined, and its comparisons say where they are defined', async () => {
    const def = definition(
      [
        rule('dm-with-budget', {
          all: [{ condition: 'decisionMaker' }, { fact: 'budgetConfirmed', operator: 'equal', value: true }],
        }),
      ],
      {
        decisionMaker: {
          any: [
            { fact: 'seniority', operator: 'in', value: ['c_level', 'vp', 'director'] },
            { fact: 'jobTitle', operator: 'containsText', value: 'head of' },
          ],
        },
      },
    );
    const [explanation] = await explain(def, { seniority: 'manager', jobTitle: 'Marketing Manager', budgetConfirmed: true });
    expect(explanation.fired).toBe(false);
    expect(explanation.failedConditions).toEqual([
      {
        path: 'conditions.all[0].any[0]',
        fact: 'seniority',
        operator: 'in',
        value: ['c_level', 'vp', 'director'],
        factValue: 'manager',
        result: false,
        negated: false,
        sharedCondition: 'decisionMaker',
        sharedPath: 'sharedConditions.decisionMaker.any[0]',
      },
      {
        path: 'conditions.all[0].any[1]',
        fact: 'jobTitle',
        operator: 'containsText',
        value: 'head of',
        factValue: 'Marketing Manager',
        result: false,
        negated: false,
        sharedCondition: 'decisionMaker',
        sharedPath: 'sharedConditions.decisionMaker.any[1]',
      },
    ]);
    const reference = explanation.conditions.children[0];
    expect({ ...reference, children: reference.children.length }).toEqual({
      path: 'conditions.all[0]',
      kind: 'any',
      result: false,
      reference: 'decisionMaker',
      sharedCondition: 'decisionMaker',
      sharedPath: 'sharedConditions.decisionMaker',
      children: 2,
    });
  });

  it('a rule whose root is a reference, used by two rules, fires through it', async () => {
    const def = definition(
      [rule('is-exec', { condition: 'executive' }), rule('exec-big', { all: [{ condition: 'executive' }, BIG_COMPANY] })],
      { executive: { all: [{ fact: 'seniority', operator: 'in', value: ['c_level', 'vp'] }] } },
    );
    const explanations = await explain(def, { seniority: 'vp', companySize: 10 });
    expect(byName(explanations, 'is-exec')).toMatchObject({ fired: true, failedConditions: [] });
    expect(results(byName(explanations, 'is-exec').conditions)).toEqual({ conditions: true, 'conditions.all[0]': true });
    expect(byName(explanations, 'exec-big').failedConditions).toEqual([
      {
        path: 'conditions.all[1]',
        fact: 'companySize',
        operator: 'greaterThanInclusive',
        value: 200,
        factValue: 10,
        result: false,
        negated: false,
      },
    ]);
  });

  it('conditions skipped by short-circuit have a null result, including an unevaluated reference', async () => {
    const def = definition(
      [
        rule('budget-then-dm', {
          all: [{ fact: 'budgetConfirmed', operator: 'equal', value: true, priority: 10 }, { condition: 'decisionMaker' }],
        }),
      ],
      { decisionMaker: { any: [{ fact: 'seniority', operator: 'in', value: ['c_level', 'vp'] }] } },
    );
    const [explanation] = await explain(def, { budgetConfirmed: false, seniority: 'vp' });
    expect(explanation.failedConditions).toEqual([
      {
        path: 'conditions.all[0]',
        fact: 'budgetConfirmed',
        operator: 'equal',
        value: true,
        factValue: false,
        result: false,
        negated: false,
      },
    ]);
    expect(results(explanation.conditions)).toEqual({
      conditions: false,
      'conditions.all[0]': false,
      'conditions.all[1]': null,
      'conditions.all[1].any[0]': null,
    });
    // Not evaluated, but the UI can still show the value it would have compared.
    expect(explanation.conditions.children[1]).toMatchObject({ reference: 'decisionMaker', kind: 'any' });
    expect(explanation.conditions.children[1].children[0]).toMatchObject({ fact: 'seniority', factValue: 'vp', result: null });
  });

  it('a missing fact is reported as null', async () => {
    const def = definition([
      rule('target-industry', { all: [{ fact: 'industry', operator: 'in', value: ['software'] }] }),
      rule('big', { all: [BIG_COMPANY] }),
      rule('not-consulting', { all: [{ fact: 'industry', operator: 'notIn', value: ['consulting'] }] }),
    ]);
    const explanations = await explain(def, { companySize: null });
    expect(byName(explanations, 'target-industry').failedConditions).toEqual([
      { path: 'conditions.all[0]', fact: 'industry', operator: 'in', value: ['software'], factValue: null, result: false, negated: false },
    ]);
    expect(byName(explanations, 'big').failedConditions).toEqual([
      {
        path: 'conditions.all[0]',
        fact: 'companySize',
        operator: 'greaterThanInclusive',
        value: 200,
        factValue: null,
        result: false,
        negated: false,
      },
    ]);
    // A missing value is "not in" any list (docs/ruleset-format.md, Missing values).
    expect(byName(explanations, 'not-consulting')).toMatchObject({ fired: true, failedConditions: [] });
    expect(byName(explanations, 'not-consulting').conditions.children[0]).toMatchObject({ result: true, factValue: null });
  });

  it('every rule, in document order, whatever the priorities', async () => {
    const def = definition([
      { ...rule('first', { all: [BIG_COMPANY] }), priority: 1 },
      { ...rule('second', { all: [IN_TARGET_COUNTRY] }, 5, 'engagement'), priority: 50 },
      rule('third', { any: [BIG_COMPANY, IN_TARGET_COUNTRY] }),
    ]);
    const explanations = await explain(def, { companySize: 10, country: 'US' });
    expect(explanations.map(({ name, fired, dimension, points }) => ({ name, fired, dimension, points }))).toEqual([
      { name: 'first', fired: false, dimension: 'fit', points: 10 },
      { name: 'second', fired: true, dimension: 'engagement', points: 5 },
      { name: 'third', fired: true, dimension: 'fit', points: 10 },
    ]);
  });

  it('works the same on result trees that went through JSON (no group results, no undefined factResult)', async () => {
    const def = definition(
      [
        rule('mixed', {
          all: [{ not: IN_TARGET_COUNTRY }, { condition: 'big' }, { fact: 'industry', operator: 'equal', value: 'software' }],
        }),
      ],
      { big: { any: [BIG_COMPANY] } },
    );
    const facts: Facts = { country: 'US', companySize: 500 };
    const evaluation = await new RuleSetEvaluator(def).evaluate(facts);
    const serialised = JSON.parse(
      JSON.stringify({
        ...evaluation,
        successResults: evaluation.successResults.map((r) => r.toJSON(false)),
        failureResults: evaluation.failureResults.map((r) => r.toJSON(false)),
      }),
    ) as RuleEvaluation;
    expect(explainEvaluation(def, serialised, facts)).toEqual(explainEvaluation(def, evaluation, facts));
    const [explanation] = explainEvaluation(def, serialised, facts);
    expect(explanation.failedConditions.map(({ path, factValue, result }) => ({ path, factValue, result }))).toEqual([
      { path: 'conditions.all[0].not', factValue: 'US', result: true },
      { path: 'conditions.all[2]', factValue: null, result: false },
    ]);
  });

  it('a rule without a result tree is marked not evaluated', async () => {
    const evaluated = definition([rule('a', { all: [BIG_COMPANY] })]);
    const evaluation = await new RuleSetEvaluator(evaluated).evaluate({ companySize: 500 });
    const other = definition([rule('a', { all: [BIG_COMPANY] }), rule('b', { all: [IN_TARGET_COUNTRY] })]);
    const [a, b] = explainEvaluation(other, evaluation, { companySize: 500 });
    expect(a).toMatchObject({ name: 'a', fired: true, evaluated: true });
    expect(b).toMatchObject({ name: 'b', fired: false, evaluated: false, failedConditions: [] });
    expect(results(b.conditions)).toEqual({ conditions: null, 'conditions.all[0]': null });
  });

  it('the explanation is plain JSON', async () => {
    const def = definition([rule('dm', { all: [{ condition: 'dm' }] })], { dm: { not: IN_TARGET_COUNTRY } });
    const explanations = await explain(def, { country: 'US' });
    expect(JSON.parse(JSON.stringify(explanations))).toEqual(explanations);
  });
});
