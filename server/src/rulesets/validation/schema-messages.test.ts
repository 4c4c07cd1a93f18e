import { describe, expect, it } from 'vitest';
import { checkRuleSetDefinition } from '../ruleset-validation';
import { fieldLabel } from './schema-messages';
import { copy } from './validation-fixtures';

/* JSON Schema mistakes as sentences for people, and blank conditions. */

describe('schema mistakes as sentences', () => {
  it.each([
    ['rules[3].event.params.points', 'Points'],
    ['rules[3].name', 'Rule name'],
    ['grades.B', 'Grade B threshold'],
    ['levels.1', 'Level 1 threshold'],
    ['caps.fit.max', 'Highest fit points'],
    ['facts[2].windowDays', 'Time window (days)'],
    ['rules[0].conditions.all[1].value[2]', 'Item 3 of value'],
    ['(root)', 'The rule set'],
  ])('%s is called %s', (path, label) => {
    expect(fieldLabel(path)).toBe(label);
  });

  it.each([
    ['an empty rule name', (doc: ReturnType<typeof copy>) => (doc.rules[0].name = ''), 'rules[0].name', 'Rule name cannot be empty'],
    [
      'missing points',
      (doc: ReturnType<typeof copy>) => delete doc.rules[3].event.params.points,
      'rules[3].event.params.points',
      'Points is required',
    ],
    [
      'a fraction of a point',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].event.params.points = 1.5),
      'rules[0].event.params.points',
      'Points must be a whole number (an integer)',
    ],
    [
      'a label too long',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].event.params.label = 'x'.repeat(201)),
      'rules[0].event.params.label',
      'Label is too long: at most 200 characters',
    ],
    [
      'a bad key',
      (doc: ReturnType<typeof copy>) => (doc.key = 'Default B2B'),
      'key',
      'Key must be 2 to 63 lower-case letters, digits or hyphens, starting with a letter or digit',
    ],
    [
      'an empty group',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].conditions = { all: [] }),
      'rules[0].conditions.all',
      'This group has no conditions: add a condition or remove the group',
    ],
    [
      'a blank fact',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].conditions.all[0].fact = ''),
      'rules[0].conditions.all[0].fact',
      'Choose a fact for this condition',
    ],
    [
      'a blank operator',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].conditions.all[0].operator = ''),
      'rules[0].conditions.all[0].operator',
      'Choose an operator for this condition',
    ],
    [
      'a blank text value',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].conditions.all[0] = { fact: 'jobTitle', operator: 'containsText', value: '' }),
      'rules[0].conditions.all[0].value',
      'This condition has no value yet: enter the value to compare with',
    ],
    [
      'an empty in list',
      (doc: ReturnType<typeof copy>) => (doc.rules[0].conditions.all[0] = { fact: 'country', operator: 'in', value: [] }),
      'rules[0].conditions.all[0].value',
      'The list of values needs at least 1 value',
    ],
  ])('%s', (_name, spoil, path, message) => {
    const doc = copy();
    spoil(doc);
    expect(checkRuleSetDefinition(doc)).toEqual([{ path, message }]);
  });

  it('a blank value that the schema lets through (equal "", a blank list item) is reported by the value check, in the same words', () => {
    const doc = copy();
    doc.rules[0].conditions.all[0] = { fact: 'jobTitle', operator: 'equal', value: ' ' };
    doc.rules[1].conditions.all[0] = { fact: 'country', operator: 'in', value: ['US', ''] };
    expect(checkRuleSetDefinition(doc)).toEqual([
      { path: 'rules[0].conditions.all[0].value', message: 'This condition has no value yet: enter the value to compare with' },
      { path: 'rules[1].conditions.all[0].value[1]', message: 'This condition has no value yet: enter the value to compare with' },
    ]);
  });

  it('no sentence in developer words', () => {
    const doc = copy();
    doc.rules[0].name = '';
    doc.rules[1].event.params.points = 'ten';
    doc.rules[2].conditions = { all: [] };
    doc.facts[0].name = '1st';
    for (const problem of checkRuleSetDefinition(doc))
      expect(problem.message).not.toMatch(/must NOT|must have|must match|should|#\/|\$defs/);
  });
});
