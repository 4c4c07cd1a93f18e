import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityTypeNamesByCode } from '../server/src/activities/activity-catalog.service';
import type { UserPrincipal } from '../server/src/auth/principal';
import { ACTIVITY_TYPES } from '../server/src/engine/ruleset-definition';
import { DEFAULT_B2B, type Doc } from './support/rule-sets';
import { expectError, type Job, PUBLISH, setUpWorkflow, type Version, workflowHelpers } from './support/ruleset-workflow';
import { ok } from './support/scores';
import type { GqlResult, TestApp } from './support/test-app';

/*
 * The open activity catalog through GraphQL: marketing defines a type, clients record it, a
 * published rule set counts it; validation, retirement and the unknown-type policy.
 */

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
const { reviewAndApprove, waitForJob } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));

interface TypeDef {
  name: string;
  code: number;
  label: string;
  properties: Array<{ name: string; type: string; required: boolean }>;
  openProperties: boolean;
  builtIn: boolean;
  retiredAt: string | null;
}
const TYPE = 'name code label properties { name type required } openProperties builtIn retiredAt';
const DEFINE = `mutation($input: DefineActivityTypeInput!) { defineActivityType(input: $input) { ${TYPE} } }`;
const RETIRE = `mutation($name: String!) { retireActivityType(name: $name) { ${TYPE} } }`;
const LIST = `query($all: Boolean) { activityTypes(includeRetired: $all) { ${TYPE} } }`;
const SET_POLICY = `mutation($input: SetUnknownActivityTypesInput!) { setUnknownActivityTypes(input: $input) { unknownActivityTypes mapTo } }`;
const RECORD = `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { activityId duplicate
  score { engagement reasons { rule points } } } }`;
const RECORD_MANY = `mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { results { activityId duplicate } } }`;
const VALIDATE = `query($definition: JSONObject!) { validateRuleSet(definition: $definition) { valid problems { path message severity suggestion } } }`;

const FEATURE_USED = {
  name: 'feature_used',
  label: 'Feature used',
  description: 'A signed-in user used a product feature',
  properties: [
    { name: 'feature', type: 'string', required: true },
    { name: 'minutes', type: 'number' },
  ],
};
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
let keys = 0;
const activity = (lead: string, typeName: string, properties?: Record<string, unknown>) => ({
  leadExternalId: lead,
  typeName,
  occurredAt: hourAgo(),
  idempotencyKey: `cat-${++keys}`,
  properties,
});
const problemsOf = (result: GqlResult<unknown>) =>
  (result.errors?.[0]?.extensions?.problems ?? []) as Array<{ path: string; message: string }>;
const activityRows = async (lead: string): Promise<Array<{ type: string }>> =>
  t.sql('SELECT a.type FROM activity a JOIN lead l ON l.id = a.lead_id WHERE l.external_id = $1 ORDER BY a.id', [lead]);
const createLead = async (externalId: string) =>
  ok(await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, { input: { externalId } }));

/** The default rule set with a fact counting feature_used in 30 days and a rule on it. */
function withFeatureRule(types: string[] = ['feature_used']): Doc {
  const doc = structuredClone(DEFAULT_B2B);
  doc.facts.push({
    name: 'featureUses30d',
    label: 'Features used (30 days)',
    type: 'number',
    source: 'activity',
    aggregate: 'count',
    activityTypes: types,
    windowDays: 30,
  });
  doc.rules.push({
    name: 'eng-uses-product',
    conditions: { all: [{ fact: 'featureUses30d', operator: 'greaterThanInclusive', value: 2 }] },
    event: { type: 'score', params: { dimension: 'engagement', points: 7, label: 'Uses the product' } },
  });
  return doc;
}

describe('the activity catalog', () => {
  it('lists the 18 built-in types with codes 1..18; built-in types cannot be retired', async () => {
    const types = ok(await t.gqlAs<{ activityTypes: TypeDef[] }>(viewer1, LIST, {})).activityTypes;
    expect(types.filter((type) => type.builtIn).map((type) => [type.code, type.name])).toEqual(
      expect.arrayContaining(ACTIVITY_TYPES.map((name, index) => [index + 1, name])),
    );
    expect(types.filter((type) => type.builtIn)).toHaveLength(18);
    const error = expectError(await t.gqlAs(marketing1, RETIRE, { name: 'page_view' }), 'BAD_USER_INPUT', 'BUILT_IN_ACTIVITY_TYPE');
    expect(error.extensions?.problems).toEqual([{ path: 'name', message: expect.stringContaining('cannot be retired') }]);
    expectError(await t.gqlAs(marketing1, RETIRE, { name: 'no_such_type' }), 'NOT_FOUND', 'ACTIVITY_TYPE_NOT_FOUND');
  });

  it('marketing defines a type (audited); bad definitions name the field and write nothing; viewers may not', async () => {
    expectError(await t.gqlAs(viewer1, DEFINE, { input: FEATURE_USED }), 'FORBIDDEN', expect.any(String) as unknown as string);
    const bad = await t.gqlAs(marketing1, DEFINE, {
      input: {
        name: 'Feature Used',
        label: '',
        properties: [
          { name: 'x', type: 'date' },
          { name: 'x', type: 'string' },
        ],
      },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ACTIVITY_TYPE' });
    expect(problemsOf(bad).map((p) => p.path)).toEqual([
      'input.name',
      'input.label',
      'input.properties[0].type',
      'input.properties[1].name',
    ]);
    expect(await t.sql(`SELECT name FROM activity_type_definition WHERE NOT built_in`)).toEqual([]);

    const defined = ok(await t.gqlAs<{ defineActivityType: TypeDef }>(marketing1, DEFINE, { input: FEATURE_USED })).defineActivityType;
    expect(defined).toEqual({
      name: 'feature_used',
      code: 19,
      label: 'Feature used',
      properties: [
        { name: 'feature', type: 'string', required: true },
        { name: 'minutes', type: 'number', required: false },
      ],
      openProperties: false,
      builtIn: false,
      retiredAt: null,
    });
    const [entry] = await t.sql(
      `SELECT actor, action, entity_id AS "entityId", after FROM audit_log WHERE action = 'activity_type.defined' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry).toMatchObject({ actor: 'user:marketing1@acme.io', action: 'activity_type.defined', entityId: 'feature_used' });
  });

  it('records activities of a defined type, their properties checked against the definition', async () => {
    await createLead('cat-props');
    const recorded = ok(
      await t.gql<{ recordActivity: { duplicate: boolean } }>(RECORD, {
        input: activity('cat-props', 'feature_used', { feature: 'export', minutes: 3 }),
      }),
    );
    expect(recorded.recordActivity.duplicate).toBe(false);
    const { lead } = ok(
      await t.gql<{ lead: { activities: { edges: Array<{ node: { type: string; typeName: string } }> } } }>(
        `{ lead(externalId: "cat-props") { activities(first: 5) { edges { node { type typeName } } } } }`,
      ),
    );
    // Clients written for the closed list read OTHER; typeName names the type.
    expect(lead.activities.edges.map((edge) => edge.node)).toEqual([{ type: 'OTHER', typeName: 'feature_used' }]);

    const wrong = await t.gql(RECORD_MANY, {
      input: [
        activity('cat-props', 'feature_used', { feature: 'export', colour: 'red' }),
        activity('cat-props', 'feature_used', { feature: 'export', minutes: 'three' }),
        activity('cat-props', 'feature_used', { minutes: 4 }),
        activity('cat-props', 'page_view', { anything: 'goes' }),
      ],
    });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ACTIVITY' });
    expect(problemsOf(wrong)).toEqual([
      { path: 'input[0].properties.colour', message: 'unknown property of feature_used; its properties are feature, minutes' },
      { path: 'input[1].properties.minutes', message: 'must be a number, got a string "three"' },
      { path: 'input[2].properties.feature', message: 'is required for feature_used (a string)' },
    ]);
    expect(await activityRows('cat-props')).toHaveLength(1);
    // The enum still works for built-in types, and the two may not disagree.
    ok(await t.gql(RECORD, { input: { ...activity('cat-props', 'page_view'), typeName: undefined, type: 'PAGE_VIEW' } }));
    const both = await t.gql(RECORD, { input: { ...activity('cat-props', 'feature_used', { feature: 'x' }), type: 'PAGE_VIEW' } });
    expect(problemsOf(both)).toEqual([{ path: 'input.typeName', message: 'give type or typeName, not both' }]);
  });

  it('validation names an unknown activity type of a rule set with a suggestion', async () => {
    const { validateRuleSet } = ok(
      await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: Array<{ path: string; message: string; suggestion: string | null }> } }>(
        marketing1,
        VALIDATE,
        { definition: withFeatureRule(['feature_usd']) },
      ),
    );
    expect(validateRuleSet.valid).toBe(false);
    const index = DEFAULT_B2B.facts.length;
    expect(validateRuleSet.problems).toContainEqual(
      expect.objectContaining({
        path: `facts[${index}].activityTypes[0]`,
        message: 'There is no activity type "feature_usd" in the activity catalog; did you mean "feature_used"?',
        suggestion: 'feature_used',
      }),
    );
    // A name of the wrong shape is the schema's.
    const shape = ok(
      await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: Array<{ path: string }> } }>(marketing1, VALIDATE, {
        definition: withFeatureRule(['Feature Used']),
      }),
    ).validateRuleSet;
    expect(shape.valid).toBe(false);
    expect(shape.problems).toContainEqual(
      expect.objectContaining({
        path: `facts[${index}].activityTypes[0]`,
        message: expect.stringContaining('"Feature Used" is not an activity type name: 2 to 63 lower-case letters'),
      }),
    );
    expect(
      ok(await t.gqlAs<{ validateRuleSet: { valid: boolean } }>(marketing1, VALIDATE, { definition: withFeatureRule() })).validateRuleSet
        .valid,
    ).toBe(true);
  });

  it('a published rule set with a rule on the new type scores its activities', async () => {
    const { createDraft } = ok(
      await t.gqlAs<{ createDraft: Version }>(
        marketing1,
        `mutation($input: CreateDraftInput!) { createDraft(input: $input) { id status } }`,
        { input: { ruleSetKey: 'default-b2b', definition: withFeatureRule(), note: 'Count product usage' } },
      ),
    );
    await reviewAndApprove(createDraft.id, marketing1);
    const { publishVersion } = ok(await t.gql<{ publishVersion: { version: Version; rescoreJob: Job } }>(PUBLISH, { id: createDraft.id }));
    await waitForJob(publishVersion.rescoreJob.id);

    await createLead('cat-user');
    const first = ok(
      await t.gql<{ recordActivity: { score: { reasons: Array<{ rule: string }> } } }>(RECORD, {
        input: activity('cat-user', 'feature_used', { feature: 'export' }),
      }),
    ).recordActivity;
    expect(first.score.reasons.map((r) => r.rule)).not.toContain('eng-uses-product');
    const second = ok(
      await t.gql<{ recordActivity: { score: { engagement: number; reasons: Array<{ rule: string; points: number }> } } }>(RECORD, {
        input: activity('cat-user', 'feature_used', { feature: 'dashboards', minutes: 12 }),
      }),
    ).recordActivity;
    expect(second.score.reasons).toContainEqual({ rule: 'eng-uses-product', points: 7 });
  });

  it('gives a defined type a real code for backtest snapshots', async () => {
    const names = await activityTypeNamesByCode(t.app.dataSource);
    expect(names.slice(1, 19)).toEqual([...ACTIVITY_TYPES]);
    expect(names[19]).toBe('feature_used');
  });

  it('refuses new activities of a retired type; its recorded ones stay; defining it again brings it back', async () => {
    ok(await t.gqlAs(marketing1, DEFINE, { input: { name: 'webinar_replay', label: 'Webinar replay', openProperties: true } }));
    await createLead('cat-retired');
    ok(await t.gql(RECORD, { input: activity('cat-retired', 'webinar_replay', { any: 1 }) }));
    const retired = ok(await t.gqlAs<{ retireActivityType: TypeDef }>(marketing1, RETIRE, { name: 'webinar_replay' })).retireActivityType;
    expect(retired.retiredAt).not.toBeNull();
    const refused = await t.gql(RECORD, { input: activity('cat-retired', 'webinar_replay') });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_ACTIVITY' });
    expect(problemsOf(refused)).toEqual([
      { path: 'input.type', message: expect.stringMatching(/^"webinar_replay" was retired on .*: record a current type$/) },
    ]);
    expect(await activityRows('cat-retired')).toEqual([{ type: 'webinar_replay' }]);
    const current = ok(await t.gql<{ activityTypes: TypeDef[] }>(LIST, {})).activityTypes.map((type) => type.name);
    expect(current).not.toContain('webinar_replay');
    expect(ok(await t.gql<{ activityTypes: TypeDef[] }>(LIST, { all: true })).activityTypes.map((type) => type.name)).toContain(
      'webinar_replay',
    );
    // A rule set may still count it, with a warning.
    const { validateRuleSet } = ok(
      await t.gql<{ validateRuleSet: { valid: boolean; problems: Array<{ path: string; severity: string }> } }>(VALIDATE, {
        definition: withFeatureRule(['webinar_replay']),
      }),
    );
    expect(validateRuleSet.valid).toBe(true);
    expect(validateRuleSet.problems).toContainEqual(
      expect.objectContaining({ path: `facts[${DEFAULT_B2B.facts.length}].activityTypes[0]`, severity: 'WARNING' }),
    );

    const back = ok(
      await t.gqlAs<{ defineActivityType: TypeDef }>(marketing1, DEFINE, { input: { name: 'webinar_replay', label: 'Replay' } }),
    ).defineActivityType;
    expect(back).toMatchObject({ retiredAt: null, code: 20, openProperties: true });
    ok(await t.gql(RECORD, { input: activity('cat-retired', 'webinar_replay') }));
  });

  it('unknown types are refused with a suggestion, or recorded as the configured type', async () => {
    await createLead('cat-unknown');
    const refused = await t.gql(RECORD, { input: activity('cat-unknown', 'feature_use', { feature: 'x' }) });
    expect(problemsOf(refused)).toEqual([
      { path: 'input.type', message: '"feature_use" is not an activity type of the catalog; did you mean "feature_used"?' },
    ]);
    expect(await activityRows('cat-unknown')).toEqual([]);

    const policy = ok(
      await t.gqlAs<{ setUnknownActivityTypes: { unknownActivityTypes: string; mapTo: string | null } }>(marketing1, SET_POLICY, {
        input: { unknownActivityTypes: 'MAP_TO', mapTo: 'other' },
      }),
    ).setUnknownActivityTypes;
    expect(policy).toEqual({ unknownActivityTypes: 'MAP_TO', mapTo: 'other' });
    expect(
      ok(await t.gql<{ activityCatalogSettings: unknown }>('{ activityCatalogSettings { unknownActivityTypes mapTo } }'))
        .activityCatalogSettings,
    ).toEqual(policy);
    const mapped = ok(
      await t.gql<{ recordActivities: { results: Array<{ duplicate: boolean }> } }>(RECORD_MANY, {
        input: [activity('cat-unknown', 'Signed Up', { plan: 'pro' }), activity('cat-unknown', 'feature_used', { feature: 'x' })],
      }),
    );
    expect(mapped.recordActivities.results.map((r) => r.duplicate)).toEqual([false, false]);
    expect(await activityRows('cat-unknown')).toEqual([{ type: 'other' }, { type: 'feature_used' }]);

    // The mapping's target cannot be retired, nor may the policy map to a type that is not current.
    ok(await t.gqlAs(marketing1, DEFINE, { input: { name: 'catch_all', label: 'Anything else', openProperties: true } }));
    ok(await t.gqlAs(marketing1, SET_POLICY, { input: { unknownActivityTypes: 'MAP_TO', mapTo: 'catch_all' } }));
    expectError(await t.gqlAs(marketing1, RETIRE, { name: 'catch_all' }), 'CONFLICT', 'ACTIVITY_TYPE_IN_USE');
    const badTarget = await t.gqlAs(marketing1, SET_POLICY, { input: { unknownActivityTypes: 'MAP_TO', mapTo: 'no_such_type' } });
    expect(problemsOf(badTarget).map((p) => p.path)).toEqual(['input.mapTo']);
    expect(problemsOf(await t.gqlAs(marketing1, SET_POLICY, { input: { unknownActivityTypes: 'MAP_TO' } })).map((p) => p.path)).toEqual([
      'input.mapTo',
    ]);

    ok(await t.gqlAs(marketing1, SET_POLICY, { input: { unknownActivityTypes: 'REFUSE' } }));
    expectError(await t.gql(RECORD, { input: activity('cat-unknown', 'Signed Up') }), 'BAD_USER_INPUT', 'INVALID_ACTIVITY');
    const changes = await t.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'activity_catalog.unknown_types_set'`);
    expect(changes).toEqual([{ n: 3 }]);
  });
});
