import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../server/src/auth/principal';
import { ok, onlyError } from './support/scores';
import { post, segmentClient, writeKey, writtenCounts } from './support/ingestion';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * The tracking API's refusals: bad write keys, oversized and malformed batches (a 400 naming the
 * field, nothing written), traits that cannot be coerced, and the mapping configuration through
 * GraphQL (who may change it, what it checks, unmapped events ignored or refused).
 */

let t: TestApp;
let batchUrl: string;
let key: string;
beforeAll(async () => {
  t = await createTestApp();
  batchUrl = `${(await t.http()).url}/v1/batch`;
  key = await writeKey(t);
});
afterAll(async () => {
  await t?.close();
});

const track = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  userId: `err-${n}`,
  event: 'Demo Requested',
  messageId: `err-msg-${n}`,
  ...extra,
});

/** Posts the body and checks the 400 names exactly these paths and that nothing at all was written. */
async function expectRefused(body: unknown, paths: string[]): Promise<string> {
  const before = await writtenCounts(t);
  const response = await post(batchUrl, body, key);
  expect(response.status).toBe(400);
  expect(response.body.success).toBe(false);
  expect(response.body.errors?.map((problem) => problem.path)).toEqual(paths);
  expect(await writtenCounts(t)).toEqual(before);
  return response.body.errors?.map((problem) => problem.message).join('; ') ?? '';
}

describe('write keys', () => {
  it('refuses a missing or unknown write key with 401 and a key without leads:write with 403', async () => {
    const body = { batch: [track(1)] };
    const missing = await post(batchUrl, body, null);
    expect(missing.status).toBe(401);
    expect((await post(batchUrl, body, 'lsk_000000000000_nope')).status).toBe(401);
    expect((await post(batchUrl, body, 'not-a-key')).status).toBe(401);
    const readOnly = await writeKey(t, ['scores:read'], 'read-only');
    const forbidden = await post(batchUrl, body, readOnly);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors?.[0].message).toContain('leads:write');
    expect(await t.sql("SELECT 1 FROM lead WHERE external_id = 'err-1'")).toEqual([]);
  });

  it('the Segment client gets the 401 and writes nothing', async () => {
    const { analytics, errors } = segmentClient(new URL(batchUrl).origin, 'lsk_000000000000_wrong', { maxRetries: 0 });
    analytics.track({ userId: 'err-client', event: 'Demo Requested' });
    await analytics.closeAndFlush();
    expect(String((errors[0] as { reason?: unknown })?.reason ?? errors[0])).toContain('401');
    expect(await t.sql("SELECT 1 FROM lead WHERE external_id = 'err-client'")).toEqual([]);
  });
});

describe('oversized and malformed batches: 400 naming the field, nothing written', () => {
  it('a message over 32 KB', async () => {
    const message = await expectRefused({ batch: [track(1), track(2, { properties: { blob: 'x'.repeat(33 * 1024) } })] }, ['batch[1]']);
    expect(message).toContain('32 KB');
  });

  it('a batch over 500 KB, and over the 1 MB read limit', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => track(i, { properties: { blob: 'y'.repeat(30 * 1024) } }));
    expect(await expectRefused({ batch }, ['body'])).toContain('500 KB');
    const huge = Array.from({ length: 40 }, (_, i) => track(i, { properties: { blob: 'z'.repeat(30 * 1024) } }));
    await expectRefused({ batch: huge }, ['body']);
  });

  it('more than 500 messages, an empty batch, a body that is not JSON', async () => {
    await expectRefused({ batch: Array.from({ length: 501 }, (_, i) => track(i)) }, ['batch']);
    await expectRefused({ batch: [] }, ['batch']);
    await expectRefused('{"batch": [', ['body']);
    await expectRefused({ events: [] }, ['batch']);
  });

  it('each bad message named, the good ones not written either', async () => {
    const message = await expectRefused(
      {
        batch: [
          track(1),
          track(2, { type: 'trak' }),
          { type: 'identify', traits: { industry: 'retail' }, messageId: 'no-user' },
          track(4, { event: undefined }),
          track(5, { timestamp: 'yesterday' }),
          track(6, { properties: ['not', 'an', 'object'] }),
          track(7, { timestamp: '2099-01-01T00:00:00Z' }),
          track(8, { userId: { id: 8 } }),
        ],
      },
      [
        'batch[1].type',
        'batch[2].userId',
        'batch[3].event',
        'batch[4].timestamp',
        'batch[5].properties',
        'batch[6].timestamp',
        'batch[7].userId',
      ],
    );
    expect(message).toContain('give a userId or an anonymousId');
    expect(message).toContain('in the future');
  });

  it('traits that cannot be coerced to their attribute’s type name the trait', async () => {
    const message = await expectRefused(
      {
        batch: [
          {
            type: 'identify',
            userId: 'err-traits',
            messageId: 'tr-1',
            traits: { employees: 'lots', budgetConfirmed: 'maybe', industry: 'retail' },
          },
          { type: 'identify', userId: 'err-traits-2', messageId: 'tr-2', traits: { email: 'not-an-email' } },
        ],
      },
      ['batch[0].traits.employees', 'batch[0].traits.budgetConfirmed', 'batch[1].traits.email'],
    );
    expect(message).toContain('mapped to attribute companySize');
  });

  it('a message id reused in one batch is written once', async () => {
    const response = await post(batchUrl, { batch: [track(30), track(30)] }, key);
    expect(response.body).toMatchObject({ success: true, received: 2, duplicates: 1, activitiesRecorded: 1 });
  });
});

describe('tracking configuration', () => {
  const CONFIG =
    'query { trackingConfig { unmappedEvents eventMappings { kind event path property value activityType } traitMappings { trait attribute } } }';
  const SET = `mutation($input: TrackingConfigInput!) { setTrackingConfig(input: $input) { unmappedEvents eventMappings { event activityType } } }`;
  const marketing: Principal = { kind: 'user', userId: '0', email: 'm@test.local', name: 'M', role: 'marketing' };
  const sales: Principal = { kind: 'user', userId: '0', email: 's@test.local', name: 'S', role: 'sales' };

  it('has a default mapping installed on first start', async () => {
    const { trackingConfig } = ok(
      await t.gql<{ trackingConfig: { unmappedEvents: string; eventMappings: Array<Record<string, unknown>> } }>(CONFIG),
    );
    expect(trackingConfig.unmappedEvents).toBe('IGNORE');
    expect(trackingConfig.eventMappings).toContainEqual({
      kind: 'TRACK',
      event: 'Demo Requested',
      path: null,
      property: null,
      value: null,
      activityType: 'demo_request',
    });
    expect(trackingConfig.eventMappings).toContainEqual(
      expect.objectContaining({ kind: 'PAGE', path: '/pricing*', activityType: 'pricing_page_view' }),
    );
  });

  it('unmapped events are ignored and counted, then refused once configured so', async () => {
    const ignored = await post(batchUrl, { batch: [track(40, { event: 'Video Played' })] }, key);
    expect(ignored.body).toMatchObject({ success: true, unmappedEvents: 1, activitiesRecorded: 0 });

    const input = {
      unmappedEvents: 'REFUSE',
      eventMappings: [
        { kind: 'TRACK', event: 'Plan Chosen', property: 'plan', value: 'enterprise', activityType: 'demo_request' },
        { kind: 'TRACK', event: 'Plan Chosen', activityType: 'form_submission' },
        { kind: 'PAGE', path: '/pricing*', activityType: 'pricing_page_view' },
      ],
      traitMappings: [{ trait: 'employees', attribute: 'companySize' }],
    };
    expect(onlyError(await t.gqlAs(sales, SET, { input })).extensions?.code).toBe('FORBIDDEN');
    ok(await t.gqlAs(marketing, SET, { input }));
    const audit = await t.sql<{ actor: string }>("SELECT actor FROM audit_log WHERE action = 'tracking.config_changed'");
    expect(audit.map((row) => row.actor)).toEqual(['user:m@test.local']);

    const mapped = await post(
      batchUrl,
      {
        batch: [
          track(41, { event: 'Plan Chosen', properties: { plan: 'enterprise' } }),
          track(42, { event: 'Plan Chosen', properties: { plan: 'starter' } }),
        ],
      },
      key,
    );
    expect(mapped.body).toMatchObject({ success: true, activitiesRecorded: 2 });
    const types = await t.sql<{ type: string }>(
      "SELECT a.type FROM activity a JOIN lead l ON l.id = a.lead_id WHERE l.external_id IN ('err-41', 'err-42') ORDER BY l.external_id",
    );
    expect(types.map((row) => row.type)).toEqual(['demo_request', 'form_submission']);

    const message = await expectRefused(
      {
        batch: [
          track(43, { event: 'Plan Chosen' }),
          track(44, { event: 'Video Played' }),
          { type: 'page', userId: 'err-45', properties: { path: '/blog' } },
        ],
      },
      ['batch[1].event', 'batch[2].properties.path'],
    );
    expect(message).toContain('no event mapping matches event "Video Played"');
  });

  it('refuses a configuration naming an unknown activity type or attribute, each at its path', async () => {
    const error = onlyError(
      await t.gql(SET, {
        input: {
          unmappedEvents: 'IGNORE',
          eventMappings: [
            { kind: 'TRACK', event: 'Demo Requested', activityType: 'demo_requets' },
            { kind: 'TRACK', activityType: 'page_view' },
            { kind: 'PAGE', activityType: 'page_view' },
          ],
          traitMappings: [{ trait: 'size', attribute: 'companySise' }],
        },
      }),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual([
      'input.eventMappings[0].activityType',
      'input.eventMappings[1].event',
      'input.eventMappings[2].path',
      'input.traitMappings[0].attribute',
    ]);
  });
});
