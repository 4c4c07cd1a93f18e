import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCT_MODEL, DEMO_PRODUCT_RULE_SET } from '../server/src/demo/demo-models';
import { seedDemoData } from '../server/src/demo/seed-demo';
import { ok } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';

/* `npm run demo`: contacts grouped into accounts with scores and outcomes, and a second lead model. */

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

let t: TestApp;
let seeded: Awaited<ReturnType<typeof seedDemoData>>;
beforeAll(async () => {
  t = await createTestApp();
  seeded = await seedDemoData(t.app, { leads: 400, now: NOW });
});
afterAll(async () => {
  await t?.close();
});

interface AccountNode {
  id: string;
  name: string;
  domain: string | null;
  contactCount: number;
  attributes: Record<string, unknown>;
  score: { total: number; cell: string; ruleSetKey: string } | null;
}

describe('demo accounts', () => {
  it('groups contacts into accounts of several contacts, scored by the account model', async () => {
    expect(seeded?.accounts).toBeGreaterThan(50);
    const { accounts } = ok(
      await t.gql<{ accounts: { nodes: AccountNode[] } }>(
        `{ accounts(first: 50, orderBy: SCORE_DESC) { nodes { id name domain contactCount attributes score { total cell ruleSetKey } } } }`,
      ),
    );
    expect(accounts.nodes.length).toBe(50);
    const committees = accounts.nodes.filter((account) => account.contactCount >= 2);
    expect(committees.length).toBeGreaterThan(5);
    for (const account of accounts.nodes) {
      expect(account.domain).toMatch(/\./);
      expect(account.attributes).toMatchObject({ industry: expect.any(String), employees: expect.any(Number) });
      expect(account.score?.ruleSetKey).toBe('account-default');
    }
    // Ordered by account score, highest first.
    const totals = accounts.nodes.map((account) => account.score!.total);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    // Free e-mail addresses never join an account.
    const [free] = await t.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM lead WHERE account_id IS NOT NULL AND split_part(email, '@', 2) IN ('gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com')`,
    );
    expect(free.count).toBe(0);
  });

  it('gives accounts outcomes consistent with their contacts', async () => {
    const rows = await t.sql<{ outcome: string; accounts: number; consistent: number }>(
      `SELECT a.outcome, count(*)::int AS accounts,
              count(*) FILTER (WHERE CASE a.outcome
                WHEN 'converted' THEN a.outcome_at = (SELECT min(outcome_at) FROM lead WHERE account_id = a.id AND outcome = 'converted')
                WHEN 'lost' THEN NOT EXISTS (SELECT 1 FROM lead WHERE account_id = a.id AND outcome <> 'lost')
                ELSE NOT EXISTS (SELECT 1 FROM lead WHERE account_id = a.id AND outcome = 'converted') END)::int AS consistent
         FROM account a GROUP BY a.outcome`,
    );
    const by = new Map(rows.map((row) => [row.outcome, row]));
    expect(by.get('converted')?.accounts).toBeGreaterThan(5);
    expect(by.get('lost')?.accounts).toBeGreaterThan(0);
    for (const row of rows) expect(row.consistent, row.outcome).toBe(row.accounts);
  });

  it('has a second lead model with a published rule set and scores', async () => {
    const { scoreModel } = ok(
      await t.gql<{ scoreModel: { subject: string; ruleSets: Array<{ key: string; activeVersionId: string | null }> } }>(
        `query($key: String!) { scoreModel(key: $key) { subject ruleSets { key activeVersionId } } }`,
        { key: DEMO_PRODUCT_MODEL },
      ),
    );
    expect(scoreModel.subject).toBe('LEAD');
    expect(scoreModel.ruleSets).toEqual([{ key: DEMO_PRODUCT_RULE_SET, activeVersionId: expect.any(String) }]);
    const [{ scored, leads }] = await t.sql<{ scored: number; leads: number }>(
      `SELECT (SELECT count(*)::int FROM model_score WHERE model = $1) AS scored, (SELECT count(*)::int FROM lead) AS leads`,
      [DEMO_PRODUCT_MODEL],
    );
    expect(scored).toBe(leads);
    const [lead] = await t.sql<{ id: string }>(
      `SELECT l.id::text AS id FROM lead l JOIN lead_score s ON s.lead_id = l.id WHERE s.total > 50 ORDER BY l.id LIMIT 1`,
    );
    const { lead: read } = ok(
      await t.gql<{ lead: { scores: Array<{ model: string; total: number }> } }>(
        `query($id: ID!) { lead(id: $id) { scores { model total } } }`,
        { id: lead.id },
      ),
    );
    expect(read.scores.map((score) => score.model)).toEqual(['default', DEMO_PRODUCT_MODEL]);
  });

  it('backtests the account model with outcomes', async () => {
    const [{ versionId }] = await t.sql<{ versionId: string }>(
      `SELECT active_version_id::text AS "versionId" FROM rule_set WHERE model = 'account' AND is_default`,
    );
    const cohort = {
      createdFrom: new Date(NOW.getTime() - 365 * DAY).toISOString(),
      createdTo: new Date(NOW.getTime() - 90 * DAY).toISOString(),
      cutoffDaysAfterCreation: 30,
    };
    const { runBacktest } = ok(
      await t.gql<{
        runBacktest: { status: string; subject: string; results: { metrics: { leads: number; converted: number; auc: number | null } } };
      }>(
        `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { status subject results { metrics { leads converted auc } } } }`,
        { input: { cohort, versionId } },
      ),
    );
    expect(runBacktest).toMatchObject({ status: 'completed', subject: 'ACCOUNT' });
    expect(runBacktest.results.metrics.converted).toBeGreaterThan(5);
    expect(runBacktest.results.metrics.leads).toBeGreaterThan(runBacktest.results.metrics.converted);
    expect(runBacktest.results.metrics.auc).toBeGreaterThan(0.5);
  });
});
