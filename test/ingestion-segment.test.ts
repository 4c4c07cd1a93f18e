import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, points } from './support/scores';
import { failingProxy, post, segmentClient, writeKey, writtenCounts } from './support/ingestion';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * The tracking API driven by the real @segment/analytics-node client pointed at the service over
 * HTTP: identify, track, page and batch move scores; the client's own retries write once; anonymous
 * activity is attached when an identify links it to a lead.
 */

let t: TestApp;
let url: string;
let key: string;
beforeAll(async () => {
  t = await createTestApp();
  url = (await t.http()).url;
  key = await writeKey(t);
  // Rows past their retention (30 days for message ids, 90 for anonymous activity) before any request: the first one purges them.
  await t.sql(
    `INSERT INTO ingestion_message (api_key_id, message_id, received_at) VALUES
       (0, 'expired', now() - interval '31 days'), (0, 'recent', now() - interval '29 days')`,
  );
  await t.sql(
    `INSERT INTO ingestion_anonymous_event (anonymous_id, api_key_id, message_id, activity_type, occurred_at, received_at) VALUES
       ('old-visitor', 0, 'old-1', 'page_view', now() - interval '91 days', now() - interval '91 days'),
       ('old-visitor', 0, 'old-2', 'page_view', now() - interval '89 days', now() - interval '89 days')`,
  );
});
afterAll(async () => {
  await t?.close();
});

interface LeadView {
  email: string | null;
  attributes: Record<string, unknown>;
  score: { total: number; engagement: number; fit: number } | null;
  activities: { totalCount: number; edges: Array<{ node: { type: string; properties: Record<string, unknown>; occurredAt: string } }> };
}
const LEAD = `query($externalId: String!) { lead(externalId: $externalId) {
  email attributes score { total engagement fit }
  activities(first: 50) { totalCount edges { node { type properties occurredAt } } } } }`;
const lead = async (externalId: string) => ok(await t.gql<{ lead: LeadView }>(LEAD, { externalId })).lead;
// The GraphQL type is the enum name (DEMO_REQUEST) or, once the catalog opens it, the stored name: compared lowercased.
const typeOf = (type: string) => type.toLowerCase();
const activityTypes = (view: LeadView) => view.activities.edges.map((edge) => typeOf(edge.node.type)).sort();

describe('the Segment client against the tracking API', () => {
  it('identify, track and page create the lead, map traits and events, and move its score', async () => {
    const { analytics, errors } = segmentClient(url, key);
    analytics.identify({
      userId: 'seg-ana',
      traits: { email: 'Ana@Acme.io', industry: 'software', employees: '800', title: 'VP Sales', plan: 'enterprise' },
    });
    analytics.track({ userId: 'seg-ana', event: 'Demo Requested', properties: { source: 'website', items: [1, 2] } });
    analytics.page({
      userId: 'seg-ana',
      name: 'Pricing',
      properties: { path: '/pricing/enterprise', url: 'https://acme.io/pricing/enterprise' },
    });
    analytics.page({ userId: 'seg-ana', name: 'Blog', properties: { path: '/blog/scoring' } });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);

    const view = await lead('seg-ana');
    expect(view.email).toBe('ana@acme.io');
    expect(view.attributes).toMatchObject({ industry: 'software', companySize: 800, jobTitle: 'VP Sales' });
    expect(view.attributes).not.toHaveProperty('plan'); // not in the catalog: ignored and counted
    expect(activityTypes(view)).toEqual(['demo_request', 'page_view', 'pricing_page_view']);
    const demo = view.activities.edges.find((edge) => typeOf(edge.node.type) === 'demo_request');
    expect(demo?.node.properties).toEqual({ source: 'website' }); // nested values are left out
    const pricing = view.activities.edges.find((edge) => typeOf(edge.node.type) === 'pricing_page_view');
    expect(pricing?.node.properties).toMatchObject({ path: '/pricing/enterprise' });
    expect(view.score?.engagement).toBeGreaterThanOrEqual(points('eng-requested-demo') + points('eng-pricing-view'));
    expect(view.score?.fit).toBeGreaterThan(0);
  });

  it('a batch of many events across leads is written and every lead scored', async () => {
    const before = await lead('seg-ana');
    const { analytics, errors } = segmentClient(url, key, { maxEventsInBatch: 40 });
    for (let i = 0; i < 20; i += 1) {
      analytics.track({ userId: `seg-batch-${i % 4}`, event: i % 2 ? 'Email Link Clicked' : 'Content Downloaded', properties: { n: i } });
    }
    analytics.track({ userId: 'seg-ana', event: 'Webinar Attended' });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);
    for (let i = 0; i < 4; i += 1) {
      const view = await lead(`seg-batch-${i}`);
      expect(view.activities.totalCount).toBe(5);
      expect(view.score?.engagement).toBeGreaterThan(0);
    }
    const after = await lead('seg-ana');
    expect(after.activities.totalCount).toBe(before.activities.totalCount + 1);
    expect(after.score?.total).toBeGreaterThan(before.score?.total ?? 0);
  });

  it('identifies of one user in a batch are applied in order, with the new userIds of tracks, in one bulk upsert', async () => {
    const response = await post(
      `${url}/v1/batch`,
      {
        batch: [
          { type: 'identify', userId: 'seg-twice', messageId: 'tw-1', traits: { industry: 'retail', seniority: 'vp', email: 'old@x.io' } },
          { type: 'track', userId: 'seg-new-by-track', messageId: 'tw-2', event: 'Email Opened' },
          { type: 'identify', userId: 'seg-twice', messageId: 'tw-3', traits: { industry: 'software', email: 'new@x.io' } },
        ],
      },
      key,
    );
    expect(response.body).toMatchObject({ success: true, leadsUpserted: 2, activitiesRecorded: 1 });
    const view = await lead('seg-twice');
    expect(view.email).toBe('new@x.io');
    expect(view.attributes).toMatchObject({ industry: 'software', seniority: 'vp' });
    expect(activityTypes(await lead('seg-new-by-track'))).toEqual(['email_open']);
  });

  it('takes the write key from the body too, flattens Segment’s company trait, accepts and ignores screen/group/alias', async () => {
    const body = {
      writeKey: key,
      batch: [
        {
          type: 'identify',
          userId: 'seg-company',
          messageId: 'co-1',
          traits: { company: { name: 'Globex', employee_count: 1200, industry: 'retail' } },
        },
        { type: 'screen', userId: 'seg-company', messageId: 'co-2', name: 'Home' },
        { type: 'group', userId: 'seg-company', messageId: 'co-3', groupId: 'g-1' },
      ],
    };
    const response = await post(`${url}/v1/batch`, body, null);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, leadsUpserted: 1, ignoredMessages: 2 });
    expect((await lead('seg-company')).attributes).toMatchObject({ company: 'Globex', companySize: 1200, industry: 'retail' });
  });

  it('an identify without userId finds the lead by its email trait, or starts one keyed by the email', async () => {
    const response = await post(
      `${url}/v1/batch`,
      {
        batch: [
          { type: 'identify', anonymousId: 'anon-ana', messageId: 'em-1', traits: { email: 'ANA@acme.io', seniority: 'director' } },
          { type: 'identify', anonymousId: 'anon-cy', messageId: 'em-2', traits: { email: 'cy@initech.io' } },
          { type: 'track', anonymousId: 'anon-ana', messageId: 'em-3', event: 'Email Opened' },
        ],
      },
      key,
    );
    expect(response.body).toMatchObject({ success: true, leadsUpserted: 2, activitiesRecorded: 1 });
    expect((await lead('seg-ana')).attributes).toMatchObject({ seniority: 'director' });
    expect((await lead('cy@initech.io')).email).toBe('cy@initech.io');
  });

  it('the client retries a batch the service wrote but whose answer was lost: written once', async () => {
    const proxy = await failingProxy(url, 1);
    try {
      const before = await writtenCounts(t);
      const { analytics, errors } = segmentClient(proxy.url, key);
      analytics.identify({ userId: 'seg-retry', traits: { industry: 'retail' } });
      analytics.track({ userId: 'seg-retry', event: 'Demo Requested' });
      analytics.track({ userId: 'seg-retry', event: 'Trial Started' });
      await analytics.closeAndFlush();
      expect(errors).toEqual([]);
      // The first attempt was written and answered 500 by the proxy; the client sent the same batch again.
      expect(proxy.seen.map((attempt) => attempt.status)).toEqual([200, 200]);
      expect(proxy.seen[1].retryCount).toBe('1');
      const view = await lead('seg-retry');
      expect(activityTypes(view)).toEqual(['demo_request', 'trial_signup']);
      const after = await writtenCounts(t);
      expect(after.activities - before.activities).toBe(2);
      // The identify is remembered in ingestion_message; the two tracks by their activities' idempotency keys.
      expect(after.messages - before.messages).toBe(1);
      expect(after.leads - before.leads).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('keeps an anonymous visitor’s activity and attaches it when an identify links the anonymousId', async () => {
    const { analytics, errors } = segmentClient(url, key);
    analytics.page({ anonymousId: 'anon-7', name: 'Pricing', properties: { path: '/pricing' } });
    analytics.track({ anonymousId: 'anon-7', event: 'Demo Requested' });
    await analytics.closeAndFlush();
    expect(errors).toEqual([]);
    const kept = await t.sql<{ activity_type: string }>(
      'SELECT activity_type FROM ingestion_anonymous_event WHERE anonymous_id = $1 ORDER BY activity_type',
      ['anon-7'],
    );
    expect(kept.map((row) => row.activity_type)).toEqual(['demo_request', 'pricing_page_view']);
    expect(await t.sql("SELECT 1 FROM lead WHERE external_id = 'seg-anon'")).toEqual([]);

    const second = segmentClient(url, key);
    second.analytics.identify({ userId: 'seg-anon', anonymousId: 'anon-7', traits: { email: 'bo@globex.io' } });
    await second.analytics.closeAndFlush();
    expect(second.errors).toEqual([]);
    const view = await lead('seg-anon');
    expect(activityTypes(view)).toEqual(['demo_request', 'pricing_page_view']);
    expect(view.score?.engagement).toBeGreaterThanOrEqual(points('eng-requested-demo'));
    expect(await t.sql('SELECT 1 FROM ingestion_anonymous_event WHERE anonymous_id = $1', ['anon-7'])).toEqual([]);

    // Later events with only the anonymousId go straight to the linked lead.
    const third = segmentClient(url, key);
    third.analytics.track({ anonymousId: 'anon-7', event: 'Form Submitted' });
    await third.analytics.closeAndFlush();
    expect(activityTypes(await lead('seg-anon'))).toEqual(['demo_request', 'form_submission', 'pricing_page_view']);
  });

  it('erasing a lead forgets its visitors: their later events do not re-create it', async () => {
    const first = segmentClient(url, key);
    first.analytics.page({ anonymousId: 'anon-erase', name: 'Pricing', properties: { path: '/pricing' } });
    first.analytics.identify({ userId: 'seg-erase', anonymousId: 'anon-erase', traits: { email: 'erase@globex.io' } });
    await first.analytics.closeAndFlush();
    expect(first.errors).toEqual([]);
    expect((await lead('seg-erase')).activities.totalCount).toBe(1);

    const erased = ok(
      await t.gql<{ eraseLead: { removed: { activities: number; trackingIdentities: number } } }>(
        'mutation { eraseLead(externalId: "seg-erase") { removed { activities trackingIdentities } } }',
      ),
    );
    expect(erased.eraseLead.removed).toEqual({ activities: 1, trackingIdentities: 1 });
    expect(await t.sql('SELECT 1 FROM ingestion_identity WHERE anonymous_id = $1', ['anon-erase'])).toEqual([]);

    const later = segmentClient(url, key);
    later.analytics.track({ anonymousId: 'anon-erase', event: 'Demo Requested' });
    await later.analytics.closeAndFlush();
    expect(later.errors).toEqual([]);
    expect(await t.sql("SELECT 1 FROM lead WHERE external_id = 'seg-erase'")).toEqual([]);
    const kept = await t.sql<{ activity_type: string }>('SELECT activity_type FROM ingestion_anonymous_event WHERE anonymous_id = $1', [
      'anon-erase',
    ]);
    expect(kept).toEqual([{ activity_type: 'demo_request' }]);
  });

  it('single-message routes take the HTTP API’s shapes and correct the client’s clock by sentAt', async () => {
    const now = Date.now();
    // The sender's clock is one hour ahead: its timestamp and sentAt are both an hour late.
    const ahead = (ms: number) => new Date(now + 3_600_000 - ms).toISOString();
    const identify = await post(`${url}/v1/identify`, { userId: 'seg-skew', messageId: 'skew-1', traits: { seniority: 'vp' } }, key);
    expect(identify.status).toBe(200);
    const track = await post(
      `${url}/v1/track`,
      { userId: 'seg-skew', event: 'Demo Requested', messageId: 'skew-2', timestamp: ahead(10 * 60_000), sentAt: ahead(0) },
      key,
    );
    expect(track.status).toBe(200);
    expect(track.body).toMatchObject({ success: true, received: 1, activitiesRecorded: 1, duplicates: 0 });
    const page = await post(`${url}/v1/page`, { userId: 'seg-skew', messageId: 'skew-3', name: 'Home', properties: { path: '/' } }, key);
    expect(page.body).toMatchObject({ activitiesRecorded: 1 });
    const view = await lead('seg-skew');
    const demo = view.activities.edges.find((edge) => typeOf(edge.node.type) === 'demo_request');
    const occurred = Date.parse(demo?.node.occurredAt ?? '');
    // About ten minutes before it arrived, not fifty minutes in the future.
    expect(Math.abs(occurred - (now - 10 * 60_000))).toBeLessThan(60_000);
    // The same messageId again is a duplicate: nothing written.
    const again = await post(
      `${url}/v1/track`,
      { userId: 'seg-skew', event: 'Demo Requested', messageId: 'skew-2', timestamp: ahead(10 * 60_000), sentAt: ahead(0) },
      key,
    );
    expect(again.body).toMatchObject({ success: true, duplicates: 1, activitiesRecorded: 0 });
    expect((await lead('seg-skew')).activities.totalCount).toBe(2);
  });

  it('forgets message ids after 30 days and anonymous activity after 90 (purged after a request)', async () => {
    await until(
      async () => (await t.sql("SELECT 1 FROM ingestion_message WHERE message_id = 'expired'")).length === 0,
      'expired ids purged',
    );
    expect(await t.sql('SELECT message_id FROM ingestion_message WHERE api_key_id = 0')).toEqual([{ message_id: 'recent' }]);
    const anonymous = await t.sql<{ message_id: string }>(
      "SELECT message_id FROM ingestion_anonymous_event WHERE anonymous_id = 'old-visitor'",
    );
    expect(anonymous).toEqual([{ message_id: 'old-2' }]);
  });
});
