import { expect } from 'vitest';
import type { UserPrincipal } from '../../server/src/auth/principal';
import { ok } from './scores';
import { createTestApp, type TestApp } from './test-app';
import { until } from './wait';

/* What the account scoring tests share: the GraphQL documents, the shipped account rule set's points, and helpers. */

export interface ModelScore {
  model: string;
  ruleSetVersion: number;
  total: number;
  fit: number;
  engagement: number;
  cell: string;
  band: string;
  lastActivityAt: string | null;
  reasons: Array<{ rule: string; points: number; contacts: Array<{ leadId: string; label: string }> }>;
}
export interface Change {
  cause: string;
  ruleSetVersion: number;
  before: { total: number; band: string } | null;
  after: { total: number; band: string };
}
/** A rule set document as JSON, changed in place by the tests. */
export type Definition = {
  facts: Array<Record<string, unknown>>;
  rules: Array<{
    name: string;
    conditions: unknown;
    event: { type: string; params: { dimension: string; points: number; label: string } };
  }>;
};
export interface AccountNode {
  id: string;
  score: ModelScore | null;
  scores: ModelScore[];
  history: Change[];
}

export const SCORE = 'model ruleSetVersion total fit engagement cell band lastActivityAt reasons { rule points contacts { leadId label } }';
export const ACCOUNT = `query($x: String, $first: Int) { account(externalId: $x) {
  id score { ${SCORE} } scores { ${SCORE} } history(first: $first) { cause ruleSetVersion before { total band } after { total band } } } }`;
const UPSERT_ACCOUNTS = 'mutation($input: UpsertAccountsInput!) { upsertAccounts(input: $input) { results { errors { path message } } } }';
const UPSERT_LEAD = 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id score { total band } } }';
export const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { score { total band } } }';

/** The shipped account rule set's firmographic fit for these attributes: target industry, 200-5,000 employees, a served country. */
export const ACME = { industry: 'software', employees: 800, country: 'US' };
export const ACME_FIT = 25 + 25 + 15;
/** A VP of a target-industry company of 800 (lead fit 55); a demo request makes her an engaged contact (40 points). */
export const VP = { industry: 'software', companySize: 800, seniority: 'vp' };

export interface AccountScoringWorld {
  t: TestApp;
  marketing: UserPrincipal;
  marketing2: UserPrincipal;
  sales: UserPrincipal;
}

/** An app with workers and the reviewers a release needs (the account-scope catalog is installed on first start). */
export async function setUpAccountScoring(): Promise<AccountScoringWorld> {
  const t = await createTestApp({ workers: true });
  const user = async (name: string, role: 'marketing' | 'sales'): Promise<UserPrincipal> => {
    const created = await t.app.services.auth.createUser({ email: `${name}@acme.io`, name, role, password: 'correct horse battery' });
    return { kind: 'user', userId: created.id, email: created.email, name: created.name, role };
  };
  const world = {
    t,
    marketing: await user('marketing1', 'marketing'),
    marketing2: await user('marketing2', 'marketing'),
    sales: await user('sales1', 'sales'),
  };
  return world;
}

/** Helpers acting on the world the test file set up (`w` is called when they run). */
export function accountScoringHelpers(w: () => AccountScoringWorld) {
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  let keys = 0;

  async function account(externalId: string, first = 20): Promise<AccountNode> {
    return ok(await w().t.gql<{ account: AccountNode }>(ACCOUNT, { x: externalId, first })).account;
  }

  async function upsertAccount(externalId: string, attributes: Record<string, unknown>): Promise<void> {
    const { upsertAccounts } = ok(
      await w().t.gql<{ upsertAccounts: { results: Array<{ errors: unknown[] }> } }>(UPSERT_ACCOUNTS, {
        input: { accounts: [{ externalId, name: externalId, attributes }] },
      }),
    );
    expect(upsertAccounts.results[0].errors).toEqual([]);
  }

  async function contact(externalId: string, accountExternalId: string | null, attributes: Record<string, unknown>): Promise<string> {
    const input = { externalId, email: `${externalId}@${accountExternalId ?? 'none'}.example`, accountExternalId, attributes };
    return ok(await w().t.gql<{ upsertLead: { id: string } }>(UPSERT_LEAD, { input })).upsertLead.id;
  }

  async function demoRequest(leadExternalId: string, occurredAt = hourAgo): Promise<{ total: number; band: string }> {
    keys += 1;
    const input = { leadExternalId, type: 'DEMO_REQUEST', occurredAt, idempotencyKey: `acct-scoring-${keys}` };
    return ok(await w().t.gql<{ recordActivity: { score: { total: number; band: string } } }>(RECORD, { input })).recordActivity.score;
  }

  /** Releases a new version of a rule set (draft, two approvals, publish) and waits for its re-score job to complete. */
  async function release(ruleSetKey: string, change: (definition: Definition) => void): Promise<void> {
    const { t, marketing } = w();
    const { ruleSet } = ok(
      await t.gql<{ ruleSet: { activeVersionId: string } }>('query($key: String!) { ruleSet(key: $key) { activeVersionId } }', {
        key: ruleSetKey,
      }),
    );
    const { ruleSetVersion } = ok(
      await t.gql<{ ruleSetVersion: { definition: Definition } }>('query($id: ID!) { ruleSetVersion(id: $id) { definition } }', {
        id: ruleSet.activeVersionId,
      }),
    );
    const definition = structuredClone(ruleSetVersion.definition);
    change(definition);
    const draft = ok(
      await t.gqlAs<{ createDraft: { id: string } }>(
        marketing,
        'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }',
        {
          input: { ruleSetKey, definition },
        },
      ),
    ).createDraft;
    await publishDraft(draft.id, ruleSetKey);
  }

  /** Has the draft reviewed (two approvals) and published; waits for its re-score job to complete. */
  async function publishDraft(draftId: string, ruleSetKey: string): Promise<void> {
    const { t, marketing, marketing2, sales } = w();
    ok(await t.gqlAs(marketing, 'mutation($id: ID!) { submitForReview(versionId: $id) { id } }', { id: draftId }));
    for (const reviewer of [marketing2, sales])
      ok(
        await t.gqlAs(reviewer, 'mutation($input: ReviewInput!) { approveVersion(input: $input) { id } }', {
          input: { versionId: draftId },
        }),
      );
    const { publishVersion } = ok(
      await t.gql<{ publishVersion: { rescoreJob: { id: string } } }>(
        'mutation($id: ID!) { publishVersion(versionId: $id) { rescoreJob { id } } }',
        {
          id: draftId,
        },
      ),
    );
    await until(
      async () => {
        const { rescoreJob } = ok(
          await t.gql<{ rescoreJob: { status: string } }>('query($id: ID!) { rescoreJob(id: $id) { status } }', publishVersion.rescoreJob),
        );
        if (rescoreJob.status === 'failed') throw new Error(`the re-score job of ${ruleSetKey} failed`);
        return rescoreJob.status === 'completed';
      },
      `the re-score job of ${ruleSetKey} completes`,
      60_000,
    );
  }

  /** Waits until no deferred account work is left (pending rows, logged stale accounts). */
  async function settled(): Promise<void> {
    await until(
      async () =>
        (
          await w().t.sql<{ n: number }>(
            'SELECT ((SELECT count(*) FROM account_rescore_pending) + (SELECT count(*) FROM account_recompute_log))::int AS n',
          )
        )[0].n === 0,
      'the deferred account work is done',
    );
  }

  return { hourAgo, account, upsertAccount, contact, demoRequest, release, publishDraft, settled };
}
