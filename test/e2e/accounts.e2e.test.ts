import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountBacktestPage, AccountsPage, ModelSwitcher } from './pages/accounts-page';
import { LeadsPage } from './pages/leads-page';
import { SignInPage } from './pages/sign-in-page';
import { ApiClient } from './support/api-client';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

interface ApiAccount {
  id: string;
  name: string;
  domain: string | null;
  contactCount: number;
  score: { total: number; reasons: Array<{ label: string; contacts: Array<{ leadId: string; label: string }> }> } | null;
}

const ACCOUNTS = `query { accounts(first: 25, orderBy: SCORE_DESC) { nodes { id name domain contactCount
  score { total reasons { label contacts { leadId label } } } } } }`;
const LEAD_MODELS = 'query { scoreModels(subject: LEAD) { key name isDefault } }';
const LEAD_SCORES = `query($model: String, $key: String!) { leads(first: 50, orderBy: SCORE_DESC, model: $model) {
  edges { node { id score { total } modelScore(model: $key) { total } } } } }`;

/** Serious and critical axe violations, as "rule: target" lines. */
async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
}

/**
 * Accounts and score models in the console against the demo data: the accounts list ordered by
 * account score, an account page naming the contacts behind its score, and the leads list switched
 * to the demo's second lead model.
 */
describe('accounts and score models in the console (Chromium)', () => {
  let env: ConsoleEnv;
  const contexts: BrowserContext[] = [];
  let api: ApiClient;

  /** A page signed in as this user, in a context of its own (its own session cookie). */
  async function signedIn(email: string): Promise<Page> {
    const context = await env.newContext(1366);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await (await SignInPage.open(page)).signIn(email);
    return page;
  }

  beforeAll(async () => {
    env = await startConsoleEnv({ leads: 200 });
    api = await ApiClient.signIn(env.api.graphqlUrl, 'sales@demo.local');
  }, 300_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await env?.close();
  }, 60_000);

  it('lists the demo accounts by score and shows an account with the contacts behind its reasons', { timeout: 180_000 }, async () => {
    const { accounts } = await api.query<{ accounts: { nodes: ApiAccount[] } }>(ACCOUNTS);
    const scored = accounts.nodes.filter((account) => account.score);
    expect(scored.length).toBeGreaterThanOrEqual(2);

    const page = await signedIn('sales@demo.local');
    const list = await AccountsPage.open(page);
    await list.settled();
    const rows = await list.rows();
    expect(rows.map((row) => row.name)).toEqual(accounts.nodes.map((account) => account.name || account.domain));
    const scores = rows.map((row) => row.score).filter((score): score is number => score !== null);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBe(scored[0].score?.total);
    expect(await list.unnamedControls()).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await list.screenshot('accounts-01-list');

    // An account of several contacts whose score names some of them.
    const named = accounts.nodes.find(
      (account) => account.contactCount >= 2 && account.score?.reasons.some((reason) => reason.contacts.length > 0),
    );
    if (!named?.score) throw new Error('no demo account with several contacts and reasons naming them');
    expect(await list.committeeOf(named.name).getByRole('link').count()).toBeGreaterThanOrEqual(2);

    const account = await list.openAccount(named.name);
    await account.settled();
    expect(await account.score.textContent()).toBe(String(named.score.total));
    expect(await account.contacts.getByRole('row').count()).toBe(1 + Math.min(named.contactCount, 100));
    const contact = named.score.reasons.flatMap((reason) => reason.contacts)[0];
    const link = account.reasons.getByRole('link', { name: contact.label }).first();
    expect(await link.getAttribute('href')).toBe(`/leads/${contact.leadId}`);
    expect(await account.unnamedControls()).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await account.screenshot('accounts-02-account');

    // The contact's lead page links back to its account.
    await link.click();
    await page.getByTestId('lead-account').getByRole('link').waitFor();
    expect(await page.getByTestId('lead-account').getByRole('link').getAttribute('href')).toBe(`/accounts/${named.id}`);
    // Scored by the demo's two lead models, the lead page shows both.
    expect(await page.getByTestId('lead-model-scores').getByRole('row').count()).toBeGreaterThanOrEqual(3);
    await account.screenshot('accounts-03-contact');
  });

  it('switches the leads list to another lead model and shows that model’s scores', { timeout: 120_000 }, async () => {
    const { scoreModels } = await api.query<{ scoreModels: Array<{ key: string; name: string; isDefault: boolean }> }>(LEAD_MODELS);
    const other = scoreModels.find((model) => !model.isDefault);
    if (!other) throw new Error('the demo has no second lead model');
    type Scores = {
      leads: { edges: Array<{ node: { id: string; score: { total: number } | null; modelScore: { total: number } | null } }> };
    };
    const byDefault = await api.query<Scores>(LEAD_SCORES, { model: null, key: other.key });
    const byModel = await api.query<Scores>(LEAD_SCORES, { model: other.key, key: other.key });
    const expected = byModel.leads.edges.map((edge) => String(edge.node.modelScore?.total ?? '—'));
    // The two models score the same leads differently.
    expect(byModel.leads.edges.some((edge) => edge.node.modelScore?.total !== edge.node.score?.total)).toBe(true);

    const page = await signedIn('sales@demo.local');
    const leads = await LeadsPage.open(page);
    await leads.settled();
    const shownScores = () => leads.table.getByTestId('lead-row-score').allTextContents();
    expect(await shownScores()).toEqual(byDefault.leads.edges.map((edge) => String(edge.node.score?.total ?? '—')));

    await new ModelSwitcher(page, 'lead-model').choose(other.name);
    await page.waitForURL(new RegExp(`model=${other.key}`));
    await expect.poll(shownScores, { timeout: 20_000 }).toEqual(expected);
    expect(expected).not.toEqual(byDefault.leads.edges.map((edge) => String(edge.node.score?.total ?? '—')));
    expect(await leads.unnamedControls()).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);
    await leads.screenshot('accounts-04-leads-by-model');
  });

  it('backtests the account model over accounts, reached through the model picker', { timeout: 180_000 }, async () => {
    const models = await api.query<{
      scoreModels: Array<{ key: string; name: string; ruleSets: Array<{ key: string; activeVersionId: string | null }> }>;
    }>('query { scoreModels(subject: ACCOUNT) { key name ruleSets { key activeVersionId } } }');
    const ruleSet = models.scoreModels.flatMap((model) => model.ruleSets).find((candidate) => candidate.activeVersionId);
    if (!ruleSet?.activeVersionId) throw new Error('the demo has no published account rule set');

    const page = await signedIn('marketing@demo.local');
    const backtest = await AccountBacktestPage.open(page, ruleSet.key, ruleSet.activeVersionId);
    expect(await backtest.picker.getByLabel('Score model').locator('option:checked').textContent()).toContain('(accounts)');
    expect(await page.getByText(/Scores historical accounts/).count()).toBe(1);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await backtest.runOnPeriod(day(-400), day(1));
    expect(await backtest.results.getByText('Accounts', { exact: true }).count()).toBeGreaterThan(0);
    expect(await backtest.auc.textContent()).toMatch(/^(0\.\d{3}|1\.000|n\/a)$/);
    expect(await backtest.unnamedControls()).toEqual([]);
    await backtest.screenshot('accounts-05-account-backtest');
  });
});
