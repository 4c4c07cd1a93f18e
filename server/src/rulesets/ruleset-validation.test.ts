import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../common/errors';
import { RULES_DIR } from '../common/paths';
import { RULE_SET_LIMITS, jsonPointerToPath, validateRuleSetDefinition } from './ruleset-validation';

/* The rule set validator, one problem kind at a time, on mutated copies of rules/default-b2b.json. */

// Loosely typed on purpose: the tests break the document in ways RuleSetDefinition forbids.
// biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
type Doc = any;

const DEFAULT_B2B: Doc = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8'));

function copy(): Doc {
  return structuredClone(DEFAULT_B2B);
}

function indexOfRule(doc: Doc, name: string): number {
  const index = (doc.rules as { name: string }[]).findIndex((rule) => rule.name === name);
  if (index < 0) throw new Error(`default-b2b.json has no rule "${name}"`);
  return index;
}

/** Asserts the validator reports exactly this one problem (path exact, message matching). */
function expectOnlyProblem(problems: Problem[], path: string, message: RegExp): void {
  expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
}

describe('validateRuleSetDefinition', () => {
  it('rules/default-b2b.json is valid', () => {
    expect(validateRuleSetDefinition(copy())).toEqual([]);
  });

  it('does not modify the document it validates', () => {
    const doc = copy();
    validateRuleSetDefinition(doc);
    expect(doc).toEqual(DEFAULT_B2B);
  });

  describe('JSON Schema', () => {
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
  });

  describe('semantics', () => {
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

    it('grades out of order (B not below A)', () => {
      const doc = copy();
      doc.grades = { A: 40, B: 60, C: 20 };
      expectOnlyProblem(validateRuleSetDefinition(doc), 'grades.B', /must be below grades.A \(40\)/);
    });

    it('grades out of order (C equal to B)', () => {
      const doc = copy();
      doc.grades = { A: 60, B: 40, C: 40 };
      expectOnlyProblem(validateRuleSetDefinition(doc), 'grades.C', /must be below grades.B \(40\)/);
    });

    it('levels out of order (3 above 2)', () => {
      const doc = copy();
      doc.levels = { '1': 60, '2': 15, '3': 35 };
      expectOnlyProblem(validateRuleSetDefinition(doc), 'levels.3', /must be below levels.2 \(15\)/);
    });

    it('levels out of order (2 equal to 1)', () => {
      const doc = copy();
      doc.levels = { '1': 60, '2': 60, '3': 15 };
      expectOnlyProblem(validateRuleSetDefinition(doc), 'levels.2', /must be below levels.1 \(60\)/);
    });

    it('bands out of order', () => {
      const doc = copy();
      doc.bands = [{ name: 'hot', min: 60 }, { name: 'warm', min: 110 }, { name: 'cold' }];
      expectOnlyProblem(validateRuleSetDefinition(doc), 'bands[1].min', /must be below bands\[0\].min \(60\).*highest to lowest/);
    });

    it('the last band has a min', () => {
      const doc = copy();
      doc.bands[2].min = 0;
      expectOnlyProblem(validateRuleSetDefinition(doc), 'bands[2].min', /last band .* has no min/);
    });

    it('a band before the last without a min', () => {
      const doc = copy();
      delete doc.bands[1].min;
      expectOnlyProblem(validateRuleSetDefinition(doc), 'bands[1].min', /required on every band but the last/);
    });

    it('duplicate band names', () => {
      const doc = copy();
      doc.bands[1].name = 'hot';
      expectOnlyProblem(validateRuleSetDefinition(doc), 'bands[1].name', /duplicate band name "hot"/);
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

    it('caps below thresholds: caps.fit.max below grades.A', () => {
      const doc = copy();
      doc.caps.fit.max = 50;
      expectOnlyProblem(validateRuleSetDefinition(doc), 'caps.fit.max', /below grades.A \(60\)/);
    });

    it('caps below thresholds: caps.engagement.max below levels.1', () => {
      const doc = copy();
      doc.caps.engagement.max = 59;
      expectOnlyProblem(validateRuleSetDefinition(doc), 'caps.engagement.max', /below levels.1 \(60\)/);
    });

    it('caps with min not below max', () => {
      const doc = copy();
      doc.caps.engagement = { min: 100, max: 100 };
      expect(validateRuleSetDefinition(doc)).toContainEqual({
        path: 'caps.engagement.max',
        message: expect.stringMatching(/above caps.engagement.min \(100\)/),
      });
    });

    it('qualification threshold unreachable (above caps.fit.max + caps.engagement.max)', () => {
      const doc = copy();
      doc.qualification.threshold = 201;
      expectOnlyProblem(validateRuleSetDefinition(doc), 'qualification.threshold', /above the highest possible total 200/);
      const reachable = copy();
      reachable.qualification.threshold = 200;
      expect(validateRuleSetDefinition(reachable)).toEqual([]);
    });

    it('a band unreachable (min above the highest possible total)', () => {
      const doc = copy();
      doc.bands[0].min = 201;
      expectOnlyProblem(validateRuleSetDefinition(doc), 'bands[0].min', /above the highest possible total 200/);
    });

    it('unknown shared condition reference inside a group', () => {
      const doc = copy();
      const i = indexOfRule(doc, 'fit-decision-maker-with-budget');
      doc.rules[i].conditions.all[0] = { condition: 'decisionMakr' };
      expectOnlyProblem(
        validateRuleSetDefinition(doc),
        `rules[${i}].conditions.all[0].condition`,
        /unknown shared condition "decisionMakr"/,
      );
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

    it('oversized document: only the size is reported', () => {
      const doc = copy();
      // Long values in an "in" list keep the document schema-valid apart from its size.
      const i = indexOfRule(doc, 'fit-target-country');
      doc.rules[i].conditions.all[0].value = Array.from({ length: 400 }, (_, n) => `${n}`.padEnd(1500, 'x'));
      const problems = validateRuleSetDefinition(doc);
      expect(problems).toEqual([
        { path: '(root)', message: expect.stringMatching(new RegExp(`is \\d+ bytes; a rule set is at most ${RULE_SET_LIMITS.maxBytes}`)) },
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
            /^stands for 2,552 conditions once the shared conditions it uses are written out in its place \(at most 2,000 per rule\)/,
          ),
        },
        {
          path: 'rules[0].conditions',
          message: expect.stringMatching(
            /^has over a million conditions once the shared conditions it uses are written out in its place \(through sharedConditions\.c0\); a rule has at most 2,000$/,
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
            /^the rules have [\d,]+ conditions in all once shared conditions are written out where they are used; a rule set has at most 10,000$/,
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
        { path: 'sharedConditions.c0', message: expect.stringMatching(/^refers to itself: c0 -> c1 -> .* -> c90 -> c0$/) },
      ]);
    }, 10_000);

    it('a reference to a missing shared condition is reported once where it is written, however often it is reached', () => {
      const doc = chain(30);
      doc.sharedConditions.c30 = { all: [{ condition: 'nowhere' }] };
      const problems = validateRuleSetDefinition(doc);
      expect(problems.filter((problem) => /unknown shared condition/.test(problem.message))).toEqual([
        { path: 'sharedConditions.c30.all[0].condition', message: 'unknown shared condition "nowhere"' },
      ]);
    }, 10_000);
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

  it('a document nested thousands of levels deep is refused with the path where it gets too deep, not a crash', () => {
    const doc = copy();
    let condition: Doc = { fact: 'companySize', operator: 'greaterThan', value: 10 };
    for (let i = 0; i < 20_000; i++) condition = { not: condition };
    doc.rules[0].conditions = condition;
    const problems = validateRuleSetDefinition(doc);
    expect(problems).toEqual([
      { path: expect.stringMatching(/^rules\[0\]\.conditions(\.not){61}$/), message: expect.stringMatching(/is nested too deeply/) },
    ]);
  });

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
