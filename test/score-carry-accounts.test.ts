import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, type AccountScoringWorld, accountScoringHelpers, SCORE, setUpAccountScoring, VP } from './support/account-scoring';
import { ok } from './support/scores';
import type { TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * A publish of an account model leaves the model_score rows of accounts whose score did not change
 * as they are, without a history row (issue 18, account model publish); every read of an account
 * score's version still names the version that last re-scored it (model_score_carry, migration 27).
 */

let w: AccountScoringWorld;
let t: TestApp;
const { account, upsertAccount, contact, demoRequest, release } = accountScoringHelpers(() => w);

beforeAll(async () => {
  w = await setUpAccountScoring();
  t = w.t;
});
afterAll(async () => {
  await w?.t.close();
});

/** Accounts outside the target industry: the raised industry rule leaves their scores as they are. */
const QUIET = ['acct-retail', 'acct-logistics'];

interface RowState {
  rowXmin: string;
  storedVersion: number;
}

async function rowStates(): Promise<Map<string, RowState>> {
  const rows = await t.sql<RowState & { externalId: string }>(
    `SELECT a.external_id AS "externalId", m.xmin::text AS "rowXmin", m.rule_set_version AS "storedVersion"
       FROM model_score m JOIN account a ON a.id = m.subject_id WHERE m.model = 'account'`,
  );
  return new Map(rows.map(({ externalId, ...row }) => [externalId, row]));
}

async function expectEveryAccountOn(version: number): Promise<void> {
  for (const externalId of ['acct-acme', ...QUIET]) {
    const node = await account(externalId);
    expect(node.score?.ruleSetVersion, externalId).toBe(version);
    expect(
      node.scores.map((score) => score.ruleSetVersion),
      externalId,
    ).toEqual([version]);
  }
  const listed = ok(
    await t.gql<{ accounts: { edges: Array<{ node: { externalId: string; score: { ruleSetVersion: number } | null } }> } }>(
      `{ accounts(first: 50) { edges { node { externalId score { ${SCORE} } } } } }`,
    ),
  ).accounts.edges.map((edge) => edge.node);
  expect(listed.length).toBeGreaterThanOrEqual(3);
  for (const node of listed) expect(node.score?.ruleSetVersion, node.externalId).toBe(version);
}

const raiseIndustry = (by: number) => (definition: { rules: Array<{ name: string; event: { params: { points: number } } }> }) => {
  const industry = definition.rules.find((rule) => rule.name === 'fit-target-industry');
  if (!industry) throw new Error('the shipped account rule set has no fit-target-industry rule');
  industry.event.params.points += by;
};

describe('account scores left unwritten by a publish read as the version they were carried to', () => {
  let v1Id: string;

  it('a publish writes only the changed account scores; every read says the new version', async () => {
    await upsertAccount('acct-acme', ACME);
    await contact('acme-ana', 'acct-acme', { firstName: 'Ana', ...VP });
    await upsertAccount('acct-retail', { industry: 'retail', employees: 800, country: 'US' });
    await contact('retail-bo', 'acct-retail', { firstName: 'Bo', industry: 'retail', companySize: 800, seniority: 'vp' });
    await upsertAccount('acct-logistics', { industry: 'logistics', employees: 300, country: 'DE' });
    await contact('logistics-cy', 'acct-logistics', { firstName: 'Cy', industry: 'logistics', companySize: 300 });
    await until(async () => (await rowStates()).size === 3, 'the three accounts are scored');
    const [{ id }] = await t.sql<{ id: string }>(`SELECT active_version_id::text AS id FROM rule_set WHERE key = 'account-default'`);
    v1Id = id;
    const before = await rowStates();
    const scoresBefore = new Map<string, unknown>();
    for (const externalId of QUIET) scoresBefore.set(externalId, (await account(externalId)).score);

    await release('account-default', raiseIndustry(5));

    const after = await rowStates();
    for (const externalId of QUIET) {
      // Not rewritten: the same row version, still naming version 1, and no history row for it.
      expect(after.get(externalId)?.rowXmin, externalId).toBe(before.get(externalId)?.rowXmin);
      expect(after.get(externalId)?.storedVersion, externalId).toBe(1);
      const node = await account(externalId);
      expect(node.history.filter((change) => change.cause === 'rule_set_published')).toEqual([]);
      expect({ ...node.score, ruleSetVersion: 1 }).toEqual(scoresBefore.get(externalId));
    }
    expect(after.get('acct-acme')?.storedVersion).toBe(2);
    expect((await account('acct-acme')).history[0]).toMatchObject({ cause: 'rule_set_published', ruleSetVersion: 2 });
    await expectEveryAccountOn(2);
  });

  it('a score written after the carry names its own version; a rollback carries the unchanged again', async () => {
    // An activity changes the retail account's score: written with version 2, past the carry.
    await demoRequest('retail-bo');
    await until(async () => (await rowStates()).get('acct-retail')?.storedVersion === 2, 'the retail account is re-scored');
    expect((await account('acct-retail')).score?.ruleSetVersion).toBe(2);

    const { rollbackRuleSet } = ok(
      await t.gql<{ rollbackRuleSet: { version: { version: number }; rescoreJob: { id: string } } }>(
        `mutation($key: String!, $to: ID!) { rollbackRuleSet(ruleSetKey: $key, toVersionId: $to) { version { version } rescoreJob { id } } }`,
        { key: 'account-default', to: v1Id },
      ),
    );
    expect(rollbackRuleSet.version.version).toBe(3);
    await until(async () => {
      const [job] = await t.sql<{ status: string }>('SELECT status FROM rescore_job WHERE id = $1::bigint', [
        rollbackRuleSet.rescoreJob.id,
      ]);
      if (job?.status === 'failed') throw new Error('the rollback re-score failed');
      return job?.status === 'completed';
    }, 'the rollback re-score completes');
    const states = await rowStates();
    // Rows left unwritten still name version 1 or 2 themselves: the reads resolve them to 3.
    expect(states.get('acct-logistics')?.storedVersion).toBe(1);
    expect(states.get('acct-retail')?.storedVersion).toBe(2);
    expect(states.get('acct-acme')?.storedVersion).toBe(3);
    await expectEveryAccountOn(3);
  });
});
