import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogPage } from './pages/admin-pages';
import type { EditorPage } from './pages/editor-page';
import { RuleSetPage } from './pages/rule-sets-page';
import { SignInPage } from './pages/sign-in-page';
import { ApiClient } from './support/api-client';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

/** Screenshots of this file, apart from console.e2e's (whose start empties its own folder). */
const SHOTS = path.resolve(import.meta.dirname, '..', '..', '.data', 'screenshots');

/** How much narrower a select is than its longest option needs (0: the label is whole). */
/** What selectShortfall uses of a DOM element (the tests' TypeScript has no DOM library). */
interface Box {
  style: Record<string, string>;
  cloneNode(deep: boolean): Box;
  parentElement: { appendChild(node: Box): unknown } | null;
  getBoundingClientRect(): { width: number };
  remove(): void;
}

function selectShortfall(select: Box): number {
  const probe = select.cloneNode(true);
  probe.style.width = 'max-content';
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  select.parentElement?.appendChild(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  return Math.max(0, Math.round(needed - select.getBoundingClientRect().width));
}

const day = (offset: number): string => {
  const date = new Date();
  date.setDate(date.getDate() + offset);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
};

/**
 * Words instead of codes, and layouts that keep them whole, in Chromium: the value picker shows the
 * catalog's labels while the document keeps its codes, the audit log is filtered by rule set and
 * dates on the server, and the rule's Dimension select is not cut at laptop widths.
 */
describe('console words and layout (Chromium)', () => {
  let env: ConsoleEnv;
  const contexts: BrowserContext[] = [];

  async function signedIn(email: string, width = 1366, height = 768): Promise<Page> {
    const context = await env.browser.newContext({ viewport: { width, height }, baseURL: env.console.url });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await (await SignInPage.open(page)).signIn(email);
    return page;
  }

  async function newDraft(width = 1366, height = 768): Promise<EditorPage> {
    return (await RuleSetPage.open(await signedIn('marketing@demo.local', width, height), 'default-b2b')).newDraft();
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    env = await startConsoleEnv({ leads: 50 });
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await env?.close();
  }, 60_000);

  it('the value picker shows catalog labels and stores codes', { timeout: 90_000 }, async () => {
    const editor = await newDraft();
    const rule = await editor.rule('fit-seniority-executive');
    await rule.picker('Values').waitFor();
    const chosen = await rule.chosenValues('Values');
    expect(chosen).toContain('C-level');
    expect(chosen).not.toContain('c_level');

    // Searching by the label finds the value; the JSON keeps the code.
    await rule.picker('Values').fill('individual con');
    const listbox = editor.page.getByRole('listbox', { name: 'Values' });
    await listbox.getByRole('option', { name: 'Individual contributor', exact: true }).click();
    await rule.chosen('Values').filter({ hasText: 'Individual contributor' }).waitFor();
    await editor.validationState.getByText('Valid').waitFor();
    await editor.page.keyboard.press('Control+s');
    await editor.page.getByText(/Saved: revision 2/).waitFor();
    const api = await ApiClient.signIn(env.api.graphqlUrl, 'marketing@demo.local');
    const { ruleSetVersion } = await api.query<{ ruleSetVersion: { definition: { rules: Array<{ name: string; conditions: unknown }> } } }>(
      'query($id: ID!) { ruleSetVersion(id: $id) { definition } }',
      { id: editor.versionId },
    );
    const saved = JSON.stringify(ruleSetVersion.definition.rules.find((r) => r.name === 'fit-seniority-executive')?.conditions);
    expect(saved).toContain('"c_level"');
    expect(saved).toContain('"individual_contributor"');
    expect(saved).not.toContain('C-level');
  });

  it('the Dimension select keeps its whole label at 1280 and 1366 px', { timeout: 120_000 }, async () => {
    for (const width of [1280, 1366]) {
      const editor = await newDraft(width, 768);
      const rule = await editor.rule('fit-target-industry');
      const select = rule.card.getByLabel('Dimension');
      await select.waitFor();
      expect(await select.evaluate(selectShortfall), `${width} px`).toBe(0);
      await editor.page.screenshot({ path: path.join(SHOTS, `words-editor-rule-${width}.png`) });
    }
  });

  it('the editor and backtest forms fit at 1366x768 and 820x1180', { timeout: 180_000 }, async () => {
    for (const size of [
      { name: 'laptop', width: 1366, height: 768 },
      { name: 'tablet', width: 820, height: 1180 },
    ]) {
      const editor = await newDraft(size.width, size.height);
      const rule = await editor.rule('fit-target-industry');
      expect(await rule.card.getByLabel('Dimension').evaluate(selectShortfall), size.name).toBe(0);
      const tabs = editor.page.getByRole('tablist', { name: 'Rule set sections' });
      // Every section tab is in view ("JSON" was cut at 820 px).
      expect(await tabs.evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth - el.clientWidth), size.name).toBe(0);
      await editor.page.screenshot({ path: path.join(SHOTS, `words-${size.name}-editor.png`) });
      expect(await editor.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'), size.name).toBe(0);
      await editor.page.goto(`${new URL(editor.page.url()).pathname}/backtest`);
      await editor.page.getByRole('button', { name: 'Run backtest' }).waitFor();
      for (const select of await editor.page.locator('main form select').all())
        expect(await select.evaluate(selectShortfall), `${size.name} backtest ${await select.getAttribute('id')}`).toBe(0);
      await editor.page.screenshot({ path: path.join(SHOTS, `words-${size.name}-backtest-form.png`) });
      expect(await editor.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'), size.name).toBe(0);
    }
  });

  it('the audit log is filtered by rule set and dates on the server', { timeout: 90_000 }, async () => {
    // A draft of default-b2b: an entry about that rule set, today.
    await newDraft();
    const page = await signedIn('admin@demo.local');
    const audit = await AuditLogPage.open(page);

    const byRuleSet = page.waitForRequest((request) => (request.postData() ?? '').includes('"ruleSetKey":"default-b2b"'));
    await page.getByLabel('Rule set').selectOption('default-b2b');
    await byRuleSet;
    await expect.poll(async () => (await audit.sentences()).some((sentence) => /draft/i.test(sentence)), { timeout: 30_000 }).toBe(true);
    const sentences = await audit.sentences();
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) expect(sentence).not.toMatch(/outcome|api key|signed in/i);

    const fromTomorrow = page.waitForRequest((request) => /"from":"[^"]+"/.test(request.postData() ?? ''));
    await page.getByLabel('From').fill(day(1));
    await fromTomorrow;
    await page.getByText('No entries match.').waitFor();

    await page.getByLabel('From').fill(day(0));
    await page.getByLabel('Until (included)').fill(day(0));
    await audit.table.waitFor();
    expect((await audit.sentences()).some((sentence) => /draft/i.test(sentence))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'words-audit-filtered.png') });
  });
});
