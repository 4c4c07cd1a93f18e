import { readFile } from 'node:fs/promises';
import { AxeBuilder } from '@axe-core/playwright';
import Papa from 'papaparse';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../server/src/lists/lead-export';
import { LeadsPage } from './pages/leads-page';
import { ListsBar } from './pages/lists-bar';
import { SignInPage } from './pages/sign-in-page';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

/**
 * A sales user filters the leads view, saves the filter as a list, and downloads the list's CSV
 * through the console's /export/leads.csv route (the session cookie forwarded to the API).
 */
/** Serious and critical axe violations, as "rule: target" lines. */
async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
}

describe('saved lists and CSV export in the console (Chromium)', () => {
  let env: ConsoleEnv;
  let context: BrowserContext;

  beforeAll(async () => {
    env = await startConsoleEnv({ leads: 200 });
    context = await env.newContext(1366);
  }, 300_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await env?.close();
  });

  it('saves the current filter as a list and downloads that list as CSV', async () => {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await (await SignInPage.open(page)).signIn('sales@demo.local');
    const leads = await LeadsPage.open(page, '?band=warm');
    await leads.settled();
    const shown = Number((await leads.count.textContent())?.replace(/\D/g, ''));
    expect(shown).toBeGreaterThan(0);

    const lists = new ListsBar(page);
    await lists.saveAs('Warm leads (e2e)');
    await leads.settled();
    await leads.table.waitFor();
    await expect.poll(async () => Number((await leads.count.textContent())?.replace(/\D/g, ''))).toBe(shown);
    await expect.poll(() => lists.picker.locator('option:checked').textContent()).toContain('Warm leads (e2e)');
    expect(await leads.unnamedControls()).toEqual([]);
    expect(await axeProblems(page)).toEqual([]);

    const download = await lists.exportCsv();
    expect(download.suggestedFilename()).toBe('leads-Warm-leads-e2e.csv');
    const parsed = Papa.parse<Record<string, string>>(await readFile((await download.path()) as string, 'utf8'), {
      header: true,
      skipEmptyLines: true,
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([...EXPORT_COLUMNS]);
    expect(parsed.data).toHaveLength(shown);
    expect(parsed.data.every((row) => row.band === 'warm' && row.reasons !== '')).toBe(true);
  });
});
