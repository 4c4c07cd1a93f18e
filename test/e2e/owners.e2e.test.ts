import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadPage, LeadsPage } from './pages/leads-page';
import { SignInPage } from './pages/sign-in-page';
import { allLeads, ApiClient } from './support/api-client';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

/**
 * A sales user with an owner and three assigned leads (set up by an admin through the API) turns on
 * "My leads only" in the leads view, sees exactly those leads with their owner, and the lead page
 * names the owner.
 */
describe('my leads in the console (Chromium)', () => {
  let env: ConsoleEnv;
  let context: BrowserContext;
  let assigned: string[];
  let ownerName: string;

  beforeAll(async () => {
    env = await startConsoleEnv({ leads: 60 });
    context = await env.newContext(1366);
    const admin = await ApiClient.signIn(env.api.graphqlUrl, 'admin@demo.local');
    const { users } = await admin.query<{ users: Array<{ id: string; email: string }> }>('{ users { id email } }');
    const sales = users.find((user) => user.email === 'sales@demo.local');
    const { defineOwner } = await admin.query<{ defineOwner: { id: string; name: string } }>(
      'mutation($userId: ID!) { defineOwner(input: { kind: USER, userId: $userId, team: "inbound" }) { id name } }',
      { userId: sales?.id },
    );
    ownerName = defineOwner.name;
    assigned = (await allLeads(admin)).slice(0, 3).map((lead) => lead.id);
    for (const leadId of assigned)
      await admin.query('mutation($leadId: ID!, $ownerId: ID!) { assignLead(leadId: $leadId, ownerId: $ownerId) { id } }', {
        leadId,
        ownerId: defineOwner.id,
      });
  }, 300_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await env?.close();
  });

  it('filters the leads view to my leads and shows owners', async () => {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await (await SignInPage.open(page)).signIn('sales@demo.local');
    const leads = await LeadsPage.open(page);
    await leads.settled();
    const everyone = Number((await leads.count.textContent())?.replace(/\D/g, ''));
    expect(everyone).toBeGreaterThan(3);

    // The box follows the URL (like every filter here): click, then wait for the URL.
    await page.getByLabel('My leads only').click();
    await expect.poll(() => page.url()).toContain('mine=yes');
    await expect.poll(async () => (await leads.count.textContent())?.trim()).toBe('3 leads');
    expect(await page.getByTestId('lead-owner').allTextContents()).toEqual([ownerName, ownerName, ownerName]);
    expect(await leads.unnamedControls()).toEqual([]);
    await leads.screenshot('owners-my-leads', { fullPage: false });

    await page.getByLabel('My leads only').click();
    await expect.poll(async () => Number((await leads.count.textContent())?.replace(/\D/g, ''))).toBe(everyone);

    const lead = await LeadPage.open(page, assigned[0]);
    expect(await lead.page.getByText(`owner ${ownerName}`).count()).toBeGreaterThan(0);
  });
});
