import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DEFAULT_B2B, type Doc, ok } from './support/rule-sets';
import {
  type Job,
  LEAD_COUNT,
  PUBLISH,
  RAISED_RULE,
  ROLLBACK,
  setUpWorkflow,
  TARGET_INDUSTRY_LEADS,
  workflowHelpers,
} from './support/ruleset-workflow';
import type { TestApp } from './support/test-app';

/*
 * A publish of a second lead model leaves the model_score rows of leads whose score in it did not
 * change as they are, without a history row (issue 18); every read of the model score's version
 * still names the version that last re-scored it (model_score_carry, migration 27).
 */

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;
const { waitForJob, reviewAndApprove } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));

beforeAll(async () => {
  ({ t, marketing1, marketing2, sales1, viewer1 } = await setUpWorkflow());
});
afterAll(async () => {
  await t?.close();
});

const MODEL = 'intent';
const KEY = 'intent-signals';

interface RowState {
  rowXmin: string;
  storedVersion: number;
}

async function rowStates(): Promise<Map<string, RowState>> {
  const rows = await t.sql<RowState & { externalId: string }>(
    `SELECT l.external_id AS "externalId", m.xmin::text AS "rowXmin", m.rule_set_version AS "storedVersion"
       FROM model_score m JOIN lead l ON l.id = m.subject_id WHERE m.model = $1`,
    [MODEL],
  );
  return new Map(rows.map(({ externalId, ...row }) => [externalId, row]));
}

const SCORE = 'model ruleSetKey ruleSetVersion total reasons { rule points }';
interface Score {
  model: string;
  ruleSetVersion: number;
  total: number;
  reasons: Array<{ rule: string; points: number }>;
}

async function expectEveryLeadOn(version: number): Promise<Map<string, Score>> {
  const { leads } = ok(
    await t.gql<{ leads: { edges: Array<{ node: { id: string; externalId: string; modelScore: Score | null } }> } }>(
      `{ leads(model: "${MODEL}", first: 100, orderBy: SCORE_DESC) { edges { node { id externalId modelScore(model: "${MODEL}") { ${SCORE} } } } } }`,
    ),
  );
  expect(leads.edges).toHaveLength(LEAD_COUNT);
  const scores = new Map<string, Score>();
  for (const { node } of leads.edges) {
    expect(node.modelScore?.ruleSetVersion, node.externalId).toBe(version);
    const { lead } = ok(
      await t.gql<{ lead: { scores: Score[]; modelScore: Score } }>(
        `query($id: ID!) { lead(id: $id) { scores { ${SCORE} } modelScore(model: "${MODEL}") { ${SCORE} } } }`,
        { id: node.id },
      ),
    );
    expect(lead.modelScore.ruleSetVersion, node.externalId).toBe(version);
    expect(lead.scores.find((score) => score.model === MODEL)?.ruleSetVersion, node.externalId).toBe(version);
    scores.set(node.externalId, lead.modelScore);
  }
  return scores;
}

async function publish(versionId: string): Promise<Job> {
  await reviewAndApprove(versionId, marketing1);
  return waitForJob(ok(await t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: versionId })).publishVersion.rescoreJob.id);
}

describe('model scores left unwritten by a publish read as the version they were carried to', () => {
  let v1Id: string;
  let v1Scores: Map<string, Score>;

  it('a points-only publish of a lead model writes only its changed scores; every read says the new version', async () => {
    ok(
      await t.gqlAs(marketing1, 'mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }', {
        input: { key: MODEL, name: 'Intent', subject: 'LEAD' },
      }),
    );
    const definition: Doc = { ...structuredClone(DEFAULT_B2B), key: KEY, name: 'Intent signals' };
    const created = ok(
      await t.gqlAs<{ createRuleSet: { versions: Array<{ id: string }> } }>(
        marketing1,
        'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { versions { id } } }',
        { input: { key: KEY, name: 'Intent signals', model: MODEL, definition } },
      ),
    ).createRuleSet;
    v1Id = created.versions[0].id;
    await publish(v1Id);
    v1Scores = await expectEveryLeadOn(1);
    const before = await rowStates();

    const raised = structuredClone(definition);
    const rule = raised.rules.find((r: { name: string }) => r.name === RAISED_RULE);
    if (!rule) throw new Error(`no ${RAISED_RULE}`);
    rule.event.params.points += 10;
    const draft = ok(
      await t.gqlAs<{ createDraft: { id: string } }>(
        marketing1,
        'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }',
        {
          input: { ruleSetKey: KEY, definition: raised },
        },
      ),
    ).createDraft;
    const job = await publish(draft.id);
    expect(job.changedLeads).toBe(TARGET_INDUSTRY_LEADS.length);

    const after = await rowStates();
    const unchanged = [...before.keys()].filter((externalId) => !TARGET_INDUSTRY_LEADS.includes(externalId));
    expect(unchanged.length).toBeGreaterThan(0);
    for (const externalId of unchanged) {
      expect(after.get(externalId)?.rowXmin, externalId).toBe(before.get(externalId)?.rowXmin);
      expect(after.get(externalId)?.storedVersion, externalId).toBe(1);
    }
    for (const externalId of TARGET_INDUSTRY_LEADS) expect(after.get(externalId)?.storedVersion, externalId).toBe(2);
    const [history] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM model_score_history h JOIN rule_set_version v ON v.id = h.rule_set_version_id
        WHERE h.model = $1 AND v.version = 2`,
      [MODEL],
    );
    expect(history.n).toBe(TARGET_INDUSTRY_LEADS.length);

    const v2Scores = await expectEveryLeadOn(2);
    for (const externalId of unchanged)
      expect({ ...v2Scores.get(externalId), ruleSetVersion: 1 }, externalId).toEqual(v1Scores.get(externalId));
  });

  it('an activity writes the version that scored it; a rollback carries every lead again', async () => {
    const quiet = [...(await rowStates()).entries()].find(([externalId]) => !TARGET_INDUSTRY_LEADS.includes(externalId))?.[0] as string;
    ok(
      await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
        input: { leadExternalId: quiet, type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'model-carry-quiet-1' },
      }),
    );
    expect((await rowStates()).get(quiet)?.storedVersion).toBe(2);

    const { rollbackRuleSet } = ok(
      await t.gql<{ rollbackRuleSet: { version: { version: number }; rescoreJob: Job } }>(ROLLBACK, { key: KEY, to: v1Id }),
    );
    expect(rollbackRuleSet.version.version).toBe(3);
    await waitForJob(rollbackRuleSet.rescoreJob.id);
    const states = await rowStates();
    expect([...states.values()].some((row) => row.storedVersion !== 3)).toBe(true);
    await expectEveryLeadOn(3);
  });
});
