import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACME,
  ACME_FIT,
  type AccountScoringWorld,
  type Change,
  type ModelScore,
  SCORE,
  VP,
  accountScoringHelpers,
  setUpAccountScoring,
} from './support/account-scoring';
import { resolvedModelVersionSql } from '../server/src/scoring/models/model-score-store';
import { ok } from './support/scores';
import type { TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * Account scores across publishes and models (issue 18 items 2, 3 and 6): an account model's publish
 * re-scores every account through a chunked, resumable job; an account too big for a request is
 * recomputed by the worker; a second account model scores on its own; a lead rule set reading its
 * account's score has its contacts re-scored when that score changes.
 */

/** After this file's version 2 of the account model (industry +5). */
const ACME_FIT_V2 = ACME_FIT + 5;

let w: AccountScoringWorld;
let t: TestApp;
const { hourAgo, account, upsertAccount, contact, demoRequest, release, publishDraft } = accountScoringHelpers(() => w);

beforeAll(async () => {
  w = await setUpAccountScoring();
  t = w.t;
});

afterAll(async () => {
  await w?.t.close();
});

describe('account scores across publishes and models', () => {
  it('a publish of the account model re-scores every account (the job completes)', async () => {
    await upsertAccount('acct-acme', ACME);
    await contact('acme-ana', 'acct-acme', { firstName: 'Ana', ...VP });
    await upsertAccount('acct-other', { industry: 'software', employees: 50, country: 'DE' });
    await contact('other-cy', 'acct-other', { firstName: 'Cy', industry: 'software', companySize: 50 });
    // More accounts than one chunk of a re-score job (5,000): the job lists them page after page.
    await t.sql(`INSERT INTO account (external_id, name) SELECT 'acct-bulk-' || g, 'Bulk ' || g FROM generate_series(1, 5100) AS g`);
    await release('account-default', (definition) => {
      const industry = definition.rules.find((rule) => rule.name === 'fit-target-industry');
      if (!industry) throw new Error('the shipped account rule set has no fit-target-industry rule');
      industry.event.params.points += 5;
    });

    const acme = await account('acct-acme');
    expect(acme.score).toMatchObject({ ruleSetVersion: 2, fit: ACME_FIT_V2 });
    expect(acme.history[0]).toMatchObject({ cause: 'rule_set_published', ruleSetVersion: 2 });
    expect((await account('acct-other')).score).toMatchObject({ ruleSetVersion: 2, fit: 25 + 15 + 5 });
    const [left] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM account a WHERE a.merged_into_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM model_score s WHERE s.model = 'account' AND s.subject_id = a.id
                             AND ${resolvedModelVersionSql('s').version} = 2)`,
    );
    expect(left.n).toBe(0);
  });

  it('leaves an account of 3,000 contacts to the worker, which recomputes it', async () => {
    await upsertAccount('acct-big', ACME);
    const [{ id }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id = 'acct-big'`);
    await t.sql(
      `INSERT INTO lead (external_id, email, account_id, account_source, attributes)
       SELECT 'big-' || g, 'p' || g || '@big.example', $1::bigint, 'client', '{"seniority": "manager"}'::jsonb
         FROM generate_series(1, 3000) AS g`,
      [id],
    );
    await demoRequest('big-1');
    // The request scored the lead, asked for the account's recompute and read no contact.
    expect((await account('acct-big')).score).toBeNull();
    const [pending] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM account_rescore_pending WHERE account_id = $1::bigint`, [
      id,
    ]);
    expect(pending.n).toBe(1);

    await until(async () => (await account('acct-big')).score !== null, 'the worker recomputes the big account', 30_000);
    const big = await account('acct-big');
    expect(big.score).toMatchObject({ fit: ACME_FIT_V2, ruleSetVersion: 2, lastActivityAt: hourAgo });
    expect(big.history[0]).toMatchObject({ cause: 'activity_recorded', before: null });
    await until(
      async () => (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM account_rescore_pending'))[0].n === 0,
      'no account work is left',
    );
  });

  it('a second account model scores the same accounts on its own', async () => {
    ok(
      await t.gql('mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }', {
        input: { key: 'product-fit', name: 'Product fit', subject: 'ACCOUNT' },
      }),
    );
    // Without a definition, the model's first rule set starts from the shipped account rule set (version 1's points).
    const { createRuleSet } = ok(
      await t.gqlAs<{ createRuleSet: { versions: Array<{ id: string }> } }>(
        w.marketing,
        'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { versions { id } } }',
        { input: { key: 'product-fit-accounts', name: 'Product fit of accounts', model: 'product-fit' } },
      ),
    );
    await publishDraft(createRuleSet.versions[0].id, 'product-fit-accounts');
    const acme = await account('acct-acme');
    expect(acme.scores.map((score) => score.model)).toEqual(['account', 'product-fit']);
    expect(acme.score).toMatchObject({ model: 'account', fit: ACME_FIT_V2 });
    const { account: other } = ok(
      await t.gql<{ account: { score: ModelScore; history: Change[] } }>(
        `query { account(externalId: "acct-acme") { score(model: "product-fit") { ${SCORE} } history(model: "product-fit") { cause ruleSetVersion } } }`,
      ),
    );
    expect(other.score).toMatchObject({ model: 'product-fit', fit: ACME_FIT, ruleSetVersion: 1 });
    expect(other.history).toEqual([{ cause: 'rule_set_published', ruleSetVersion: 1 }]);
  });

  it('re-scores the contacts of an account whose score changed when a lead rule set reads it (account_changed)', async () => {
    await release('default-b2b', (definition) => {
      definition.facts.push({ name: 'accountFitGrade', label: 'Account fit grade', type: 'string', source: 'account', field: 'fitGrade' });
      definition.rules.push({
        name: 'fit-account-a',
        conditions: { all: [{ fact: 'accountFitGrade', operator: 'equal', value: 'A' }] },
        event: { type: 'score', params: { dimension: 'fit', points: 10, label: 'Their company fits' } },
      });
    });
    await upsertAccount('acct-fits', ACME);
    // Scored first without the account's score (it has none), then again once the account is scored A.
    await contact('fits-dee', 'acct-fits', { firstName: 'Dee', industry: 'software', companySize: 800, seniority: 'vp' });
    const { lead } = ok(
      await t.gql<{
        lead: { score: { fit: number; reasons: Array<{ rule: string }> }; scoreHistory: { edges: Array<{ node: { cause: string } }> } };
      }>('query { lead(externalId: "fits-dee") { score { fit reasons { rule } } scoreHistory(first: 5) { edges { node { cause } } } } }'),
    );
    expect(lead.score.reasons.map((reason) => reason.rule)).toContain('fit-account-a');
    expect(lead.score.fit).toBe(55 + 10);
    expect(lead.scoreHistory.edges.map((edge) => edge.node.cause)).toEqual(['account_changed', 'lead_created']);
    expect((await account('acct-fits')).score).toMatchObject({ fit: ACME_FIT_V2 });
  });

  it('leaves a re-score of more than 500 contacts to the worker, which does it chunk by chunk', async () => {
    await upsertAccount('acct-crowd', ACME);
    const [{ id }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM account WHERE external_id = 'acct-crowd'`);
    await t.sql(
      `INSERT INTO lead (external_id, email, account_id, account_source, attributes)
       SELECT 'crowd-' || g, 'c' || g || '@crowd.example', $1::bigint, 'client', '{}'::jsonb FROM generate_series(1, 1200) AS g`,
      [id],
    );
    // The account's first score (A) comes with this contact: its 1,201 contacts are re-scored by the
    // worker (1,200 of them for the first time: nothing else scores them).
    await contact('crowd-gus', 'acct-crowd', { firstName: 'Gus', ...VP });
    const scored = async () =>
      (
        await t.sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM lead l JOIN lead_score s ON s.lead_id = l.id WHERE l.account_id = $1::bigint',
          [id],
        )
      )[0].n;
    await until(async () => (await scored()) === 1201, 'every contact is re-scored', 60_000);
    const [gus] = await t.sql<{ causes: string[] }>(
      `SELECT array_agg(h.cause ORDER BY h.id) AS causes FROM score_history h JOIN lead l ON l.id = h.lead_id WHERE l.external_id = 'crowd-gus'`,
    );
    expect(gus.causes).toEqual(['lead_created', 'account_changed']);
    const { lead } = ok(
      await t.gql<{ lead: { score: { reasons: Array<{ rule: string }> } } }>(
        'query { lead(externalId: "crowd-7") { score { reasons { rule } } } }',
      ),
    );
    expect(lead.score.reasons.map((reason) => reason.rule)).toContain('fit-account-a');
  });
});
