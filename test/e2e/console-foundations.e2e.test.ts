import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogPage } from './pages/admin-pages';
import { LeadPage, LeadsPage } from './pages/leads-page';
import { SignInPage } from './pages/sign-in-page';
import { allLeads, ApiClient, recordOutcomes } from './support/api-client';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

/** Screenshots of this file, apart from console.e2e's (whose start empties its own folder). */
const SHOTS = path.resolve(import.meta.dirname, '..', '..', '.data', 'screenshots');
const WIDTHS = [
  { name: 'laptop', width: 1366, height: 768 },
  { name: 'tablet', width: 820, height: 1180 },
] as const;

/**
 * The console's foundations in Chromium: the session lives in an httpOnly cookie and pages are
 * guarded on the server, errors read as sentences, leads and the audit log read as words, and every
 * main page passes axe with no serious or critical violation at a laptop and a tablet width.
 */
describe('console foundations (Chromium)', () => {
  let env: ConsoleEnv;
  const contexts: BrowserContext[] = [];
  let leadId: string;

  async function browserAt(width: number, height: number): Promise<Page> {
    const context = await env.browser.newContext({ viewport: { width, height }, baseURL: env.console.url });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    return page;
  }

  async function signedIn(email: string, width = 1366, height = 768): Promise<Page> {
    const page = await browserAt(width, height);
    await (await SignInPage.open(page)).signIn(email);
    return page;
  }

  /** Serious and critical axe violations, as "rule: target" lines. */
  async function axeProblems(page: Page): Promise<string[]> {
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
  }

  async function settled(page: Page): Promise<void> {
    await page.waitForFunction("!document.querySelector('.state.loading')", undefined, { timeout: 30_000 });
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    env = await startConsoleEnv({ leads: 200 });
    const admin = await ApiClient.signIn(env.api.graphqlUrl, 'admin@demo.local');
    const leads = await allLeads(admin);
    leadId = leads[0].id;
    // Outcomes are audited: the audit log has entries to read.
    await recordOutcomes(admin, leads.slice(0, 40));
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await env?.close();
  }, 60_000);

  it('redirects a page request without a session on the server', async () => {
    for (const pathname of ['/leads', '/rule-sets/default-b2b', '/audit', '/']) {
      const response = await fetch(`${env.console.url}${pathname}`, { redirect: 'manual' });
      expect(response.status, pathname).toBeGreaterThanOrEqual(300);
      expect(response.status, pathname).toBeLessThan(400);
      const location = new URL(response.headers.get('location') ?? '', env.console.url);
      expect(location.pathname, pathname).toBe('/sign-in');
    }
    const leads = await fetch(`${env.console.url}/leads?band=hot`, { redirect: 'manual' });
    expect(new URL(leads.headers.get('location') ?? '', env.console.url).searchParams.get('next')).toBe('/leads?band=hot');
    // The sign-in page itself renders without a session.
    expect((await fetch(`${env.console.url}/sign-in`, { redirect: 'manual' })).status).toBe(200);
  });

  it('says a wrong password in a sentence', { timeout: 60_000 }, async () => {
    const page = await browserAt(1366, 768);
    await SignInPage.open(page);
    await page.getByLabel('E-mail').fill('marketing@demo.local');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.locator('#sign-in-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('The e-mail address or the password is not right.');
    expect(text).not.toMatch(/session|UNAUTHENTICATED|INVALID_CREDENTIALS/);
    await page.screenshot({ path: path.join(SHOTS, 'sign-in-wrong-password.png') });
  });

  it('keeps the session in an httpOnly cookie, never in localStorage, and signs out', { timeout: 60_000 }, async () => {
    const page = await signedIn('sales@demo.local');
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'ls_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    expect(session?.value.length).toBeGreaterThan(20);
    const token = session?.value ?? '';
    const storage = await page.evaluate<{ local: string; session: string; cookie: string }>(
      '({ local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), cookie: document.cookie })',
    );
    expect(storage.local).not.toContain(token);
    expect(storage.session).not.toContain(token);
    expect(storage.cookie).not.toContain('ls_session');

    // Signed in, the same guarded page loads; signing out clears the cookie and the guard applies again.
    await LeadsPage.open(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    expect((await page.context().cookies()).find((cookie) => cookie.name === 'ls_session')).toBeUndefined();
    await page.goto('/leads');
    await page.waitForURL(/\/sign-in\?next=%2Fleads/);
  });

  it('lists leads by name and company and shows attributes with catalog labels', { timeout: 60_000 }, async () => {
    const page = await signedIn('sales@demo.local');
    const leads = await LeadsPage.open(page);
    const firstLink = leads.table.getByRole('link').first();
    expect(await firstLink.textContent()).not.toContain('@');
    const lead = await LeadPage.open(page, leadId);
    const labels = await page.locator('dl.facts dt').allTextContents();
    expect(labels).toContain('First name');
    expect(labels.some((label) => /^[a-z]+[A-Z]/.test(label))).toBe(false);
    expect(await lead.heading.textContent()).not.toContain('@');
  });

  it('tells the audit log as sentences with the raw data folded away', { timeout: 60_000 }, async () => {
    const page = await signedIn('admin@demo.local');
    const audit = await AuditLogPage.open(page);
    const sentences = await audit.sentences();
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) expect(sentence).not.toMatch(/^\S+ \w+\.\w+/);
    const raw = audit.table.locator('details pre').first();
    if ((await raw.count()) > 0) expect(await raw.isVisible()).toBe(false);
  });

  it('passes axe on every main page at a laptop and a tablet width, without sideways scrolling', { timeout: 420_000 }, async () => {
    const anonymous = await browserAt(1366, 768);
    await SignInPage.open(anonymous);
    expect(await axeProblems(anonymous), 'sign-in').toEqual([]);

    // A backtest with results, so its page shows the charts.
    const author = await signedIn('marketing@demo.local');
    await author.goto('/rule-sets/default-b2b/versions/1/backtest');
    await author.getByRole('button', { name: 'Run backtest' }).click();
    await author.waitForURL(/\/backtest\?run=\d+/);
    await author.getByTestId('backtest-results').waitFor({ timeout: 120_000 });
    const backtestUrl = new URL(author.url()).pathname + new URL(author.url()).search;

    const pages: { name: string; user: string; url: string }[] = [
      { name: 'rule-sets', user: 'marketing@demo.local', url: '/rule-sets' },
      { name: 'rule-set', user: 'marketing@demo.local', url: '/rule-sets/default-b2b' },
      { name: 'editor', user: 'marketing@demo.local', url: '/rule-sets/default-b2b/versions/1' },
      { name: 'backtest', user: 'marketing@demo.local', url: backtestUrl },
      { name: 'leads', user: 'sales@demo.local', url: '/leads' },
      { name: 'lead', user: 'sales@demo.local', url: `/leads/${leadId}` },
      { name: 'audit', user: 'admin@demo.local', url: '/audit' },
      { name: 'api-keys', user: 'admin@demo.local', url: '/api-keys' },
    ];
    const failures: Record<string, string[]> = {};
    for (const size of WIDTHS) {
      const sessions = new Map<string, Page>();
      for (const entry of pages) {
        let page = sessions.get(entry.user);
        if (!page) {
          page = await signedIn(entry.user, size.width, size.height);
          sessions.set(entry.user, page);
        }
        await page.goto(entry.url);
        await page.locator('main h1').first().waitFor();
        await settled(page);
        if (entry.name === 'backtest') await page.getByTestId('backtest-results').waitFor({ timeout: 60_000 });
        await page.screenshot({ path: path.join(SHOTS, `${size.name}-${entry.name}.png`), fullPage: true });
        const problems = await axeProblems(page);
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        if (overflow > 0) problems.push(`page scrolls sideways by ${overflow}px`);
        const tables = await page.evaluate<number>(
          "[...document.querySelectorAll('.table-wrap')].filter((el) => el.scrollWidth > el.clientWidth + 1).length",
        );
        if (tables > 0) problems.push(`${tables} table(s) scroll sideways`);
        if (problems.length) failures[`${size.name} ${entry.name}`] = problems;
      }
    }
    expect(failures).toEqual({});
  });
});
