import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_DIR } from '../server/src/common/paths';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DEFAULT_B2B, type Doc, ok } from './support/rule-sets';
import { type Job, JOB, LEAD_COUNT, PUBLISH, setUpWorkflow, workflowHelpers } from './support/ruleset-workflow';
import { onlyError } from './support/scores';
import type { GqlResult, TestApp } from './support/test-app';

/*
 * Score models (issue 18): a second lead model with its own rule set scores the same leads beside
 * the default model, follows every activity and the decay pass, is re-scored alone by its publishes,
 * and can be listed, filtered and ordered by; its scores go with an erased lead.
 */

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;
const { waitForJob, reviewAndApprove } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));

const MODEL = 'intent';
const RULE_SET_KEY = 'intent-signals';

/** The default rules with engagement worth double and a lower bar for grade A: other points, other cells. */
function intentDefinition(): Doc {
  const doc = structuredClone(DEFAULT_B2B);
  doc.key = RULE_SET_KEY;
  doc.name = 'Intent signals';
  for (const rule of doc.rules) if (rule.event.params.dimension === 'engagement') rule.event.params.points *= 2;
  doc.grades = { A: 30, B: 15, C: 5 };
  return doc;
}

const MODEL_SCORE =
  'model ruleSetKey ruleSetVersion fit engagement total cell band qualified reasons { rule dimension points contacts { leadId } }';
interface ModelScore {
  model: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
  reasons: Array<{ rule: string; dimension: string; points: number; contacts: unknown[] }>;
}
interface LeadScores {
  id: string;
  externalId: string;
  score: { total: number; engagement: number; cell: string };
  scores: ModelScore[];
  modelScore: ModelScore | null;
}
const LEAD_SCORES = `query($x: String!, $model: String!) { lead(externalId: $x) {
  id externalId score { total engagement cell } scores { ${MODEL_SCORE} } modelScore(model: $model) { ${MODEL_SCORE} } } }`;
const LEADS = `query($model: String, $filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
  leads(model: $model, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount edges { cursor node { externalId modelScore(model: "intent") { total cell } } } pageInfo { hasNextPage endCursor } } }`;

async function leadScores(externalId: string, model = MODEL): Promise<LeadScores> {
  return ok(await t.gql<{ lead: LeadScores }>(LEAD_SCORES, { x: externalId, model })).lead;
}

function expectBadInput(result: GqlResult<unknown>, path: string): void {
  const error = onlyError(result);
  expect(error.extensions?.code, error.message).toBe('BAD_USER_INPUT');
  expect(error.extensions?.problems?.map((problem) => problem.path)).toContain(path);
}

async function defaultRows(): Promise<unknown[]> {
  return t.sql('SELECT lead_id, rule_set_version_id, total, cell, scored_at FROM lead_score ORDER BY lead_id');
}

beforeAll(async () => {
  ({ t, marketing1, marketing2, sales1, viewer1 } = await setUpWorkflow());
});
afterAll(async () => {
  await t?.close();
});

describe('score models', () => {
  it('are listed with the two installed ones and created by rule set editors, audited', async () => {
    const before = ok(
      await t.gqlAs<{ scoreModels: Array<{ key: string; subject: string; isDefault: boolean }> }>(
        viewer1,
        '{ scoreModels { key subject isDefault } }',
      ),
    ).scoreModels;
    expect(before).toEqual([
      { key: 'default', subject: 'LEAD', isDefault: true },
      { key: 'account', subject: 'ACCOUNT', isDefault: true },
    ]);
    const created = ok(
      await t.gqlAs<{ createScoreModel: { key: string; subject: string; isDefault: boolean; ruleSets: unknown[] } }>(
        marketing1,
        'mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key subject isDefault ruleSets { key } } }',
        { input: { key: MODEL, name: 'Intent', subject: 'LEAD', description: 'Buying intent' } },
      ),
    ).createScoreModel;
    expect(created).toEqual({ key: MODEL, subject: 'LEAD', isDefault: false, ruleSets: [] });
    const audit = await t.sql<{ actor: string }>(`SELECT actor FROM audit_log WHERE action = 'score_model.created' AND entity_id = $1`, [
      MODEL,
    ]);
    expect(audit).toEqual([{ actor: 'user:marketing1@acme.io' }]);
    const leadModels = ok(await t.gql<{ scoreModels: Array<{ key: string }> }>('{ scoreModels(subject: LEAD) { key } }')).scoreModels;
    expect(leadModels.map((model) => model.key)).toEqual(['default', MODEL]);
  });

  it('refuse bad names, taken keys and viewers', async () => {
    const create = 'mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }';
    expectBadInput(await t.gqlAs(marketing1, create, { input: { key: 'Bad Key', name: 'x', subject: 'LEAD' } }), 'input.key');
    expectBadInput(await t.gqlAs(marketing1, create, { input: { key: 'ok-key', name: ' ', subject: 'LEAD' } }), 'input.name');
    expect(onlyError(await t.gqlAs(marketing1, create, { input: { key: MODEL, name: 'again', subject: 'LEAD' } })).extensions?.code).toBe(
      'CONFLICT',
    );
    expect(onlyError(await t.gqlAs(viewer1, create, { input: { key: 'viewers', name: 'v', subject: 'LEAD' } })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    const createRuleSet = 'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { key } }';
    expectBadInput(await t.gqlAs(marketing1, createRuleSet, { input: { key: 'nowhere', name: 'Nowhere', model: 'nope' } }), 'input.model');
    // An account model takes account rules: a lead definition is refused.
    expectBadInput(
      await t.gqlAs(marketing1, createRuleSet, {
        input: { key: 'acct-leads', name: 'Account', model: 'account', definition: { ...DEFAULT_B2B, key: 'acct-leads' } },
      }),
      'input.definition.subject',
    );
    expect(await t.sql("SELECT key FROM rule_set WHERE key IN ('nowhere', 'acct-leads')")).toEqual([]);
  });

  it('a rule set created without a definition starts from its model: its default, else the default lead model or the account rules', async () => {
    const CREATE = `mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) {
      key model isDefault versions { definition } } }`;
    type Created = { createRuleSet: { key: string; model: string; isDefault: boolean; versions: Array<{ definition: Doc }> } };
    const models = 'mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }';
    ok(await t.gqlAs(marketing1, models, { input: { key: 'fresh-leads', name: 'Fresh leads', subject: 'LEAD' } }));
    ok(await t.gqlAs(marketing1, models, { input: { key: 'fresh-accounts', name: 'Fresh accounts', subject: 'ACCOUNT' } }));
    const lead = ok(
      await t.gqlAs<Created>(marketing1, CREATE, { input: { key: 'fresh-lead-rules', name: 'Fresh', model: 'fresh-leads' } }),
    );
    expect(lead.createRuleSet).toMatchObject({ model: 'fresh-leads', isDefault: true });
    expect(lead.createRuleSet.versions[0].definition).toMatchObject({ key: 'fresh-lead-rules', rules: DEFAULT_B2B.rules });
    // The shipped account rules read the account attributes of rules/account-attributes.json.
    const catalog = JSON.parse(readFileSync(path.join(RULES_DIR, 'account-attributes.json'), 'utf8')) as {
      attributes: Array<{ name: string; type: string; label: string; values?: string[] }>;
    };
    for (const { name, type, label, values } of catalog.attributes)
      ok(
        await t.gql('mutation($input: DefineAttributeInput!) { defineAttribute(input: $input) { name } }', {
          input: { name, type, label, allowedValues: values ?? null, scope: 'ACCOUNT' },
        }),
      );
    const account = ok(
      await t.gqlAs<Created>(marketing1, CREATE, { input: { key: 'fresh-account-rules', name: 'Fresh', model: 'fresh-accounts' } }),
    );
    expect(account.createRuleSet).toMatchObject({ model: 'fresh-accounts', isDefault: true });
    expect(account.createRuleSet.versions[0].definition).toMatchObject({ key: 'fresh-account-rules', subject: 'account' });
    // The second rule set of a model is not its default.
    const second = ok(
      await t.gqlAs<Created>(marketing1, CREATE, { input: { key: 'fresh-account-rules-2', name: 'Fresh 2', model: 'fresh-accounts' } }),
    );
    expect(second.createRuleSet).toMatchObject({ model: 'fresh-accounts', isDefault: false });
    expect(second.createRuleSet.versions[0].definition).toMatchObject({ key: 'fresh-account-rules-2', subject: 'account' });
  });

  it('a second lead model scores the same leads independently once its rule set is published; only it is re-scored', async () => {
    const created = ok(
      await t.gqlAs<{ createRuleSet: { key: string; model: string; isDefault: boolean; versions: Array<{ id: string }> } }>(
        marketing1,
        'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { key model isDefault versions { id } } }',
        { input: { key: RULE_SET_KEY, name: 'Intent signals', model: MODEL, definition: intentDefinition() } },
      ),
    ).createRuleSet;
    // The first rule set of a model is its default; the default model's default stays.
    expect(created).toMatchObject({ key: RULE_SET_KEY, model: MODEL, isDefault: true });
    expect(await t.sql(`SELECT key FROM rule_set WHERE is_default AND model IN ('default', $1) ORDER BY key`, [MODEL])).toEqual([
      { key: 'default-b2b' },
      { key: RULE_SET_KEY },
    ]);
    // Nothing scored in the model before the publish.
    expect((await leadScores('wf-software-vp')).scores.map((score) => score.model)).toEqual(['default']);

    const before = await defaultRows();
    await reviewAndApprove(created.versions[0].id, marketing1);
    const published = ok(
      await t.gql<{ publishVersion: { rescoreJob: Job } }>(
        PUBLISH.replace(`rescoreJob { ${JOB} }`, `rescoreJob { ${JOB} model subject }`),
        {
          id: created.versions[0].id,
        },
      ),
    ).publishVersion.rescoreJob as Job & { model: string; subject: string };
    expect(published).toMatchObject({ ruleSetKey: RULE_SET_KEY, model: MODEL, subject: 'lead', totalLeads: LEAD_COUNT });
    const job = await waitForJob(published.id);
    expect(job).toMatchObject({ doneLeads: LEAD_COUNT, changedLeads: LEAD_COUNT, percent: 100 });
    // The default model's scores are untouched, not even re-timed.
    expect(await defaultRows()).toEqual(before);
    const rows = await t.sql<{ count: number }>(`SELECT count(*)::int AS count FROM model_score WHERE model = $1`, [MODEL]);
    expect(rows[0].count).toBe(LEAD_COUNT);

    const lead = await leadScores('wf-software-vp');
    const [defaultScore, intent] = lead.scores;
    expect(lead.scores.map((score) => score.model)).toEqual(['default', MODEL]);
    expect(defaultScore).toMatchObject({ model: 'default', ruleSetKey: 'default-b2b', total: lead.score.total, cell: lead.score.cell });
    expect(intent).toEqual(lead.modelScore);
    expect(intent).toMatchObject({ ruleSetKey: RULE_SET_KEY, ruleSetVersion: 1, fit: defaultScore.fit });
    expect(intent.engagement).toBeGreaterThan(defaultScore.engagement);
    // Other grades: some leads sit in other cells in the two models.
    const [differ] = await t.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM lead_score s JOIN model_score m ON m.model = $1 AND m.subject_id = s.lead_id WHERE m.cell <> s.cell`,
      [MODEL],
    );
    expect(differ.count).toBeGreaterThan(0);
    // Its reasons explain its own points.
    for (const dimension of ['fit', 'engagement'] as const)
      expect(intent.reasons.filter((r) => r.dimension === dimension.toUpperCase()).reduce((sum, r) => sum + r.points, 0)).toBe(
        intent[dimension],
      );
    expect(intent.reasons.every((reason) => reason.contacts.length === 0)).toBe(true);
    expect((await leadScores('wf-software-vp', 'default')).modelScore).toEqual(defaultScore);
  });

  it('segments are claimed per model: a model maps a segment to its own rule set, re-scoring that model alone', async () => {
    const CREATE =
      'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { key model isDefault segments versions { id } } }';
    type Created = { createRuleSet: { key: string; isDefault: boolean; versions: Array<{ id: string }> } };
    // The default model's rule set for the segment does not stop the intent model from having one.
    ok(await t.gqlAs(marketing1, CREATE, { input: { key: 'enterprise-default', name: 'Enterprise', segments: ['enterprise'] } }));
    const definition = { ...intentDefinition(), key: 'intent-enterprise', name: 'Intent, enterprise' };
    definition.qualification = { ...definition.qualification, threshold: 10 };
    const created = ok(
      await t.gqlAs<Created>(marketing1, CREATE, {
        input: { key: 'intent-enterprise', name: 'Intent, enterprise', model: MODEL, segments: ['enterprise'], definition },
      }),
    ).createRuleSet;
    expect(created).toMatchObject({ key: 'intent-enterprise', isDefault: false });
    // Within one model a segment has one rule set.
    const taken = await t.gqlAs(marketing1, CREATE, {
      input: {
        key: 'intent-enterprise-2',
        name: 'Again',
        model: MODEL,
        segments: ['enterprise'],
        definition: { ...definition, key: 'intent-enterprise-2' },
      },
    });
    expectBadInput(taken, 'input.segments[0]');

    const before = await defaultRows();
    await reviewAndApprove(created.versions[0].id, marketing1);
    const job = ok(await t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: created.versions[0].id })).publishVersion.rescoreJob;
    expect(await waitForJob(job.id)).toMatchObject({ ruleSetKey: 'intent-enterprise', totalLeads: LEAD_COUNT });
    expect(await defaultRows()).toEqual(before);
    const byRuleSet = await t.sql<{ segment: string | null; rule_set_key: string }>(
      'SELECT DISTINCT l.segment, m.rule_set_key FROM model_score m JOIN lead l ON l.id = m.subject_id WHERE m.model = $1 ORDER BY 1',
      [MODEL],
    );
    expect(byRuleSet).toEqual([
      { segment: 'enterprise', rule_set_key: 'intent-enterprise' },
      { segment: null, rule_set_key: RULE_SET_KEY },
    ]);
    // The default model's leads of the segment stay where they were (its rule set there is not published).
    expect(await t.sql(`SELECT DISTINCT rule_set_key FROM lead_score`)).toEqual([{ rule_set_key: 'default-b2b' }]);
  });

  it("an activity of a lead in a segment is scored by the model's rule set for it, whose facts differ from the default's", async () => {
    // A version of the segment's rule set that counts pricing views over 60 days instead of 14.
    const { activeVersionId } = ok(
      await t.gql<{ ruleSet: { activeVersionId: string } }>('query { ruleSet(key: "intent-enterprise") { activeVersionId } }'),
    ).ruleSet;
    const definition = ok(
      await t.gql<{ ruleSetVersion: { definition: Doc } }>('query($id: ID!) { ruleSetVersion(id: $id) { definition } }', {
        id: activeVersionId,
      }),
    ).ruleSetVersion.definition;
    const facts = definition.facts as Array<{ name: string; windowDays?: number }>;
    const pricing = facts.find((fact) => fact.name === 'pricingViews14d');
    if (!pricing) throw new Error('no pricingViews14d fact');
    pricing.windowDays = 60;
    const draft = ok(
      await t.gqlAs<{ createDraft: { id: string } }>(
        marketing1,
        'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }',
        {
          input: { ruleSetKey: 'intent-enterprise', definition },
        },
      ),
    ).createDraft;
    await reviewAndApprove(draft.id, marketing1);
    await waitForJob(ok(await t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: draft.id })).publishVersion.rescoreJob.id);
    const before = await leadScores('wf-enterprise-software');
    expect(before.modelScore).toMatchObject({ ruleSetKey: 'intent-enterprise', ruleSetVersion: 2 });
    expect(before.modelScore?.reasons.map((reason) => reason.rule)).not.toContain('eng-pricing-views-repeat');

    // A pricing view 30 days ago: a second one inside 60 days, none more inside 14.
    ok(
      await t.gql('mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }', {
        input: {
          leadExternalId: 'wf-enterprise-software',
          type: 'PRICING_PAGE_VIEW',
          occurredAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
          idempotencyKey: 'models-enterprise-pricing',
        },
      }),
    );
    const after = await leadScores('wf-enterprise-software');
    expect(after.modelScore).toMatchObject({ ruleSetKey: 'intent-enterprise', ruleSetVersion: 2 });
    expect(after.modelScore?.reasons.map((reason) => reason.rule)).toContain('eng-pricing-views-repeat');
    expect(after.modelScore?.engagement).toBeGreaterThan(before.modelScore?.engagement ?? 0);
  });

  it('an activity moves the lead in both models', async () => {
    const before = await leadScores('wf-consultant');
    ok(
      await t.gql('mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }', {
        input: {
          leadExternalId: 'wf-consultant',
          type: 'DEMO_REQUEST',
          occurredAt: new Date().toISOString(),
          idempotencyKey: 'models-demo',
        },
      }),
    );
    const after = await leadScores('wf-consultant');
    expect(after.score.engagement).toBeGreaterThan(before.score.engagement);
    expect(after.modelScore?.engagement).toBeGreaterThan(before.modelScore?.engagement ?? 0);
    expect((after.modelScore?.engagement ?? 0) - (before.modelScore?.engagement ?? 0)).toBeGreaterThan(
      after.score.engagement - before.score.engagement,
    );
    const history = await t.sql<{ cause: string; old_total: number; new_total: number }>(
      'SELECT cause, old_total, new_total FROM model_score_history WHERE model = $1 AND subject_id = $2::bigint ORDER BY id DESC LIMIT 1',
      [MODEL, after.id],
    );
    expect(history).toEqual([{ cause: 'activity_recorded', old_total: before.modelScore?.total, new_total: after.modelScore?.total }]);
    // Each model's history through the API, the default one's too.
    const HISTORY = `query($x: String!, $model: String!) { lead(externalId: $x) { modelHistory(model: $model, first: 1) {
      model cause before { total } after { total } } } }`;
    const read = async (model: string) =>
      ok(await t.gql<{ lead: { modelHistory: unknown[] } }>(HISTORY, { x: 'wf-consultant', model })).lead.modelHistory;
    expect(await read(MODEL)).toEqual([
      { model: MODEL, cause: 'activity_recorded', before: { total: before.modelScore?.total }, after: { total: after.modelScore?.total } },
    ]);
    expect(await read('default')).toEqual([
      { model: 'default', cause: 'activity_recorded', before: { total: before.score.total }, after: { total: after.score.total } },
    ]);
    expectBadInput(await t.gql(HISTORY, { x: 'wf-consultant', model: 'account' }), 'model');
  });

  it('an activity that leaves the model score as it was re-times it (scoredAt, lastActivityAt) without a history entry', async () => {
    const READ = `query($x: String!) { lead(externalId: $x) { id modelScore(model: "${MODEL}") { total cell reasons { rule } scoredAt lastActivityAt } } }`;
    type Read = { lead: { id: string; modelScore: { total: number; cell: string; scoredAt: string; lastActivityAt: string | null } } };
    const before = ok(await t.gql<Read>(READ, { x: 'wf-software-vp' })).lead;
    const historyCount = async () =>
      (
        await t.sql<{ count: number }>(
          'SELECT count(*)::int AS count FROM model_score_history WHERE model = $1 AND subject_id = $2::bigint',
          [MODEL, before.id],
        )
      )[0].count;
    const entries = await historyCount();
    // A registration only counts as activity (days since the last one), which is 0 before and after.
    const occurredAt = new Date().toISOString();
    ok(
      await t.gql('mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }', {
        input: { leadExternalId: 'wf-software-vp', type: 'WEBINAR_REGISTRATION', occurredAt, idempotencyKey: 'models-registration' },
      }),
    );
    const after = ok(await t.gql<Read>(READ, { x: 'wf-software-vp' })).lead;
    expect({ ...after.modelScore, scoredAt: null, lastActivityAt: null }).toEqual({
      ...before.modelScore,
      scoredAt: null,
      lastActivityAt: null,
    });
    expect(new Date(after.modelScore.scoredAt).getTime()).toBeGreaterThan(new Date(before.modelScore.scoredAt).getTime());
    expect(after.modelScore.lastActivityAt).toBe(occurredAt);
    expect(await historyCount()).toBe(entries);
  });

  it('leads(model:) filters, counts and orders by that model, page after page', async () => {
    const totals = new Map(
      (
        await t.sql<{ external_id: string; total: number }>(
          'SELECT l.external_id, m.total FROM model_score m JOIN lead l ON l.id = m.subject_id WHERE m.model = $1',
          [MODEL],
        )
      ).map((row) => [row.external_id, row.total]),
    );
    const threshold = [...totals.values()].sort((a, b) => b - a)[3];
    const expected = [...totals.entries()].filter(([, total]) => total >= threshold);
    type Page = {
      leads: {
        totalCount: number;
        edges: Array<{ cursor: string; node: { externalId: string; modelScore: { total: number } } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const seen: Array<{ externalId: string; total: number }> = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const page: Page = ok(
        await t.gql<Page>(LEADS, { model: MODEL, filter: { minTotal: threshold }, orderBy: 'SCORE_DESC', first: 2, after }),
      );
      expect(page.leads.totalCount).toBe(expected.length);
      seen.push(...page.leads.edges.map((edge) => ({ externalId: edge.node.externalId, total: edge.node.modelScore.total })));
      if (!page.leads.pageInfo.hasNextPage) break;
      after = page.leads.pageInfo.endCursor;
    }
    expect(seen.map((lead) => lead.externalId).sort()).toEqual(expected.map(([id]) => id).sort());
    expect(seen.map((lead) => lead.total)).toEqual([...seen.map((lead) => lead.total)].sort((a, b) => b - a));
    for (const lead of seen) expect(lead.total).toBe(totals.get(lead.externalId));
    // The default model's order is another one: its cursors are no position in this model's.
    const defaultPage = ok(await t.gql<Page>(LEADS, { orderBy: 'SCORE_DESC', first: 1 })).leads;
    expect(onlyError(await t.gql(LEADS, { model: MODEL, first: 1, after: defaultPage.edges[0].cursor })).extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('refuses a model of accounts or an unknown model, naming `model`', async () => {
    expectBadInput(await t.gql(LEADS, { model: 'account', first: 1 }), 'model');
    expectBadInput(await t.gql(LEADS, { model: 'no-such-model', first: 1 }), 'model');
    expectBadInput(await t.gql(LEAD_SCORES, { x: 'wf-software-vp', model: 'account' }), 'model');
    expectBadInput(await t.gql(LEAD_SCORES, { x: 'wf-software-vp', model: 'nope' }), 'model');
  });

  it("refuses a draft whose subject is not its model's, naming `subject`", async () => {
    const account = JSON.parse(readFileSync(path.join(RULES_DIR, 'account-default.json'), 'utf8')) as Doc;
    // A lead definition in the account model, and an account definition in a lead model.
    const lead = { ...structuredClone(DEFAULT_B2B), key: account.key as string, name: 'Lead rules' };
    const draft = 'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }';
    expectBadInput(await t.gqlAs(marketing1, draft, { input: { ruleSetKey: account.key, definition: lead } }), 'input.definition.subject');
    expectBadInput(
      await t.gqlAs(marketing1, draft, { input: { ruleSetKey: 'default-b2b', definition: { ...account, key: 'default-b2b' } } }),
      'input.definition.subject',
    );
  });

  it('the decay pass decays the model too', async () => {
    const before = await leadScores('wf-software-vp');
    // Its activities four months older: the pass (as of now) finds it long inactive.
    await t.sql(`UPDATE activity SET occurred_at = occurred_at - interval '120 days' WHERE lead_id = $1::bigint`, [before.id]);
    ok(await t.gql('mutation { runDecayPass { leadsScored } }'));
    const after = await leadScores('wf-software-vp');
    expect(after.score.engagement).toBeLessThan(before.score.engagement);
    expect(after.modelScore?.engagement).toBeLessThan(before.modelScore?.engagement ?? 0);
    const [last] = await t.sql<{ cause: string }>(
      'SELECT cause FROM model_score_history WHERE model = $1 AND subject_id = $2::bigint ORDER BY id DESC LIMIT 1',
      [MODEL, after.id],
    );
    expect(last.cause).toBe('decay');
  });

  it('erasing a lead removes its model scores and their history', async () => {
    const lead = await leadScores('wf-student');
    expect(lead.modelScore).not.toBeNull();
    ok(await t.gql('mutation($x: String) { eraseLead(externalId: $x) { leadId } }', { x: 'wf-student' }));
    // (Account models' rows of an account with the same id are another subject's.)
    expect(await t.sql('SELECT model FROM model_score WHERE model = $1 AND subject_id = $2::bigint', [MODEL, lead.id])).toEqual([]);
    expect(await t.sql('SELECT model FROM model_score_history WHERE model = $1 AND subject_id = $2::bigint', [MODEL, lead.id])).toEqual([]);
    const others = await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM model_score WHERE model = $1', [MODEL]);
    expect(others[0].count).toBe(LEAD_COUNT - 1);
  });
});
