import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestPage } from './pages/backtest-page';
import type { EditorPage } from './pages/editor-page';
import { ReviewPage } from './pages/review-page';
import { RuleSetPage } from './pages/rule-sets-page';
import { SignInPage } from './pages/sign-in-page';
import { allLeads, ApiClient, recordOutcomes } from './support/api-client';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

/**
 * The rule editor's promises to a marketer, in a real browser: catalog values are picked, not
 * typed; JSON mode marks schema mistakes as you type; removals keep the keyboard focus nearby and
 * can be undone; Ctrl+S saves; review buttons appear only for those who may use them; a backtest
 * always runs with the comparison version its form shows.
 */
describe('rule editor trust (Chromium)', () => {
  let env: ConsoleEnv;
  const contexts: BrowserContext[] = [];

  async function signedIn(email: string): Promise<Page> {
    const context = await env.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[${email}] page error: ${error.message}`));
    await (await SignInPage.open(page)).signIn(email);
    return page;
  }

  async function newDraft(email = 'marketing@demo.local'): Promise<EditorPage> {
    return (await RuleSetPage.open(await signedIn(email), 'default-b2b')).newDraft();
  }

  beforeAll(async () => {
    env = await startConsoleEnv({ leads: 200 });
    // Outcomes, so that a backtest has conversions to measure.
    const admin = await ApiClient.signIn(env.api.graphqlUrl, 'admin@demo.local');
    await recordOutcomes(admin, await allLeads(admin));
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await env?.close();
  }, 60_000);

  it('picks catalog values from a searchable list, by keyboard or mouse', { timeout: 90_000 }, async () => {
    const editor = await newDraft();
    const rule = await editor.rule('fit-target-industry');
    const picker = rule.picker('Values');
    await picker.waitFor();
    expect(await rule.chosenValues('Values')).toContain('Software');

    await picker.fill('manufa');
    const listbox = editor.page.getByRole('listbox', { name: 'Values' });
    await listbox.getByRole('option', { name: 'manufacturing' }).waitFor();
    expect(await listbox.getByRole('option').count()).toBe(1);
    await picker.press('Enter');
    await rule.chosen('Values').filter({ hasText: 'manufacturing' }).waitFor();
    expect(await picker.inputValue()).toBe('');

    await picker.fill('gov');
    await listbox.getByRole('option', { name: 'government' }).click();
    await rule.chosen('Values').filter({ hasText: 'government' }).waitFor();
    await editor.validationState.getByText('Valid').waitFor();
    await editor.screenshot('20-editor-value-picker', { fullPage: false });

    await rule.card.getByRole('button', { name: 'Remove government' }).click();
    await expect.poll(() => rule.chosen('Values').filter({ hasText: 'government' }).count()).toBe(0);
    // Free text stays only where the catalog has no list (job titles).
    const titles = await editor.rule('fit-title-head-of-or-founder');
    expect(await titles.card.getByRole('combobox').count()).toBeGreaterThan(0);
    expect(await titles.card.getByLabel('Value', { exact: true }).first().inputValue()).toBe('head of');
  });

  it('marks a schema mistake inline in JSON mode as you type', { timeout: 90_000 }, async () => {
    const editor = await newDraft();
    await editor.tab('JSON');
    await editor.codeEditor.locator('.cm-content').waitFor();
    await editor.typeAtJsonStart('"bogusMember": 1,');
    await editor.codeEditor.locator('.cm-lintRange-error').first().waitFor({ timeout: 20_000 });
    await editor.codeEditor.locator('.cm-lint-marker-error').first().waitFor();
    await editor.screenshot('21-editor-json-schema-error', { fullPage: false });
  });

  it('keeps the focus nearby after a removal, undoes it, and skips to the simulation', { timeout: 90_000 }, async () => {
    const editor = await newDraft();
    const rule = await editor.rule('fit-title-head-of-or-founder');
    const first = await rule.card.locator('[data-path$=".conditions.all[0].any[0]"]').getAttribute('data-path');
    const removeButtons = rule.card.locator(`[data-path="${first}"]`).getByRole('button', { name: 'Remove this condition' });
    await removeButtons.click();
    // The next condition moved into its place and has the focus.
    await expect.poll(async () => (await editor.focused()).path).toBe(`${first}.fact`);
    await editor.undoRemoval.getByRole('button', { name: 'Undo' }).waitFor();
    await rule.card.locator(`[data-path="${first}"]`).getByRole('button', { name: 'Remove this condition' }).click();
    // The group is empty now: the focus is on its "+ Condition" button.
    await expect.poll(async () => (await editor.focused()).text).toBe('+ Condition');

    // Deleting the rule (the only one the filter shows) focuses "+ Add rule"; Undo brings it back.
    await rule.card.getByRole('button', { name: 'Delete rule' }).click();
    await expect.poll(async () => (await editor.focused()).text).toBe('+ Add rule');
    await expect.poll(() => editor.page.getByTestId('rule-card').count()).toBe(0);
    await editor.undoRemoval.getByRole('button', { name: 'Undo' }).click();
    await editor.page.getByTestId('rule-card').filter({ hasText: 'fit-title-head-of-or-founder' }).waitFor();

    const skip = editor.page.getByRole('link', { name: 'Skip to the simulation' });
    await skip.focus();
    await skip.press('Enter');
    await expect.poll(async () => (await editor.focused()).id).toBe('simulate');
  });

  it('saves with Ctrl+S', { timeout: 90_000 }, async () => {
    const editor = await newDraft();
    const rule = await editor.rule('fit-competitor');
    await rule.setPoints(-90);
    await editor.validationState.getByText('Valid').waitFor();
    await editor.page.keyboard.press('Control+s');
    await editor.page.getByText(/Saved: revision 2/).waitFor();
    expect(await editor.saveState.textContent()).toContain('All changes saved');
  });

  it('shows review actions only to those who may take them', { timeout: 150_000 }, async () => {
    const editor = await newDraft();
    await (await editor.rule('fit-seniority-director')).setPoints(12);
    await editor.validationState.getByText('Valid').waitFor();
    await editor.save();
    const author = await editor.openReview();
    await author.submit();
    const versionId = author.versionId;
    const blocked = (review: ReviewPage) => review.actions.getByTestId('review-blocked');
    const approve = (review: ReviewPage) => review.actions.getByRole('button', { name: /^Approve as/ });

    // The author edited it: the reason, and no review buttons.
    expect(await blocked(author).textContent()).toContain('You edited this version');
    expect(await approve(author).count()).toBe(0);

    // A reviewer who approved: the reason instead of Approve; requesting changes stays possible.
    const marketing2 = await ReviewPage.open(await signedIn('marketing2@demo.local'), 'default-b2b', versionId);
    expect(await approve(marketing2).isEnabled()).toBe(true);
    await marketing2.approve('Looks right');
    await blocked(marketing2).getByText('You approved revision').waitFor();
    expect(await approve(marketing2).count()).toBe(0);
    expect(await marketing2.actions.getByRole('button', { name: 'Request changes' }).count()).toBe(1);
    await marketing2.screenshot('22-review-approved-reviewer', { fullPage: false });

    // Another reviewer (sales) may approve; a viewer sees who may, and no button.
    const sales = await ReviewPage.open(await signedIn('sales@demo.local'), 'default-b2b', versionId);
    expect(await approve(sales).isEnabled()).toBe(true);
    expect(await blocked(sales).count()).toBe(0);
    const viewer = await ReviewPage.open(await signedIn('viewer@demo.local'), 'default-b2b', versionId);
    await viewer.actions.getByText('Waiting for a marketing and a sales reviewer.').waitFor();
    expect(await approve(viewer).count()).toBe(0);
  });

  it('runs a backtest started at once with the comparison version the form shows', { timeout: 150_000 }, async () => {
    const editor = await newDraft();
    const page = editor.page;
    await page.goto(`/rule-sets/default-b2b/versions/${editor.versionId}/backtest`);
    const run = page.getByRole('button', { name: 'Run backtest' });
    await run.click();
    const backtest = new BacktestPage(page);
    await backtest.results();
    const compare = page.getByLabel('Compare with');
    expect(await compare.inputValue()).not.toBe('');
    const shown = (await compare.locator('option:checked').textContent()) ?? '';
    const version = /v\d+/.exec(shown)?.[0];
    expect(version).toBeDefined();
    await page.getByTestId('backtest-results').getByText(`compared with ${version}`).first().waitFor();
  });
});
