import { describe, expect, it } from 'vitest';
import { checkRuleSetDefinition, validateRuleSetDefinition } from '../ruleset-validation';
import { conditionKey } from './duplicates';
import { copy, type Doc, indexOfRule } from './validation-fixtures';

/* Rules that duplicate or contradict another one: warnings, which leave the rule set valid. */

function withCopyOf(name: string, change: (rule: Doc) => void): { doc: Doc; first: number; last: number } {
  const doc = copy();
  const first = indexOfRule(doc, name);
  const twin = structuredClone(doc.rules[first]);
  twin.name = `${name}-again`;
  change(twin);
  doc.rules.push(twin);
  return { doc, first, last: doc.rules.length - 1 };
}

describe('duplicate and contradicting rules', () => {
  it('same conditions, same dimension: a warning on the later rule naming the first', () => {
    const { doc, last } = withCopyOf('fit-target-industry', (rule) => {
      rule.event.params.points = 5;
      rule.conditions.all[0].value = [...rule.conditions.all[0].value].reverse();
      rule.conditions.all[0].priority = 3;
    });
    expect(checkRuleSetDefinition(doc)).toEqual([
      {
        path: `rules[${last}].conditions`,
        message: `This rule duplicates rule "fit-target-industry": same conditions in fit, so a lead that meets them gets both rules' points`,
        severity: 'warning',
      },
    ]);
    expect(validateRuleSetDefinition(doc)).toEqual([]);
  });

  it('same conditions, opposite points: a contradiction', () => {
    const { doc, last } = withCopyOf('fit-target-industry', (rule) => {
      rule.event.params.points = -15;
    });
    expect(checkRuleSetDefinition(doc)).toEqual([
      {
        path: `rules[${last}].conditions`,
        message: 'This rule contradicts rule "fit-target-industry": same conditions, but it gives -15 points where that rule gives +15',
        severity: 'warning',
      },
    ]);
  });

  it('the same conditions in the other dimension are no duplicate', () => {
    const { doc } = withCopyOf('fit-target-industry', (rule) => {
      rule.event.params.dimension = 'engagement';
    });
    expect(checkRuleSetDefinition(doc)).toEqual([]);
  });

  it('the order of a group or of an in list does not matter; the kind of group and the values do', () => {
    const a = { fact: 'x', operator: 'equal', value: 1 };
    const b = { fact: 'y', operator: 'in', value: [1, 2] };
    expect(conditionKey({ all: [a, b] })).toBe(
      conditionKey({
        all: [
          { ...b, value: [2, 1] },
          { ...a, name: 'n', priority: 2 },
        ],
      }),
    );
    expect(conditionKey({ all: [a, b] })).not.toBe(conditionKey({ any: [a, b] }));
    expect(conditionKey({ all: [a, b] })).not.toBe(conditionKey({ all: [a, { ...b, value: [1, '2'] }] }));
    expect(conditionKey({ all: [{ ...a, operator: 'between', value: [1, 2] }] })).not.toBe(
      conditionKey({ all: [{ ...a, operator: 'between', value: [2, 1] }] }),
    );
  });
});
