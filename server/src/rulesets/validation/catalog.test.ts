import { describe, expect, it } from 'vitest';
import { shippedAttributeCatalog } from '../shipped-catalog';
import { checkRuleSetDefinition, validateRuleSetDefinition } from '../ruleset-validation';
import { copy, indexOfRule } from './validation-fixtures';

/* Values compared with an enumerated attribute of the catalog are allowed ones, with a "did you mean". */

const attributes = shippedAttributeCatalog();

describe('catalog values', () => {
  it('a typo in an equal value: the allowed value it stands for, as a sentence and a suggestion', () => {
    const doc = copy();
    doc.rules[0].conditions.all.push({ fact: 'industry', operator: 'equal', value: 'softwear' });
    expect(checkRuleSetDefinition(doc, { attributes })).toEqual([
      {
        path: 'rules[0].conditions.all[1].value',
        message: 'Industry "softwear" is not one of the allowed values; did you mean "software"?',
        suggestion: 'software',
      },
    ]);
  });

  it('each wrong item of an in / notIn list, by its index; case and separators suggest the catalog spelling', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].conditions.all[0] = { fact: 'industry', operator: 'notIn', value: ['software', 'IT Services', 'aerospace'] };
    const problems = validateRuleSetDefinition(doc, { attributes });
    expect(problems).toEqual([
      {
        path: `rules[${i}].conditions.all[0].value[1]`,
        message: 'Industry "IT Services" is not one of the allowed values; did you mean "it_services"?',
        suggestion: 'it_services',
      },
      {
        path: `rules[${i}].conditions.all[0].value[2]`,
        message: expect.stringMatching(/^Industry "aerospace" is not one of the allowed values \(allowed: "software", .* more\)$/),
      },
    ]);
  });

  it('in shared conditions too, and for notEqual', () => {
    const doc = copy();
    doc.sharedConditions.decisionMaker.any[0] = { fact: 'seniority', operator: 'notEqual', value: 'C-Level' };
    expect(validateRuleSetDefinition(doc, { attributes })).toEqual([
      {
        path: 'sharedConditions.decisionMaker.any[0].value',
        message: 'Seniority "C-Level" is not one of the allowed values; did you mean "c_level"?',
        suggestion: 'c_level',
      },
    ]);
  });

  it('free-text attributes and text operators are not checked against a list', () => {
    const doc = copy();
    doc.rules[0].conditions.all.push({ fact: 'industry', operator: 'startsWith', value: 'soft' });
    doc.rules[0].conditions.all.push({ fact: 'jobTitle', operator: 'equal', value: 'Chief Growth Officer' });
    expect(validateRuleSetDefinition(doc, { attributes })).toEqual([]);
  });

  it('the service catalog (allowedValues) is read like rules/attributes.json (values)', () => {
    const doc = copy();
    doc.rules[0].conditions.all.push({ fact: 'industry', operator: 'equal', value: 'Software' });
    const service = new Map([...attributes].map(([name, a]) => [name, { type: a.type, label: a.name, allowedValues: a.values ?? null }]));
    expect(validateRuleSetDefinition(doc, { attributes: service })).toEqual([
      {
        path: 'rules[0].conditions.all[1].value',
        message: expect.stringMatching(/"Software" .*did you mean "software"\?$/),
        suggestion: 'software',
      },
    ]);
  });
});
