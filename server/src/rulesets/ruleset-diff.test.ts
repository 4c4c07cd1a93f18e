import { describe, expect, it } from 'vitest';
import { copy, DEFAULT_B2B, EMPTY, only, ruleOf } from './diff/diff-fixtures';
import { diffDefinitions } from './ruleset-diff';

/* diffDefinitions on rules/default-b2b.json against modified copies: the document and its sections. (Rules and conditions: diff/condition-diff.test.ts.) */

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
