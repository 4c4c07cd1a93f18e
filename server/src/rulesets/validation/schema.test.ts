import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../ruleset-validation';
import { jsonPointerToPath } from './schema';
import { copy, type Doc, DEFAULT_B2B, expectOnlyProblem, indexOfRule } from './validation-fixtures';

/* The rule set validator: the document's shape (JSON Schema), and how its mistakes are listed. */

describe('validateRuleSetDefinition: JSON Schema', () => {
  it('rules/default-b2b.json is valid', () => {
    expect(validateRuleSetDefinition(copy())).toEqual([]);
  });

  it('does not modify the document it validates', () => {
    const doc = copy();
    validateRuleSetDefinition(doc);
    expect(doc).toEqual(DEFAULT_B2B);
  });

  it('missing required qualification', () => {
    const doc = copy();
    delete doc.qualification;
    expectOnlyProblem(validateRuleSetDefinition(doc), 'qualification', /is required/);
  });

  it('missing required field inside an object (qualification.label)', () => {
    const doc = copy();
    delete doc.qualification.label;
    expectOnlyProblem(validateRuleSetDefinition(doc), 'qualification.label', /is required/);
  });

  it('unknown top-level property', () => {
    const doc = copy();
    doc.scoringMode = 'strict';
    expectOnlyProblem(validateRuleSetDefinition(doc), 'scoringMode', /not a known property/);
  });

  it('wrong dimension: the path points at rules[i].event.params.dimension and lists the allowed values', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].event.params.dimension = 'intent';
    expectOnlyProblem(validateRuleSetDefinition(doc), `rules[${i}].event.params.dimension`, /must be one of "fit", "engagement"/);
  });

  it('points out of range', () => {
    const doc = copy();
    doc.rules[0].event.params.points = 5000;
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].event.params.points', /1000/);
  });

  it('a schema error on levels["1"] uses the same path as the semantic checks on levels (levels.1)', () => {
    const doc = copy();
    doc.levels['1'] = 'high';
    expectOnlyProblem(validateRuleSetDefinition(doc), 'levels.1', /integer/);
  });

  it('not a document at all', () => {
    expect(validateRuleSetDefinition(null)).toEqual([{ path: '(root)', message: expect.stringMatching(/object/) }]);
    expect(validateRuleSetDefinition([])).toEqual([{ path: '(root)', message: expect.stringMatching(/object/) }]);
  });

  // A leaf comparison is one branch of a oneOf (all / any / not / condition / leaf). A schema error in
  // the leaf must be reported on the leaf, not as "all is required", "fact is not a known property" ...
  // from the branches the leaf was never meant to be.
  it('a value of the wrong type caught by the schema (greaterThan "200") is one problem on ...value', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'greaterThan', value: '200' };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions.all[0].value', /number/);
  });

  it('an unknown operator is one problem on ...operator', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'like', value: 5 };
    expectOnlyProblem(validateRuleSetDefinition(doc), 'rules[0].conditions.all[0].operator', /must be one of .*"equal"/);
  });

  it('a schema error in a leaf reports no made-up problems on the valid surrounding groups', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'companySize', operator: 'isEmpty', value: 'yes' };
    const problems = validateRuleSetDefinition(doc);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.path)).not.toContain('rules[0].conditions.all');
    expect(problems.map((p) => p.path)).not.toContain('rules[0].conditions.any');
    expect(problems.map((p) => p.path)).not.toContain('rules[0].conditions.all[0].fact');
    expect(problems.every((p) => p.path.startsWith('rules[0].conditions.all[0].value'))).toBe(true);
  });

  // Each mistake costs ajv (allErrors) work, a broken condition about 17 errors: 8,000 of them took 8 minutes.
  it.each([
    [
      '8,000 broken conditions',
      (doc: Doc) => {
        doc.rules = Array.from({ length: 400 }, (_, r) => ({
          ...doc.rules[0],
          name: `r${r}`,
          conditions: { all: Array.from({ length: 20 }, () => ({ fact: 1, operator: 'x' })) },
        }));
      },
    ],
    [
      '100,000 wrong items in one list',
      (doc: Doc) => {
        doc.rules[0].conditions = { all: [{ fact: 'country', operator: 'in', value: Array.from({ length: 100_000 }, () => ({})) }] };
      },
    ],
    [
      '200 facts with 500 unknown activity types each',
      (doc: Doc) => {
        const activity = doc.facts.find((fact: Doc) => fact.source === 'activity');
        doc.facts = Array.from({ length: 200 }, (_, k) => ({
          ...activity,
          name: `f${k}`,
          activityTypes: Array.from({ length: 500 }, () => 'x'),
        }));
      },
    ],
  ])(
    'a document full of schema mistakes (%s): the first of them, named, at most 200 and a note',
    (_name, spoil) => {
      const doc = copy();
      spoil(doc);
      const problems = validateRuleSetDefinition(doc);
      expect(problems.length).toBeGreaterThan(1);
      expect(problems.length).toBeLessThanOrEqual(201);
      expect(problems[0].path).toMatch(/^(rules|facts)\[0\]/);
      expect(problems.at(-1)).toEqual({ path: '(root)', message: expect.stringMatching(/fix (these|it) and validate again$/) });
    },
    10_000,
  );

  it('reports every problem at once, schema problems before semantics are checked', () => {
    const doc = copy();
    doc.grades = { A: 40, B: 60, C: 20 };
    doc.rules[5].name = doc.rules[2].name;
    const problems = validateRuleSetDefinition(doc);
    expect(problems.map((p) => p.path).sort()).toEqual(['grades.B', 'rules[5].name']);
  });
});

describe('jsonPointerToPath', () => {
  it.each([
    ['', '(root)'],
    ['/qualification', 'qualification'],
    ['/rules/3/conditions/all/1/value', 'rules[3].conditions.all[1].value'],
    ['/sharedConditions/a~1b/any/0', 'sharedConditions.a/b.any[0]'],
  ])('%j -> %s', (pointer, expected) => {
    expect(jsonPointerToPath(pointer)).toBe(expected);
  });
});
