import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrackingDemo } from '../scripts/tracking-demo';
import { createTestApp, type TestApp } from './support/test-app';

/* `npm run tracking:demo` against a running service: the real Segment client moves two leads' scores. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the tracking demo script', () => {
  it('identifies two leads, tracks what they do, and both scores rise', async () => {
    const { url } = await t.http();
    const { secret } = await t.app.services.auth.createApiKey({ name: 'tracking-demo', scopes: ['leads:write', 'scores:read'] });
    const lines: string[] = [];
    const { before, after } = await runTrackingDemo({ apiUrl: url, key: secret, runId: 'test', log: (line) => lines.push(line) });

    expect(before.map((view) => view.activities)).toEqual([0, 0]);
    // Ana: webinar, email click, demo request, pricing page; Ben: two anonymous pages attached on identify, one download.
    expect(after.map((view) => view.activities)).toEqual([4, 3]);
    for (const [index, view] of after.entries()) expect(view.total).toBeGreaterThan(before[index].total);
    expect(lines.join('\n')).toContain('tracking-demo-test-ana');
  });
});
