import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES_DIR } from '../common/paths';
import type { RuleDefinition, RuleSetDefinition } from '../engine/ruleset-definition';
import { diffDefinitions, formatCondition, type RuleSetDiff } from './ruleset-diff';

/* diffDefinitions on rules/default-b2b.json against modified copies. */

const DEFAULT_B2B: RuleSetDefinition = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8'));

function copy(): RuleSetDefinition {
  return structuredClone(DEFAULT_B2B);
}

function ruleOf(doc: RuleSetDefinition, name: string): RuleDefinition {
  const rule = doc.rules.find((candidate) => candidate.name === name);
  if (!rule) throw new Error(`default-b2b.json has no rule "${name}"`);
  return rule;
}

// Loosely typed access into conditions, which the tests edit in place.
// biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
function conditionsOf(doc: RuleSetDefinition, name: string): any {
  return ruleOf(doc, name).conditions;
}

const EMPTY: Omit<RuleSetDiff, 'summary' | 'identical'> = {
  document: [],
  facts: { added: [], removed: [], changed: [] },
  sharedConditions: { added: [], removed: [], changed: [] },
  rules: { added: [], removed: [], changed: [], reordered: false },
  caps: [],
  decay: [],
  grades: [],
  levels: [],
  bands: [],
  qualification: [],
  cells: [],
};

/** The diff expected when only the given parts differ. */
function only(parts: Partial<RuleSetDiff>): RuleSetDiff {
  return { ...EMPTY, identical: false, summary: [], ...parts };
}

function rulesPart(parts: Partial<RuleSetDiff['rules']>): RuleSetDiff['rules'] {
  return { ...EMPTY.rules, ...parts };
}

describe('diffDefinitions', () => {
  it('identical documents give an empty diff with identical: true', () => {
    const diff = diffDefinitions(DEFAULT_B2B, copy());
    expect(diff).toEqual({ ...EMPTY, identical: true, summary: [] });
  });

  it('ignores $schema and the order of keys in objects', () => {
    const after = copy();
    delete after.$schema;
    after.grades = { C: 20, B: 40, A: 60 };
    const rule = ruleOf(after, 'eng-requested-demo');
    rule.event = { params: { label: rule.event.params.label, points: 40, dimension: 'engagement' }, type: 'score' };
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual({ ...EMPTY, identical: true, summary: [] });
  });

  it('does not modify its inputs', () => {
    const before = copy();
    const after = copy();
    ruleOf(after, 'eng-requested-demo').event.params.points = 50;
    after.rules.pop();
    diffDefinitions(before, after);
    expect(before).toEqual(DEFAULT_B2B);
    expect(ruleOf(after, 'eng-requested-demo').event.params.points).toBe(50);
  });

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

  it('a grade threshold change', () => {
    const after = copy();
    after.grades.A = 65;
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({ grades: [{ path: 'grades.A', old: 60, new: 65 }], summary: ['Grade A threshold 60 → 65'] }),
    );
  });

  it('level, cap, band and qualification changes', () => {
    const after = copy();
    after.levels['2'] = 30;
    after.caps.fit.max = 120;
    after.caps.engagement.min = -50;
    after.bands[1].min = 65;
    after.bands.splice(2, 0, { name: 'lukewarm', min: 30 });
    after.qualification.threshold = 100;
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff).toEqual(
      only({
        levels: [{ path: 'levels.2', old: 35, new: 30 }],
        caps: [
          { path: 'caps.fit.max', old: 100, new: 120 },
          { path: 'caps.engagement.min', old: -40, new: -50 },
        ],
        bands: [
          { path: 'bands[1].min', old: 60, new: 65 },
          { path: 'bands[2].name', old: 'cold', new: 'lukewarm' },
          { path: 'bands[2].min', old: undefined, new: 30 },
          { path: 'bands[3]', old: undefined, new: { name: 'cold' } },
        ],
        qualification: [{ path: 'qualification.threshold', old: 90, new: 100 }],
        summary: [
          'Maximum fit points 100 → 120',
          'Minimum engagement points -40 → -50',
          'Level 2 threshold 35 → 30',
          'Band "warm" minimum 60 → 65',
          'Added band "lukewarm" (from 30 points)',
          'Qualification (MQL) threshold 90 → 100',
        ],
      }),
    );
  });

  it('a cell action change', () => {
    const after = copy();
    after.cells.C1 = { ...after.cells.C1, action: 'nurture' };
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        cells: [{ cell: 'C1', old: DEFAULT_B2B.cells.C1, new: after.cells.C1 }],
        summary: ['Cell C1 action verify_decision_maker → nurture'],
      }),
    );
  });

  it('a cell label change', () => {
    const after = copy();
    after.cells.D4 = { action: 'disqualify', label: 'Disqualify' };
    expect(diffDefinitions(DEFAULT_B2B, after).summary).toEqual(['Cell D4 label "Disqualify: poor fit and no engagement" → "Disqualify"']);
  });

  it('a decay change within the model', () => {
    const after = copy();
    after.decay = { model: 'halfLife', halfLifeDays: 45, graceDays: 7 };
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({ decay: [{ path: 'decay.halfLifeDays', old: 30, new: 45 }], summary: ['Decay half-life 30 → 45 days'] }),
    );
  });

  it('a decay model change', () => {
    const after = copy();
    after.decay = { model: 'linear', pointsPerDay: 2, graceDays: 7 };
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        decay: [
          { path: 'decay.model', old: 'halfLife', new: 'linear' },
          { path: 'decay.pointsPerDay', old: undefined, new: 2 },
          { path: 'decay.halfLifeDays', old: 30, new: undefined },
        ],
        summary: ['Decay halves every 30 days after 7 grace days → loses 2 points per day after 7 grace days'],
      }),
    );
  });

  it('facts added, removed and changed', () => {
    const after = copy();
    const pricing = after.facts.find((fact) => fact.name === 'pricingViews14d');
    if (pricing?.source !== 'activity') throw new Error('no pricingViews14d');
    pricing.windowDays = 30;
    after.facts = after.facts.filter((fact) => fact.name !== 'timeline');
    after.facts.push({ name: 'region', label: 'Region', type: 'string', source: 'attribute' });
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.facts).toEqual({
      added: [{ name: 'region', label: 'Region', type: 'string', source: 'attribute' }],
      removed: [{ name: 'timeline', label: 'Purchase timeline', type: 'string', source: 'attribute' }],
      changed: [{ name: 'pricingViews14d', changes: [{ path: 'windowDays', old: 14, new: 30 }] }],
    });
    expect(diff.summary).toEqual([
      'Fact "pricingViews14d" window (days) 14 → 30',
      'Added fact "region" (Region)',
      'Removed fact "timeline" (Purchase timeline)',
    ]);
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

  it('document fields', () => {
    const after = copy();
    after.name = 'B2B (EMEA)';
    after.description = 'Shorter.';
    expect(diffDefinitions(DEFAULT_B2B, after)).toEqual(
      only({
        document: [
          { path: 'name', old: 'Default B2B (SaaS)', new: 'B2B (EMEA)' },
          { path: 'description', old: DEFAULT_B2B.description, new: 'Shorter.' },
        ],
        summary: ['Name "Default B2B (SaaS)" → "B2B (EMEA)"', 'Description changed'],
      }),
    );
  });

  it('several changes: summary lines follow the document order', () => {
    const after = copy();
    ruleOf(after, 'eng-requested-demo').event.params.points = 50;
    after.rules = after.rules.filter((rule) => rule.name !== 'fit-free-email');
    after.rules.push({
      name: 'eng-pricing-views-3',
      conditions: { all: [{ fact: 'pricingViews14d', operator: 'greaterThanInclusive', value: 3 }] },
      event: { type: 'score', params: { dimension: 'engagement', points: 15, label: 'Visited pricing 3+ times' } },
    });
    after.grades.A = 65;
    after.cells.C1 = { ...after.cells.C1, action: 'nurture' };
    after.decay = { model: 'none' };
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(diff.identical).toBe(false);
    expect(diff.summary).toEqual([
      'Added rule "Visited pricing 3+ times" (+15 engagement)',
      'Removed rule "Personal e-mail address (Gmail, Yahoo, ...)" (-15 fit)',
      'Rule "Requested a demo (last 90 days)" points 40 → 50',
      'Decay halves every 30 days after 7 grace days → no decay',
      'Grade A threshold 60 → 65',
      'Cell C1 action verify_decision_maker → nurture',
    ]);
    expect(diff.decay).toEqual([
      { path: 'decay.model', old: 'halfLife', new: 'none' },
      { path: 'decay.halfLifeDays', old: 30, new: undefined },
      { path: 'decay.graceDays', old: 7, new: undefined },
    ]);
  });

  it('the diff survives JSON (absent sides drop out)', () => {
    const after = copy();
    after.grades.B = 45;
    const diff = diffDefinitions(DEFAULT_B2B, after);
    expect(JSON.parse(JSON.stringify(diff))).toEqual(diff);
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
