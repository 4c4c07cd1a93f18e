import { describe, expect, it } from 'vitest';
import type { RuleDefinition } from '../../engine/ruleset-definition';
import { diffDefinitions, formatCondition } from '../ruleset-diff';
import { conditionsOf, copy, DEFAULT_B2B, only, ruleOf, rulesPart } from './diff-fixtures';

/* diffDefinitions on rules/default-b2b.json against modified copies: rules, their conditions and shared conditions. */

describe('diffDefinitions: rules and conditions', () => {
  it('a points change', () => {
    const after = copy();
    ruleOf(after, 'eng-requested-demo').event.params.points = 50;
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        rules: rulesPart({
          changed: [
            {
              name: 'eng-requested-demo',
              displayLabel: 'Requested a demo (last 90 days)',
              points: { old: 40, new: 50 },
              conditions: [],
              other: [],
            },
          ],
        }),
        summary: ['Rule "Requested a demo (last 90 days)" points 40 → 50'],
      }),
    );
  });

  it('an added rule', () => {
    const added: RuleDefinition = {
      name: 'eng-pricing-views-3',
      conditions: { all: [{ fact: 'pricingViews14d', operator: 'greaterThanInclusive', value: 3 }] },
      event: { type: 'score', params: { dimension: 'engagement', points: 15, label: 'Visited pricing 3+ times' } },
    };
    const after = copy();
    after.rules.splice(3, 0, added);
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        rules: rulesPart({ added: [added] }),
        summary: ['Added rule "Visited pricing 3+ times" (+15 engagement)'],
      }),
    );
  });

  it('a removed rule', () => {
    const after = copy();
    after.rules = after.rules.filter((rule) => rule.name !== 'fit-competitor');
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        rules: rulesPart({ removed: [ruleOf(DEFAULT_B2B, 'fit-competitor')] }),
        summary: ['Removed rule "Works for a competitor" (-50 fit)'],
      }),
    );
  });

  it('a changed operator at a nested path', () => {
    const after = copy();
    conditionsOf(after, 'fit-title-head-of-or-founder').all[0].any[1].operator = 'startsWith';
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.rules.changed).toEqual([
      {
        name: 'fit-title-head-of-or-founder',
        displayLabel: 'Job title says "Head of" or "Founder"',
        conditions: [{ path: 'conditions.all[0].any[1].operator', kind: 'changed', old: 'containsText', new: 'startsWith' }],
        other: [],
      },
    ]);
    expect(diff.summary).toEqual([
      'Rule "Job title says "Head of" or "Founder"": jobTitle contains text "founder" → jobTitle starts with "founder"',
    ]);
  });

  it('a changed operator inside a not', () => {
    const after = copy();
    conditionsOf(after, 'fit-title-head-of-or-founder').all[1].not.operator = 'notIn';
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.rules.changed[0].conditions).toEqual([
      { path: 'conditions.all[1].not.operator', kind: 'changed', old: 'in', new: 'notIn' },
    ]);
    expect(diff.summary).toEqual([
      'Rule "Job title says "Head of" or "Founder"": seniority is one of ["c_level", "vp", "director"] → seniority is not one of ["c_level", "vp", "director"]',
    ]);
  });

  it('a changed value in an `in` list lists the items added and removed', () => {
    const after = copy();
    const condition = conditionsOf(after, 'fit-target-country').all[0];
    condition.value = [...condition.value.filter((country: string) => country !== 'NZ'), 'ES', 'IT'];
    const oldList = conditionsOf(DEFAULT_B2B, 'fit-target-country').all[0].value;
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff).toEqual(
      only({
        rules: rulesPart({
          changed: [
            {
              name: 'fit-target-country',
              displayLabel: 'Based in a country we sell to',
              conditions: [
                {
                  path: 'conditions.all[0].value',
                  kind: 'changed',
                  old: oldList,
                  new: condition.value,
                  itemsAdded: ['ES', 'IT'],
                  itemsRemoved: ['NZ'],
                },
              ],
              other: [],
            },
          ],
        }),
        summary: ['Rule "Based in a country we sell to": country list: added "ES", "IT"; removed "NZ"'],
      }),
    );
  });

  it('a changed value in a between and a changed fact', () => {
    const after = copy();
    conditionsOf(after, 'fit-company-size-mid-market').all[0].value = [50, 249];
    conditionsOf(after, 'eng-email-opens').all[0].fact = 'emailClicks30d';
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.rules.changed.map((change) => change.conditions)).toEqual([
      [{ path: 'conditions.all[0].value', kind: 'changed', old: [50, 199], new: [50, 249], itemsAdded: [249], itemsRemoved: [199] }],
      [{ path: 'conditions.all[0].fact', kind: 'changed', old: 'emailOpens30d', new: 'emailClicks30d' }],
    ]);
    expect(diff.summary).toEqual([
      'Rule "Mid-market company (50-199 employees)": companySize between 50 and 199 → companySize between 50 and 249',
      'Rule "Opens our e-mails (5+ in 30 days)": emailOpens30d ≥ 5 → emailClicks30d ≥ 5',
    ]);
  });

  it('a condition inserted in the middle of a group is one addition; a removed one is one removal', () => {
    const inserted = { fact: 'isFreeEmail', operator: 'equal', value: false };
    const after = copy();
    conditionsOf(after, 'eng-returning-lead').all.splice(1, 0, inserted);
    conditionsOf(after, 'fit-student').any.splice(1, 1);
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.rules.changed.map(({ name, conditions }) => ({ name, conditions }))).toEqual([
      {
        name: 'fit-student',
        conditions: [{ path: 'conditions.any[1]', kind: 'removed', old: conditionsOf(DEFAULT_B2B, 'fit-student').any[1], new: undefined }],
      },
      { name: 'eng-returning-lead', conditions: [{ path: 'conditions.all[1]', kind: 'added', old: undefined, new: inserted }] },
    ]);
    expect(diff.summary).toEqual([
      'Rule "Student or intern": removed condition jobTitle contains text "student"',
      'Rule "Older lead (6+ months) is back on the website": added condition isFreeEmail = false',
    ]);
  });

  it('a group whose kind changed is one structure change at its path', () => {
    const after = copy();
    const conditions = conditionsOf(after, 'eng-returning-lead');
    ruleOf(after, 'eng-returning-lead').conditions = { any: conditions.all };
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.rules.changed[0].conditions).toEqual([
      { path: 'conditions', kind: 'changed', old: conditionsOf(DEFAULT_B2B, 'eng-returning-lead'), new: { any: conditions.all } },
    ]);
    expect(diff.summary).toEqual([
      'Rule "Older lead (6+ months) is back on the website": condition all of (daysSinceCreated > 180; pageViews30d ≥ 3) → any of (daysSinceCreated > 180; pageViews30d ≥ 3)',
    ]);
  });

  it('label, dimension and priority changes of a rule', () => {
    const after = copy();
    const rule = ruleOf(after, 'eng-talked-to-us');
    rule.event.params.label = 'Talked to us (30 days)';
    rule.event.params.dimension = 'fit';
    rule.priority = 5;
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.rules.changed).toEqual([
      {
        name: 'eng-talked-to-us',
        displayLabel: 'Talked to us (30 days)',
        label: { old: 'Talked to us by chat or phone (last 30 days)', new: 'Talked to us (30 days)' },
        dimension: { old: 'engagement', new: 'fit' },
        priority: { old: undefined, new: 5 },
        conditions: [],
        other: [],
      },
    ]);
    expect(diff.summary).toEqual([
      'Rule "Talked to us by chat or phone (last 30 days)" renamed to "Talked to us (30 days)"',
      'Rule "Talked to us (30 days)" dimension engagement → fit',
      'Rule "Talked to us (30 days)" priority default → 5',
    ]);
  });

  it('reordered rules', () => {
    const after = copy();
    after.rules.reverse();
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        rules: rulesPart({ reordered: true }),
        summary: ['Rule order changed (only the order in which reasons are listed)'],
      }),
    );
  });

  it('shared condition changes name the rules that use them', () => {
    const after = copy();
    const shared = after.sharedConditions?.decisionMaker as { any: unknown[] };
    shared.any.splice(1, 0, { fact: 'jobTitle', operator: 'containsText', value: 'owner' });
    after.sharedConditions = {
      ...after.sharedConditions,
      executive: { all: [{ fact: 'seniority', operator: 'equal', value: 'c_level' }] },
    };
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.sharedConditions).toEqual({
      added: [{ name: 'executive', condition: { all: [{ fact: 'seniority', operator: 'equal', value: 'c_level' }] } }],
      removed: [],
      changed: [
        {
          name: 'decisionMaker',
          usedBy: ['fit-decision-maker-with-budget'],
          changes: [
            {
              path: 'sharedConditions.decisionMaker.any[1]',
              kind: 'added',
              old: undefined,
              new: { fact: 'jobTitle', operator: 'containsText', value: 'owner' },
            },
          ],
        },
      ],
    });
    expect(diff.summary).toEqual([
      'Shared condition "decisionMaker" (used by 1 rule): added condition jobTitle contains text "owner"',
      'Added shared condition "executive": all of (seniority = "c_level")',
    ]);
  });
});

describe('formatCondition', () => {
  it('reads like the docs', () => {
    expect(formatCondition({ fact: 'companySize', operator: 'between', value: [200, 5000] })).toBe('companySize between 200 and 5000');
    expect(formatCondition({ fact: 'industry', operator: 'isEmpty', value: false })).toBe('industry is not empty');
    expect(
      formatCondition({ all: [{ condition: 'decisionMaker' }, { not: { fact: 'country', operator: 'in', value: ['US', 'CA'] } }] }),
    ).toBe('all of (shared condition "decisionMaker"; not (country is one of ["US", "CA"]))');
  });
});
