import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DEFAULT_B2B, ok } from './support/rule-sets';
import { type Job, PUBLISH, setUpWorkflow, workflowHelpers } from './support/ruleset-workflow';
import type { TestApp } from './support/test-app';

/*
 * Passes that walk the leads in id order, a page at a time, with ids of several digits. A query that
 * selects `id::text AS id ... ORDER BY id` sorts by the text ("10" before "9"), so the next page,
 * which starts after the last id as a number, skipped leads or scored some twice.
 */

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;
const { waitForJob, reviewAndApprove } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));
let leadCount = 0;

beforeAll(async () => {
  ({ t, marketing1, marketing2, sales1, viewer1 } = await setUpWorkflow());
  // Ids past 9 and past 99 whatever the workflow set-up created.
  await t.sql(`INSERT INTO lead (external_id, email) SELECT 'order-' || g, 'order' || g || '@gmail.com' FROM generate_series(1, 120) g`);
  [{ leadCount }] = await t.sql<{ leadCount: number }>('SELECT count(*)::int AS "leadCount" FROM lead');
});
afterAll(async () => {
  await t?.close();
});

describe('passes over leads in id order', () => {
  it('a publish of a second lead model scores every lead once', async () => {
    ok(
      await t.gqlAs(marketing1, 'mutation($input: CreateScoreModelInput!) { createScoreModel(input: $input) { key } }', {
        input: { key: 'ordered', name: 'Ordered', subject: 'LEAD' },
      }),
    );
    const definition = { ...structuredClone(DEFAULT_B2B), key: 'ordered-rules', name: 'Ordered rules' };
    const created = ok(
      await t.gqlAs<{ createRuleSet: { versions: Array<{ id: string }> } }>(
        marketing1,
        'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { versions { id } } }',
        { input: { key: 'ordered-rules', name: 'Ordered rules', model: 'ordered', definition } },
      ),
    ).createRuleSet;
    await reviewAndApprove(created.versions[0].id, marketing1);
    const published = ok(await t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: created.versions[0].id })).publishVersion
      .rescoreJob;
    expect(published.totalLeads).toBe(leadCount);
    expect(await waitForJob(published.id)).toMatchObject({ doneLeads: leadCount, percent: 100 });
    const [{ scored }] = await t.sql<{ scored: number }>(`SELECT count(*)::int AS scored FROM model_score WHERE model = 'ordered'`);
    expect(scored).toBe(leadCount);
  });

  it('the decay preview examines every lead once', async () => {
    const asOf = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const preview = ok(
      await t.gql<{ decayPreview: { summary: { leadsScored: number }; pageInfo: { hasNextPage: boolean } } }>(
        `query($asOf: DateTimeISO!) { decayPreview(asOf: $asOf, first: 200) { summary { leadsScored } pageInfo { hasNextPage } } }`,
        { asOf },
      ),
    ).decayPreview;
    expect(preview.pageInfo.hasNextPage).toBe(false);
    expect(preview.summary.leadsScored).toBe(leadCount);
  });
});
