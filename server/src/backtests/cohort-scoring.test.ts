import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../common/paths';
import { computeScore } from '../engine/grading';
import { RuleSetEvaluator, type FiredRule } from '../engine/rule-engine';
import { ACTIVITY_TYPES, CELLS, type RuleSetDefinition } from '../engine/ruleset-definition';
import { activityTypeCode, SnapshotBuilder, type CohortSnapshot } from './cohort-snapshot';
import { scoreCohort, scoreOf } from './cohort-scoring';

const DEFAULT = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleSetDefinition;
const RULES: FiredRule[] = DEFAULT.rules.map((rule) => ({ rule: rule.name, ...rule.event.params }));

describe('scoreOf', () => {
  it('gives computeScore’s numbers for any set of fired rules and days without activity (property)', () => {
    const decays: RuleSetDefinition['decay'][] = [DEFAULT.decay, { model: 'none' }, { model: 'linear', pointsPerDay: 2, graceDays: 3 }];
    fc.assert(
      fc.property(fc.subarray(RULES), fc.integer({ min: 0, max: 400 }), fc.constantFrom(...decays), (fired, days, decay) => {
        const definition = { ...DEFAULT, decay };
        const expected = computeScore(definition, fired, days);
        const actual = scoreOf(definition, fired, days);
        expect({ ...actual, cell: CELLS[actual.cell], band: definition.bands[actual.band].name }).toEqual({
          fit: expected.fit,
          engagement: expected.engagement,
          total: expected.total,
          cell: expected.cell,
          band: expected.band,
          qualified: expected.qualified,
        });
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('scoreCohort', () => {
  /** A cohort built in memory: seeded random leads, attributes and activities before their cutoff. */
  function syntheticSnapshot(): CohortSnapshot {
    const leads = fc.sample(
      fc.record({
        industry: fc.constantFrom('software', 'retail', 'consulting', 'education'),
        companySize: fc.constantFrom(10, 120, 800, 9000),
        seniority: fc.constantFrom('c_level', 'vp', 'director', 'manager', 'student'),
        budgetConfirmed: fc.boolean(),
        email: fc.constantFrom('a@acme.io', 'b@gmail.com', null),
        createdDaysBefore: fc.integer({ min: 0, max: 400 }),
        converted: fc.boolean(),
        activities: fc.array(
          fc.record({
            type: fc.constantFrom(...ACTIVITY_TYPES),
            ageMs: fc.integer({ min: 0, max: 120 * 86_400_000 }),
            property: fc.nat({ max: 3 }),
          }),
          { maxLength: 30 },
        ),
      }),
      { seed: 99, numRuns: 300 },
    );
    const builder = new SnapshotBuilder(4);
    const cutoff = Date.parse('2025-06-01T00:00:00Z');
    leads.forEach((lead, i) => {
      builder.add({
        lead_id: String(i + 1),
        external_id: `lead-${i}`,
        email: lead.email,
        segment: null,
        source: null,
        attributes: {
          industry: lead.industry,
          companySize: lead.companySize,
          seniority: lead.seniority,
          budgetConfirmed: lead.budgetConfirmed,
        },
        created_ms: cutoff - lead.createdDaysBefore * 86_400_000,
        cutoff_ms: cutoff,
        converted: lead.converted,
        decided: true,
        deal_value: lead.converted ? 1000 : null,
        activity_types: lead.activities.map((a) => activityTypeCode(a.type)).join(','),
        activity_age_ms: lead.activities.map((a) => a.ageMs).join(','),
        activity_properties: lead.activities.map((a) => a.property).join(','),
      });
    });
    const properties = [{}, { contentType: 'case_study' }, { minutesAttended: 50 }, { minutesAttended: 20, contentType: 'ebook' }];
    return builder.build({ cohortId: '1', checksum: 'x', properties });
  }

  it('scores the same with the compiled evaluator as with json-rules-engine lead by lead', async () => {
    const snapshot = syntheticSnapshot();
    const compiled = await scoreCohort(DEFAULT, snapshot);
    expect(compiled.compiled).toBe(true);
    const engine = await scoreCohort(DEFAULT, snapshot, (definition) => {
      const evaluator = new RuleSetEvaluator(definition);
      return { compiled: false, evaluate: async (facts) => (await evaluator.evaluate(facts)).fired };
    });
    expect(engine.compiled).toBe(false);
    expect(engine.fired).toEqual(compiled.fired);
    expect(engine.total).toEqual(compiled.total);
    expect(engine.cell).toEqual(compiled.cell);
    expect(engine.band).toEqual(compiled.band);
    expect(engine.qualified).toEqual(compiled.qualified);
    // Not a degenerate cohort: rules of both dimensions fire, scores spread over cells.
    expect(new Set(compiled.cell).size).toBeGreaterThan(4);
    expect(compiled.fired.reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
  });
});
