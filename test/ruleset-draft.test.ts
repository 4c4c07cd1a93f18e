import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DEFAULT_B2B, type Doc, indexOfRule, ok } from './support/rule-sets';
import {
  setUpWorkflow,
  workflowHelpers,
  actor,
  CREATE_DRAFT,
  DRAFT_POINTS,
  expectError,
  type LeadNode,
  OLD_POINTS,
  RAISED_INDEX,
  RAISED_LABEL,
  RAISED_RULE,
  RULE_SET,
  type RuleOutcome,
  SAVE_DRAFT,
  SIMULATE,
  type Simulation,
  type SimulationSide,
  type Version,
  withPoints,
} from './support/ruleset-workflow';
import type { TestApp } from './support/test-app';

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;

beforeAll(async () => {
  ({ t, marketing1, marketing2, sales1, viewer1 } = await setUpWorkflow());
});
afterAll(async () => {
  await t?.close();
});
const { getVersion, leads } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));

describe('a rule set release: draft, review, publish, re-score, rollback', () => {
  let v1: Version;
  let draft: Version;
  let scoresBefore: Map<string, LeadNode>;

  it('the default rule set is active at version 1, and every lead is scored by it', async () => {
    const { ruleSet } = ok(
      await t.gqlAs<{
        ruleSet: { activeVersionId: string; isDefault: boolean; versions: Array<{ id: string; version: number; status: string }> };
      }>(viewer1, RULE_SET, { key: 'default-b2b' }),
    );
    expect(ruleSet.isDefault).toBe(true);
    expect(ruleSet.versions).toEqual([{ id: ruleSet.activeVersionId, version: 1, status: 'published' }]);
    v1 = await getVersion(ruleSet.activeVersionId);
    expect(v1.definition).toEqual(DEFAULT_B2B);
    scoresBefore = new Map((await leads()).map((lead) => [lead.externalId, lead]));
    for (const lead of scoresBefore.values()) expect(lead.score).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 1 });
  });

  it('marketing1 creates a draft as a copy of the active version', async () => {
    draft = ok(
      await t.gqlAs<{ createDraft: Version }>(marketing1, CREATE_DRAFT, {
        input: { ruleSetKey: 'default-b2b', copyOfVersionId: v1.id, note: 'more for target industries' },
      }),
    ).createDraft;
    expect(draft).toMatchObject({
      ruleSetKey: 'default-b2b',
      version: 2,
      status: 'draft',
      revision: 1,
      createdBy: actor(marketing1),
      editors: [actor(marketing1)],
      note: 'more for target industries',
      basedOnVersionId: v1.id,
      checksum: v1.checksum,
    });
    expect(draft.definition).toEqual(DEFAULT_B2B);
  });

  it('saving an invalid definition is BAD_USER_INPUT naming each JSON path under input.definition, and changes nothing', async () => {
    const broken = structuredClone(DEFAULT_B2B);
    broken.rules[0].conditions.all[0].fact = 'employeeCount'; // not a declared fact
    const budget = indexOfRule(broken, 'fit-budget-confirmed');
    broken.rules[budget].conditions.all[0].value = 'yes'; // a string for a boolean fact
    broken.grades.B = 70; // above grade A (60)
    const error = expectError(
      await t.gqlAs(marketing1, SAVE_DRAFT, { input: { versionId: draft.id, definition: broken, expectedRevision: 1 } }),
      'BAD_USER_INPUT',
      'INVALID_RULE_SET',
    );
    expect(error.extensions?.problems).toEqual([
      {
        path: 'input.definition.rules[0].conditions.all[0].fact',
        message: expect.stringContaining('This condition tests "employeeCount", which is not one of the rule set\'s facts'),
      },
      {
        path: `input.definition.rules[${budget}].conditions.all[0].value`,
        message: expect.stringContaining('is true or false: compare it with true or false'),
      },
      {
        path: 'input.definition.grades.B',
        message: expect.stringContaining('The grade B threshold must be below the grade A threshold (60)'),
      },
    ]);
    const after = await getVersion(draft.id);
    expect(after.revision).toBe(1);
    expect(after.checksum).toBe(draft.checksum);
    expect(after.definition).toEqual(DEFAULT_B2B);
  });

  it('the fixed definition saves with revision + 1', async () => {
    const saved = ok(
      await t.gqlAs<{ saveDraft: Version }>(marketing1, SAVE_DRAFT, {
        input: { versionId: draft.id, definition: withPoints(DRAFT_POINTS), expectedRevision: 1 },
      }),
    ).saveDraft;
    expect(saved).toMatchObject({ id: draft.id, version: 2, status: 'draft', revision: 2, editors: [actor(marketing1)] });
    expect(saved.definition.rules[RAISED_INDEX].event.params.points).toBe(DRAFT_POINTS);
    expect(saved.checksum).not.toBe(draft.checksum);
    draft = saved;
  });

  it('a save on a stale revision is CONFLICT STALE_REVISION and overwrites nothing', async () => {
    const error = expectError(
      await t.gqlAs(marketing1, SAVE_DRAFT, {
        input: { versionId: draft.id, definition: withPoints(OLD_POINTS + 1), expectedRevision: 1 },
      }),
      'CONFLICT',
      'STALE_REVISION',
    );
    expect(error.extensions?.problems).toEqual([{ path: 'input.expectedRevision', message: 'current revision is 2' }]);
    const after = await getVersion(draft.id);
    expect(after.revision).toBe(2);
    expect(after.checksum).toBe(draft.checksum);
    expect(after.definition.rules[RAISED_INDEX].event.params.points).toBe(DRAFT_POINTS);
  });

  it('validateRuleSet reports problems without saving anything', async () => {
    const broken = withPoints(DRAFT_POINTS);
    broken.rules[0].conditions.all[0].fact = 'employeeCount';
    const { validateRuleSet } = ok(
      await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: Array<{ path: string; message: string }> } }>(
        viewer1,
        `query($definition: JSONObject!, $key: String) { validateRuleSet(definition: $definition, ruleSetKey: $key) { valid problems { path message } } }`,
        { definition: broken, key: 'default-b2b' },
      ),
    );
    expect(validateRuleSet).toEqual({
      valid: false,
      problems: [
        {
          path: 'rules[0].conditions.all[0].fact',
          message: `This condition tests "employeeCount", which is not one of the rule set's facts: declare it under Facts or pick another fact`,
        },
      ],
    });
    const valid = ok(
      await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: unknown[] } }>(
        viewer1,
        `query($definition: JSONObject!) { validateRuleSet(definition: $definition) { valid problems { path } } }`,
        {
          definition: withPoints(DRAFT_POINTS),
        },
      ),
    );
    expect(valid.validateRuleSet).toEqual({ valid: true, problems: [] });
    const after = await getVersion(draft.id);
    expect(after.revision).toBe(2);
    expect(after.checksum).toBe(draft.checksum);
  });

  it('simulateRuleSet on a lead: the draft beside the active version, fired rules with points, failed conditions with the value seen', async () => {
    const { simulateRuleSet } = ok(
      await t.gqlAs<{ simulateRuleSet: Simulation }>(viewer1, SIMULATE, {
        input: { versionId: draft.id, leadExternalId: 'wf-software-vp' },
      }),
    );
    const { candidate, active } = simulateRuleSet;
    expect(candidate).toMatchObject({ ruleSetKey: 'default-b2b', version: 2, versionId: draft.id });
    expect(active).toMatchObject({ ruleSetKey: 'default-b2b', version: 1, versionId: v1.id });
    expect(candidate.facts).toMatchObject({
      industry: 'software',
      companySize: 800,
      seniority: 'vp',
      pricingViews14d: 2,
      requestedDemo: true,
    });

    const rule = (side: SimulationSide, name: string) => side.rules.find((outcome) => outcome.rule === name) as RuleOutcome;
    expect(rule(candidate, RAISED_RULE)).toMatchObject({ fired: true, points: DRAFT_POINTS, failedConditions: [] });
    expect(rule(active, RAISED_RULE)).toMatchObject({ fired: true, points: OLD_POINTS, failedConditions: [] });
    for (const side of [candidate, active]) {
      expect(rule(side, 'fit-company-size-sweet-spot')).toMatchObject({ fired: true, points: 20 });
      expect(rule(side, 'eng-requested-demo')).toMatchObject({ fired: true, points: 40 });
      expect(rule(side, 'eng-pricing-views-repeat')).toMatchObject({ fired: true, points: 20 });
      // 800 employees: not an enterprise (more than 5,000).
      expect(rule(side, 'fit-company-size-enterprise')).toEqual({
        rule: 'fit-company-size-enterprise',
        points: 15,
        fired: false,
        evaluated: true,
        failedConditions: [
          { path: 'conditions.all[0]', fact: 'companySize', operator: 'greaterThan', value: 5000, factValue: 800, negated: false },
        ],
      });
      // Two pricing views: the "exactly one" rule does not fire.
      expect(rule(side, 'eng-pricing-view').failedConditions).toEqual([
        { path: 'conditions.all[0]', fact: 'pricingViews14d', operator: 'equal', value: 1, factValue: 2, negated: false },
      ]);
    }
    // The stored score is the active side's.
    expect(active.score.total).toBe(scoresBefore.get('wf-software-vp')?.score.total);
    expect(candidate.score.fit - active.score.fit).toBe(DRAFT_POINTS - OLD_POINTS);
  });

  it('simulateRuleSet on typed facts', async () => {
    const facts = { industry: 'insurance', companySize: 120, seniority: 'director', budgetConfirmed: true };
    const { simulateRuleSet } = ok(
      await t.gqlAs<{ simulateRuleSet: Simulation }>(marketing2, SIMULATE, { input: { versionId: draft.id, facts } }),
    );
    const { candidate, active } = simulateRuleSet;
    expect(candidate).toMatchObject({ version: 2, versionId: draft.id });
    expect(active).toMatchObject({ version: 1, versionId: v1.id });
    expect(candidate.facts).toMatchObject({ ...facts, country: null, pageViews30d: null });
    const fired = (side: SimulationSide) => side.rules.filter((outcome) => outcome.fired).map(({ rule, points }) => ({ rule, points }));
    const expected = (points: number) => [
      { rule: 'fit-company-size-mid-market', points: 10 },
      { rule: RAISED_RULE, points },
      { rule: 'fit-seniority-director', points: 15 },
      { rule: 'fit-budget-confirmed', points: 15 },
      { rule: 'fit-decision-maker-with-budget', points: 10 },
    ];
    expect(fired(candidate)).toEqual(expected(DRAFT_POINTS));
    expect(fired(active)).toEqual(expected(OLD_POINTS));
    expect(candidate.score).toMatchObject({ fit: 50 + DRAFT_POINTS, engagement: 0, total: 50 + DRAFT_POINTS });
    expect(active.score).toMatchObject({ fit: 50 + OLD_POINTS, engagement: 0, total: 50 + OLD_POINTS });
    // A fact not given is null, and the failed condition says so.
    const country = candidate.rules.find((outcome) => outcome.rule === 'fit-target-country') as RuleOutcome;
    expect(country.failedConditions).toEqual([
      {
        path: 'conditions.all[0]',
        fact: 'country',
        operator: 'in',
        value: DEFAULT_B2B.rules[indexOfRule(DEFAULT_B2B, 'fit-target-country')].conditions.all[0].value,
        factValue: null,
        negated: false,
      },
    ]);
  });

  it('ruleSetDiff between the active version and the draft lists the changed rule with its old and new points', async () => {
    const { ruleSetDiff } = ok(
      await t.gqlAs<{ ruleSetDiff: { identical: boolean; summary: string[]; changes: Doc } }>(
        viewer1,
        `query($from: ID!, $to: ID) { ruleSetDiff(fromVersionId: $from, toVersionId: $to) { identical summary changes } }`,
        { from: v1.id, to: draft.id },
      ),
    );
    expect(ruleSetDiff.identical).toBe(false);
    expect(ruleSetDiff.summary).toEqual([`Rule "${RAISED_LABEL}" points ${OLD_POINTS} → ${DRAFT_POINTS}`]);
    expect(ruleSetDiff.changes.rules.changed).toEqual([
      expect.objectContaining({ name: RAISED_RULE, points: { old: OLD_POINTS, new: DRAFT_POINTS } }),
    ]);
  });
});
