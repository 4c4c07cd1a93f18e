import { describe, expect, it } from 'vitest';
import { CAP_RULE_PREFIX, DECAY_RULE, computeScore } from './grading';
import { CELLS, type DecayDefinition, type TopLevelCondition } from './ruleset-definition';
import { definition, evaluate, expectReasonsAddUp, firedPoints, rule, score, size, title, country } from './testing/semantics';

/*
 * Scoring semantics, rule by rule, part two: from fired rules to a score (points, caps, decay,
 * grades, levels, cells, bands, qualification), evaluated by json-rules-engine and turned into a
 * score by computeScore. No database. Which rules fire: rule-semantics.test.ts.
 */

describe('scoring semantics rule by rule', () => {
  describe('points', () => {
    it('fired rules carry their label, dimension and points from the event', async () => {
      const def = definition({
        rules: [rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 5 }] }, 8, 'engagement')],
      });
      expect(await evaluate(def, { pageViews30d: 5 })).toEqual([
        { rule: 'eng-views', label: 'Label of eng-views', dimension: 'engagement', points: 8 },
      ]);
      expect(await evaluate(def, { pageViews30d: 4 })).toEqual([]);
    });

    it('negative points subtract from the dimension, and every firing rule counts', async () => {
      const def = definition({
        rules: [
          rule('fit-size', { all: [size('greaterThanInclusive', 200)] }, 30),
          rule('fit-student', { all: [title('containsText', 'student')] }, -50),
          rule('fit-us', { all: [country('equal', 'US')] }, 10),
        ],
      });
      const outcome = await score(def, { companySize: 500, jobTitle: 'Working student', country: 'US' });
      expect(outcome.fit).toBe(-10);
      expect(outcome.reasons.map((r) => [r.rule, r.points])).toEqual([
        ['fit-size', 30],
        ['fit-student', -50],
        ['fit-us', 10],
      ]);
      expectReasonsAddUp(outcome);
    });

    it('reasons follow the order of the rules in the document, not their priority or dimension', async () => {
      const always: TopLevelCondition = { all: [size('isEmpty', false)] };
      const def = definition({
        rules: [
          rule('z-low-priority', always, 5, 'fit', { priority: 1 }),
          rule('y-high-priority', always, 7, 'engagement', { priority: 10 }),
          rule('x-mid-priority', always, 3, 'fit', { priority: 5 }),
          rule('w-default-priority', always, 2, 'engagement'),
        ],
      });
      const outcome = await score(def, { companySize: 1 });
      expect(outcome.reasons.map((r) => r.rule)).toEqual(['z-low-priority', 'y-high-priority', 'x-mid-priority', 'w-default-priority']);
      expect(outcome.fit).toBe(8);
      expect(outcome.engagement).toBe(9);
    });
  });

  describe('caps', () => {
    const capped = definition({
      caps: { fit: { min: -30, max: 100 }, engagement: { min: -40, max: 100 } },
      rules: [
        rule('fit-big', { all: [size('greaterThanInclusive', 1000)] }, 70),
        rule('fit-us', { all: [country('equal', 'US')] }, 50),
        rule('fit-competitor', { all: [title('containsText', 'competitor')] }, -50),
        rule('fit-student', { all: [title('containsText', 'student')] }, -20),
        rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 1 }] }, 80, 'engagement'),
        rule('eng-many-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 10 }] }, 70, 'engagement'),
        rule('eng-unsubscribed', { all: [{ fact: 'pageViews30d', operator: 'equal', value: 0 }] }, -45, 'engagement'),
      ],
    });

    it('fit above the maximum is capped, with a $cap.fit reason so reasons still add up', async () => {
      const outcome = await score(capped, { companySize: 5000, country: 'US', pageViews30d: 1 });
      expect(outcome.fit).toBe(100);
      expect(outcome.reasons).toContainEqual({
        rule: `${CAP_RULE_PREFIX}fit`,
        label: 'Fit capped at maximum 100',
        dimension: 'fit',
        points: -20,
      });
      expect(outcome.reasons.at(-1)?.rule).toBe('$cap.fit');
      expectReasonsAddUp(outcome);
    });

    it('fit below the minimum is capped, with a positive $cap.fit reason', async () => {
      const outcome = await score(capped, { jobTitle: 'student at a competitor', pageViews30d: 1 });
      expect(outcome.fit).toBe(-30);
      expect(outcome.reasons).toContainEqual({ rule: '$cap.fit', label: 'Fit capped at minimum -30', dimension: 'fit', points: 40 });
      expectReasonsAddUp(outcome);
    });

    it('engagement above the maximum is capped with a $cap.engagement reason', async () => {
      const outcome = await score(capped, { pageViews30d: 10 });
      expect(outcome.engagement).toBe(100);
      expect(outcome.reasons).toContainEqual({
        rule: '$cap.engagement',
        label: 'Engagement capped at maximum 100',
        dimension: 'engagement',
        points: -50,
      });
      expectReasonsAddUp(outcome);
    });

    it('engagement below the minimum is capped with a $cap.engagement reason', async () => {
      const outcome = await score(capped, { pageViews30d: 0 });
      expect(outcome.engagement).toBe(-40);
      expect(outcome.reasons).toContainEqual({
        rule: '$cap.engagement',
        label: 'Engagement capped at minimum -40',
        dimension: 'engagement',
        points: 5,
      });
      expectReasonsAddUp(outcome);
    });

    it('exactly at a cap adds no $cap reason', () => {
      const atMax = computeScore(capped, firedPoints(100, 100), 0);
      const atMin = computeScore(capped, firedPoints(-30, -40), 0);
      for (const outcome of [atMax, atMin]) {
        expect(outcome.reasons.filter((r) => r.rule.startsWith(CAP_RULE_PREFIX))).toEqual([]);
        expectReasonsAddUp(outcome);
      }
      expect([atMax.fit, atMax.engagement, atMin.fit, atMin.engagement]).toEqual([100, 100, -30, -40]);
    });

    it('within the caps nothing is added', async () => {
      const outcome = await score(capped, { companySize: 5000, pageViews30d: 1 });
      expect(outcome.fit).toBe(70);
      expect(outcome.engagement).toBe(80);
      expect(outcome.reasons.map((r) => r.rule)).toEqual(['fit-big', 'eng-views']);
    });
  });

  describe('decay', () => {
    const withDecay = (decay: DecayDefinition) =>
      definition({
        decay,
        rules: [
          rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 1 }] }, 40, 'engagement'),
          rule('eng-bounced', { all: [{ fact: 'pageViews30d', operator: 'equal', value: 0 }] }, -20, 'engagement'),
          rule('fit-size', { all: [size('greaterThanInclusive', 1)] }, 40),
        ],
      });
    const halfLife = withDecay({ model: 'halfLife', halfLifeDays: 30, graceDays: 7 });
    const linear = withDecay({ model: 'linear', pointsPerDay: 2, graceDays: 7 });
    const none = withDecay({ model: 'none' });

    it.each<[number, number]>([
      [0, 40],
      [7, 40],
      [8, Math.round(40 * 0.5 ** (1 / 30))],
      [37, 20],
      [67, 10],
      [97, 5],
    ])('halfLife 30 after 7 grace days: 40 points after %i quiet days are %i', async (days, expected) => {
      const outcome = await score(halfLife, { pageViews30d: 3 }, days);
      expect(outcome.engagement).toBe(expected);
      const decayReasons = outcome.reasons.filter((r) => r.rule === DECAY_RULE);
      if (expected === 40) expect(decayReasons).toEqual([]);
      else {
        expect(decayReasons).toEqual([
          {
            rule: '$decay',
            label: `Engagement decayed after ${days} days without activity`,
            dimension: 'engagement',
            points: expected - 40,
          },
        ]);
      }
      expectReasonsAddUp(outcome);
    });

    it('day 8 of halfLife 30 / grace 7 is 39 (rounded to the nearest integer)', async () => {
      expect((await score(halfLife, { pageViews30d: 3 }, 8)).engagement).toBe(39);
    });

    it('the $decay label is singular after one day', async () => {
      const def = withDecay({ model: 'halfLife', halfLifeDays: 1, graceDays: 0 });
      const outcome = await score(def, { pageViews30d: 3 }, 1);
      expect(outcome.engagement).toBe(20);
      expect(outcome.reasons.find((r) => r.rule === DECAY_RULE)?.label).toBe('Engagement decayed after 1 day without activity');
    });

    it.each<[number, number]>([
      [0, 40],
      [7, 40],
      [8, 38],
      [26, 2],
      [27, 0],
      [28, 0],
      [365, 0],
    ])('linear 2 points/day after 7 grace days: 40 points after %i quiet days are %i (never below 0)', async (days, expected) => {
      const outcome = await score(linear, { pageViews30d: 3 }, days);
      expect(outcome.engagement).toBe(expected);
      expectReasonsAddUp(outcome);
    });

    it('none: engagement does not change however long the lead is quiet', async () => {
      const outcome = await score(none, { pageViews30d: 3 }, 3650);
      expect(outcome.engagement).toBe(40);
      expect(outcome.reasons.map((r) => r.rule)).toEqual(['eng-views']);
    });

    it.each([
      ['halfLife', halfLife],
      ['linear', linear],
      ['none', none],
    ] as const)('%s: negative engagement does not decay', async (_model, def) => {
      const outcome = await score(def, { pageViews30d: 0 }, 400);
      expect(outcome.engagement).toBe(-20);
      expect(outcome.reasons.some((r) => r.rule === DECAY_RULE)).toBe(false);
    });

    it('fit never decays', async () => {
      const outcome = await score(halfLife, { pageViews30d: 3, companySize: 10 }, 400);
      expect(outcome.fit).toBe(40);
    });

    it('decay applies after the cap, and both adjustments are explained in that order', () => {
      const def = definition({ decay: { model: 'halfLife', halfLifeDays: 30, graceDays: 7 } });
      const outcome = computeScore(def, firedPoints(0, 150), 37);
      expect(outcome.engagement).toBe(50);
      expect(outcome.reasons.map((r) => [r.rule, r.points])).toEqual([
        ['eng-points', 150],
        ['$cap.engagement', -50],
        ['$decay', -50],
      ]);
      expectReasonsAddUp(outcome);
    });

    it('level and total use engagement after decay', async () => {
      const def = definition({
        decay: { model: 'linear', pointsPerDay: 1, graceDays: 7 },
        rules: [rule('eng', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 1 }] }, 60, 'engagement')],
      });
      const fresh = await score(def, { pageViews30d: 1 }, 7);
      const quiet = await score(def, { pageViews30d: 1 }, 8);
      expect([fresh.engagement, fresh.engagementLevel, fresh.total]).toEqual([60, 1, 60]);
      expect([quiet.engagement, quiet.engagementLevel, quiet.total]).toEqual([59, 2, 59]);
    });
  });

  describe('grades, levels, cells, bands and qualification', () => {
    const def = definition();

    it.each<[number, string]>([
      [100, 'A'],
      [60, 'A'],
      [59, 'B'],
      [40, 'B'],
      [39, 'C'],
      [20, 'C'],
      [19, 'D'],
      [0, 'D'],
      [-30, 'D'],
    ])('fit %i is grade %s (A >= 60, B >= 40, C >= 20)', (fit, grade) => {
      expect(computeScore(def, firedPoints(fit, 0), 0).fitGrade).toBe(grade);
    });

    it.each<[number, number]>([
      [100, 1],
      [60, 1],
      [59, 2],
      [35, 2],
      [34, 3],
      [15, 3],
      [14, 4],
      [0, 4],
      [-40, 4],
    ])('engagement %i is level %i (1 >= 60, 2 >= 35, 3 >= 15)', (engagement, level) => {
      expect(computeScore(def, firedPoints(0, engagement), 0).engagementLevel).toBe(level);
    });

    const GRADE_POINTS = { A: 60, B: 40, C: 20, D: 19 } as const;
    const LEVEL_POINTS = { 1: 60, 2: 35, 3: 15, 4: 14 } as const;

    it.each(CELLS)('cell %s takes its action and label from cells', (cell) => {
      const grade = cell[0] as keyof typeof GRADE_POINTS;
      const level = Number(cell[1]) as keyof typeof LEVEL_POINTS;
      const outcome = computeScore(def, firedPoints(GRADE_POINTS[grade], LEVEL_POINTS[level]), 0);
      expect(outcome.cell).toBe(cell);
      expect(outcome.action).toBe(`act_${cell.toLowerCase()}`);
      expect(outcome.actionLabel).toBe(`Action for ${cell}`);
    });

    it.each<[number, number, string]>([
      [100, 100, 'hot'],
      [60, 50, 'hot'],
      [60, 49, 'warm'],
      [30, 30, 'warm'],
      [30, 29, 'cold'],
      [0, 0, 'cold'],
      [-30, -40, 'cold'],
    ])('fit %i + engagement %i is in band %s (hot >= 110, warm >= 60, else cold)', (fit, engagement, band) => {
      const outcome = computeScore(def, firedPoints(fit, engagement), 0);
      expect(outcome.total).toBe(fit + engagement);
      expect(outcome.band).toBe(band);
    });

    it('the last band catches everything below the others, also with two bands', () => {
      const twoBands = definition({ bands: [{ name: 'sales-ready', min: 150 }, { name: 'rest' }] });
      expect(computeScore(twoBands, firedPoints(100, 50), 0).band).toBe('sales-ready');
      expect(computeScore(twoBands, firedPoints(100, 49), 0).band).toBe('rest');
      expect(computeScore(twoBands, firedPoints(-30, -40), 0).band).toBe('rest');
    });

    it.each<[number, number, boolean]>([
      [60, 30, true],
      [60, 29, false],
      [100, 100, true],
      [0, 0, false],
    ])('fit %i + engagement %i qualified: %s (threshold 90)', (fit, engagement, qualified) => {
      expect(computeScore(def, firedPoints(fit, engagement), 0).qualified).toBe(qualified);
    });

    it('qualification and cell are independent', () => {
      // A3: fit 80 (A), engagement 15 (3): total 95 qualifies though the cell says nurture.
      const outcome = computeScore(def, firedPoints(80, 15), 0);
      expect(outcome.cell).toBe('A3');
      expect(outcome.action).toBe('act_a3');
      expect(outcome.qualified).toBe(true);
    });

    it('no rule fired: zero points, D4, last band, not qualified, no reasons', () => {
      expect(computeScore(def, [], 0)).toEqual({
        fit: 0,
        engagement: 0,
        total: 0,
        fitGrade: 'D',
        engagementLevel: 4,
        cell: 'D4',
        band: 'cold',
        qualified: false,
        action: 'act_d4',
        actionLabel: 'Action for D4',
        reasons: [],
        compact: { firedRules: [], capFit: 0, capEngagement: 0, decay: 0, daysInactive: 0 },
      });
    });
  });

  describe('the whole path: rules to action', () => {
    it('a lead scored by a small rule set', async () => {
      const def = definition({
        decay: { model: 'halfLife', halfLifeDays: 30, graceDays: 7 },
        rules: [
          rule('fit-size', { all: [size('between', [200, 5000])] }, 40),
          rule('fit-country', { all: [country('in', ['US', 'CA'])] }, 25),
          rule('eng-views', { all: [{ fact: 'pageViews30d', operator: 'greaterThanInclusive', value: 5 }] }, 60, 'engagement'),
        ],
      });
      const outcome = await score(def, { companySize: 200, country: 'CA', pageViews30d: 5 }, 37);
      expect(outcome).toMatchObject({
        fit: 65,
        engagement: 30,
        total: 95,
        fitGrade: 'A',
        engagementLevel: 3,
        cell: 'A3',
        band: 'warm',
        qualified: true,
        action: 'act_a3',
      });
      expect(outcome.reasons.map((r) => [r.rule, r.points])).toEqual([
        ['fit-size', 40],
        ['fit-country', 25],
        ['eng-views', 60],
        ['$decay', -30],
      ]);
      expectReasonsAddUp(outcome);
    });
  });
});
