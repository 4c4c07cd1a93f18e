import { describe, expect, it } from 'vitest';
import { validateRuleSetDefinition } from '../ruleset-validation';
import { RULE_SET_LIMITS } from './limits';
import { copy, type Doc, indexOfRule } from './validation-fixtures';

/* The rule set validator: the limits that keep a rule set cheap (size, nesting, conditions written out). */

describe('validateRuleSetDefinition: limits', () => {
  it('oversized document: only the size is reported', () => {
    const doc = copy();
    // Long values in an "in" list keep the document schema-valid apart from its size.
    const i = indexOfRule(doc, 'fit-target-country');
    doc.rules[i].conditions.all[0].value = Array.from({ length: 400 }, (_, n) => `${n}`.padEnd(1500, 'x'));
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toEqual([
      {
        path: '(root)',
        message: expect.stringMatching(
          new RegExp(`^This rule set is \\d+ bytes; a rule set is at most ${RULE_SET_LIMITS.maxBytes} bytes$`),
        ),
      },
    ]);
  });

  it('a document just under the size limit is not rejected for its size', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-country');
    doc.rules[i].conditions.all[0].value = Array.from({ length: 300 }, (_, n) => `${n}`.padEnd(1500, 'x'));
    expect(JSON.stringify(doc).length).toBeLessThan(RULE_SET_LIMITS.maxBytes);
    expect(validateRuleSetDefinition(doc)).toEqual([]);
  });

  it('the size limit counts UTF-8 bytes, not characters', () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-country');
    // 250 values of 1,000 "€" (3 bytes each in UTF-8): about 250,000 characters but 750,000 bytes.
    doc.rules[i].conditions.all[0].value = Array.from({ length: 250 }, (_, n) => `${n}`.padEnd(1000, '€'));
    const json = JSON.stringify(doc);
    expect(json.length).toBeLessThan(RULE_SET_LIMITS.maxBytes);
    expect(Buffer.byteLength(json, 'utf8')).toBeGreaterThan(RULE_SET_LIMITS.maxBytes);
    expect(validateRuleSetDefinition(doc)).toEqual([{ path: '(root)', message: expect.stringMatching(/bytes; a rule set is at most/) }]);
  });
  describe('shared conditions that use one another (work stays linear in the document)', () => {
    const leaf = (value: number) => ({ fact: 'companySize', operator: 'greaterThan', value });
    /** Shared conditions c0..c{links}, each c<i> using c<i+1> twice; rules[0] uses c0. */
    function chain(links: number, first = 0): Doc {
      const doc = copy();
      for (let i = first; i < first + links; i++) {
        doc.sharedConditions[`c${i}`] = {
          any: [{ all: [{ condition: `c${i + 1}` }, leaf(i)] }, { all: [{ not: { condition: `c${i + 1}` } }, leaf(i + 1)] }],
        };
      }
      doc.sharedConditions[`c${first + links}`] = { all: [leaf(first + links)] };
      doc.rules[0].conditions = { condition: `c${first}` };
      return doc;
    }

    // Each of these took time doubling per link (25 links: 6.5 s); 90 links would take forever.
    it('a chain of 90 conditions each using the next twice is refused, naming where it grows past the limit', () => {
      const problems = validateRuleSetDefinition(chain(90));
      expect(problems).toEqual([
        {
          path: 'sharedConditions.c82',
          message: expect.stringMatching(
            /^Shared condition "c82" stands for 2,552 conditions once the shared conditions it uses are written out in its place \(at most 2,000 per rule\)/,
          ),
        },
        {
          path: 'rules[0].conditions',
          message: expect.stringMatching(
            /^Rule "[^"]+" has over a million conditions once the shared conditions it uses are written out in its place \(through shared condition "c0"\); a rule has at most 2,000$/,
          ),
        },
      ]);
    }, 10_000);

    it('a large but legal sharing pattern is valid: 7 links, 1,273 conditions written out', () => {
      expect(validateRuleSetDefinition(chain(7))).toEqual([]);
    });

    it('the total over all rules is bounded too, naming rules', () => {
      const doc = chain(7);
      doc.rules.forEach((rule: Doc) => {
        rule.conditions = { all: [{ condition: 'c0' }, ...(rule.conditions.all ?? [])] };
      });
      const problems = validateRuleSetDefinition(doc);
      expect(problems).toEqual([
        {
          path: 'rules',
          message: expect.stringMatching(
            /^The rules have [\d,]+ conditions in all once shared conditions are written out where they are used; a rule set has at most 10,000$/,
          ),
        },
      ]);
    });

    it('a cycle through a chain that uses every link twice is reported once, without exponential work', () => {
      const doc = chain(90);
      doc.sharedConditions.c90 = { all: [{ condition: 'c0' }] };
      const problems = validateRuleSetDefinition(doc);
      const cycles = problems.filter((problem) => /refers to itself/.test(problem.message));
      expect(cycles).toEqual([
        {
          path: 'sharedConditions.c0',
          message: expect.stringMatching(
            /^Shared condition "c0" refers to itself: c0 -> c1 -> .* -> c90 -> c0; remove one of these references$/,
          ),
        },
      ]);
    }, 10_000);

    it('a reference to a missing shared condition is reported once where it is written, however often it is reached', () => {
      const doc = chain(30);
      doc.sharedConditions.c30 = { all: [{ condition: 'nowhere' }] };
      const problems = validateRuleSetDefinition(doc);
      expect(problems.filter((problem) => /no shared condition named/.test(problem.message))).toEqual([
        {
          path: 'sharedConditions.c30.all[0].condition',
          message: 'There is no shared condition named "nowhere": create it or pick one that exists',
        },
      ]);
    }, 10_000);
  });

  it('a document nested thousands of levels deep is refused with the path where it gets too deep, not a crash', () => {
    const doc = copy();
    let condition: Doc = { fact: 'companySize', operator: 'greaterThan', value: 10 };
    for (let i = 0; i < 20_000; i++) condition = { not: condition };
    doc.rules[0].conditions = condition;
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toEqual([
      {
        path: expect.stringMatching(/^rules\[0\]\.conditions(\.not){61}$/),
        message: expect.stringMatching(/^This condition is nested too deeply/),
      },
    ]);
  });
});
