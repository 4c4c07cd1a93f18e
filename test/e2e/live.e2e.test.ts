import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadPage } from './pages/leads-page';
import { SignInPage } from './pages/sign-in-page';
import { allLeads, ApiClient, type DemoLead } from './support/api-client';
import { startConsoleEnv, type ConsoleEnv } from './support/console-env';

/**
 * The lead page follows live updates: a sales user has a lead open, a client app records an
 * activity through the API, and the page shows the new score without a reload (the browser opened
 * the WebSocket to the API with a ticket from the console's /session/live route).
 */
describe('live updates in the console (Chromium)', () => {
  let env: ConsoleEnv;
  let context: BrowserContext;
  let admin: ApiClient;
  let lead: DemoLead;
  const previousOrigin = process.env.CONSOLE_ORIGIN;

  beforeAll(async () => {
    env = await startConsoleEnv({ leads: 60 });
    // The console runs on a free port here; the API lets that origin open the socket.
    process.env.CONSOLE_ORIGIN = env.console.url;
    context = await env.newContext(1366);
    admin = await ApiClient.signIn(env.api.graphqlUrl, 'admin@demo.local');
    lead = (await allLeads(admin)).sort((a, b) => a.score.total - b.score.total)[0];
  }, 300_000);

  afterAll(async () => {
    if (previousOrigin === undefined) delete process.env.CONSOLE_ORIGIN;
    else process.env.CONSOLE_ORIGIN = previousOrigin;
    await context?.close().catch(() => undefined);
    await env?.close();
  });

  it('the lead page shows a new score when an activity is recorded, without a reload', async () => {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await (await SignInPage.open(page)).signIn('sales@demo.local');
    const leadPage = await LeadPage.open(page, lead.id);
    const before = Number(await leadPage.score.textContent());
    await expect.poll(() => env.app.services.live.hub.subscriptionCount, { timeout: 30_000 }).toBeGreaterThan(0);
    // A mark on the window: a reload would drop it.
    await page.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });

    const { recordActivity } = await admin.query<{ recordActivity: { score: { total: number } } }>(
      'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { score { total } } }',
      {
        input: {
          leadExternalId: lead.externalId,
          type: 'DEMO_REQUEST',
          occurredAt: new Date().toISOString(),
          idempotencyKey: `e2e-live-${Date.now()}`,
        },
      },
    );
    expect(recordActivity.score.total).not.toBe(before);
    await expect.poll(async () => Number(await leadPage.score.textContent()), { timeout: 30_000 }).toBe(recordActivity.score.total);
    expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
  });
});
