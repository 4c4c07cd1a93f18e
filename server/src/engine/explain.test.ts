import { describe, expect, it } from 'vitest';
import { BIG_COMPANY, definition, explain, IN_TARGET_COUNTRY, results, rule } from './testing/explain';

/* explainEvaluation on small rule sets, evaluated by the real json-rules-engine: failed conditions and all / any / not. */

describe('explainEvaluation', () => {
  it('a rule that fired has no failed conditions, and every node is true', async () => {
    const def = definition([rule('big-in-target', { all: [BIG_COMPANY, IN_TARGET_COUNTRY] }, 20)]);
    const [explanation] = await explain(def, { companySize: 500, country: 'US' });
    expect(explanation).toEqual({
      name: 'big-in-target',
      label: 'Label of big-in-target',
      dimension: 'fit',
      points: 20,
      fired: true,
      evaluated: true,
      failedConditions: [],
      conditions: {
        path: 'conditions',
        kind: 'all',
        result: true,
        children: [
          {
            path: 'conditions.all[0]',
            kind: 'fact',
            result: true,
            fact: 'companySize',
            operator: 'greaterThanInclusive',
            value: 200,
            factValue: 500,
            children: [],
          },
          {
            path: 'conditions.all[1]',
            kind: 'fact',
            result: true,
            fact: 'country',
            operator: 'in',
            value: ['US', 'CA'],
            factValue: 'US',
            children: [],
          },
        ],
      },
    });
  });

  it('reports exactly the failed condition and the value seen', async () => {
    const def = definition([rule('big-in-target', { all: [BIG_COMPANY, IN_TARGET_COUNTRY] })]);
    const [explanation] = await explain(def, { companySize: 500, country: 'FR' });
    expect(explanation.fired).toBe(false);
    expect(explanation.failedConditions).toEqual([
      { path: 'conditions.all[1]', fact: 'country', operator: 'in', value: ['US', 'CA'], factValue: 'FR', result: false, negated: false },
    ]);
    expect(results(explanation.conditions)).toEqual({ conditions: false, 'conditions.all[0]': true, 'conditions.all[1]': false });
  });

  it('an all lists every failing comparison', async () => {
    const def = definition([rule('big-in-target', { all: [BIG_COMPANY, IN_TARGET_COUNTRY] })]);
    const [explanation] = await explain(def, { companySize: 20, country: 'FR' });
    expect(explanation.failedConditions.map(({ path, factValue }) => ({ path, factValue }))).toEqual([
      { path: 'conditions.all[0]', factValue: 20 },
      { path: 'conditions.all[1]', factValue: 'FR' },
    ]);
  });

  it('an any lists all of its failing branches', async () => {
    const def = definition([
      rule(
        'student',
        {
          any: [
            { fact: 'seniority', operator: 'equal', value: 'student' },
            { fact: 'jobTitle', operator: 'containsText', value: 'intern' },
          ],
        },
        -30,
      ),
    ]);
    const [explanation] = await explain(def, { seniority: 'manager', jobTitle: 'Growth Lead' });
    expect(explanation.failedConditions).toEqual([
      {
        path: 'conditions.any[0]',
        fact: 'seniority',
        operator: 'equal',
        value: 'student',
        factValue: 'manager',
        result: false,
        negated: false,
      },
      {
        path: 'conditions.any[1]',
        fact: 'jobTitle',
        operator: 'containsText',
        value: 'intern',
        factValue: 'Growth Lead',
        result: false,
        negated: false,
      },
    ]);
  });

  it('a not reports the inner comparison that held, and says so', async () => {
    const def = definition([rule('outside-target', { not: IN_TARGET_COUNTRY })]);
    const [explanation] = await explain(def, { country: 'CA' });
    expect(explanation.fired).toBe(false);
    expect(explanation.failedConditions).toEqual([
      {
        path: 'conditions.not',
        fact: 'country',
        operator: 'in',
        value: ['US', 'CA'],
        factValue: 'CA',
        result: true,
        negated: true,
        note: 'This condition held, but it is inside "not", so it made the rule fail',
      },
    ]);
    expect(results(explanation.conditions)).toEqual({ conditions: false, 'conditions.not': true });
  });

  it('all / any / not nesting: only the branches that decided the outcome', async () => {
    const def = definition([
      rule('head-of-not-exec', {
        all: [
          {
            any: [
              { fact: 'jobTitle', operator: 'containsText', value: 'head of' },
              { fact: 'jobTitle', operator: 'containsText', value: 'founder' },
            ],
          },
          { not: { fact: 'seniority', operator: 'in', value: ['c_level', 'vp'] } },
          { not: { not: { fact: 'budgetConfirmed', operator: 'equal', value: true } } },
          BIG_COMPANY,
        ],
      }),
    ]);
    const [explanation] = await explain(def, {
      jobTitle: 'VP Sales',
      seniority: 'vp',
      budgetConfirmed: false,
      companySize: 1000,
    });
    expect(explanation.fired).toBe(false);
    expect(explanation.failedConditions).toEqual([
      {
        path: 'conditions.all[0].any[0]',
        fact: 'jobTitle',
        operator: 'containsText',
        value: 'head of',
        factValue: 'VP Sales',
        result: false,
        negated: false,
      },
      {
        path: 'conditions.all[0].any[1]',
        fact: 'jobTitle',
        operator: 'containsText',
        value: 'founder',
        factValue: 'VP Sales',
        result: false,
        negated: false,
      },
      {
        path: 'conditions.all[1].not',
        fact: 'seniority',
        operator: 'in',
        value: ['c_level', 'vp'],
        factValue: 'vp',
        result: true,
        negated: true,
        note: 'This condition held, but it is inside "not", so it made the rule fail',
      },
      // Two negations cancel out: the comparison itself was false.
      {
        path: 'conditions.all[2].not.not',
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
      'conditions.all[0].any[0]': false,
      'conditions.all[0].any[1]': false,
      'conditions.all[1]': false,
      'conditions.all[1].not': true,
      'conditions.all[2]': false,
      'conditions.all[2].not': true,
      'conditions.all[2].not.not': false,
      'conditions.all[3]': true,
    });
  });
});
