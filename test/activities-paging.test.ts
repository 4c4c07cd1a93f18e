import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activity,
  activityHelpers,
  ACTIVITIES,
  type Activity,
  type ActivityConnection,
  hoursAgo,
  ok,
  onlyError,
  problemPaths,
} from './support/activities';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { createLead, recordActivity } = activityHelpers(() => t);

describe('Lead.activities', () => {
  it('pages newest first with first/after', async () => {
    await createLead('act-pages');
    const offsets = [5, 1, 7, 3, 2, 6, 4]; // recorded out of order; hours ago
    for (const hours of offsets) {
      await recordActivity({
        ...activity('act-pages', 'PAGE_VIEW', `act-pages-${hours}`),
        occurredAt: hoursAgo(hours),
        properties: { hours },
      });
    }
    const seen: Activity[] = [];
    const pages: ActivityConnection[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: ActivityConnection = ok(
        await t.gql<{ lead: { activities: ActivityConnection } }>(ACTIVITIES, { x: 'act-pages', first: 3, after }),
      ).lead.activities;
      pages.push(page);
      seen.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages.map((page) => page.edges.length)).toEqual([3, 3, 1]);
    for (const page of pages) expect(page.totalCount).toBe(7);
    expect(pages[pages.length - 1].pageInfo.hasNextPage).toBe(false);
    expect(new Set(seen.map((node) => node.id)).size).toBe(7);
    expect(seen.map((node) => node.properties.hours)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.every((node) => node.type === 'PAGE_VIEW')).toBe(true);
    const times = seen.map((node) => Date.parse(node.occurredAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThan(times[i - 1]);
  });

  it('a garbage after cursor is BAD_USER_INPUT', async () => {
    const error = onlyError(await t.gql(ACTIVITIES, { x: 'act-pages', first: 2, after: 'garbage' }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(problemPaths(error)).toEqual(['after']);
  });
});
