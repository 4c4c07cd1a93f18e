import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../server/src/http/http-server';
import { ok } from './support/scores';
import { LEAD_SCORE, LEADS_CHANGED, type LiveClient, type LiveScore, liveClient, receive, subscribed } from './support/live';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/* Subscriptions over graphql-ws with the real client: a lead's score, a filtered list, reconnects. */

let t: TestApp;
let server: HttpServer;
let token: string;
const clients: LiveClient[] = [];
let keys = 0;

const UPSERT = `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id score { total cell band } } }`;
const RECORD = `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { score { total fit engagement cell band qualified reasons { rule points } } } }`;

async function lead(externalId: string): Promise<{ id: string; score: { total: number } }> {
  return ok(
    await t.gql<{ upsertLead: { id: string; score: { total: number } } }>(UPSERT, {
      input: { externalId, email: `${externalId}@acme.io`, attributes: { industry: 'software', companySize: 300 } },
    }),
  ).upsertLead;
}

async function record(externalId: string, type = 'DEMO_REQUEST'): Promise<LiveScore> {
  keys += 1;
  return ok(
    await t.gql<{ recordActivity: { score: LiveScore } }>(RECORD, {
      input: { leadExternalId: externalId, type, occurredAt: new Date(Date.now() - 60_000).toISOString(), idempotencyKey: `live-${keys}` },
    }),
  ).recordActivity.score;
}

function open(options?: Parameters<typeof liveClient>[2]): LiveClient {
  const client = liveClient(server.graphqlUrl, { authorization: `Bearer ${token}` }, options);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  t = await createTestApp();
  server = await t.http();
  token = await t.adminToken();
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await t?.close();
});

describe('leadScoreChanged', () => {
  it('sends the new score, with its reasons, when an activity is recorded', async () => {
    const { id } = await lead('live-score-1');
    const live = open();
    const before = t.app.services.live.hub.subscriptionCount;
    const received = receive<{ leadScoreChanged: LiveScore }>(live, LEAD_SCORE, { leadId: id });
    await subscribed(t, before + 1);
    const score = await record('live-score-1');
    await until(async () => received.events.length >= 1, 'the score change arrives');
    expect(received.errors).toEqual([]);
    expect(received.events[0].leadScoreChanged).toEqual(score);
    received.unsubscribe();
    await until(async () => t.app.services.live.hub.subscriptionCount === before, 'the subscription is gone');
  });

  it('an unknown lead is NOT_FOUND, naming leadId', async () => {
    const received = receive(open(), LEAD_SCORE, { leadId: '999999999' });
    await until(async () => received.errors.length > 0, 'the error arrives');
    expect(received.errors[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', reason: 'LEAD_NOT_FOUND' } });
  });
});

describe('leadsChanged', () => {
  it('reports leads entering, changing in and leaving a filtered list; other leads say nothing', async () => {
    const first = await lead('live-list-a');
    await lead('live-other-b');
    const live = open();
    const base = t.app.services.live.hub.subscriptionCount;
    type Event = { leadsChanged: { leadId: string; kind: string; score: { total: number } } };
    const inList = receive<Event>(live, LEADS_CHANGED, { filter: { search: 'live-list-' } });
    const rising = receive<Event>(live, LEADS_CHANGED, { filter: { search: 'live-list-', minTotal: first.score.total + 1 } });
    const low = receive<Event>(live, LEADS_CHANGED, { filter: { search: 'live-list-', maxTotal: first.score.total } });
    await subscribed(t, base + 3);

    await record('live-other-b');
    const score = await record('live-list-a');
    expect(score.total).toBeGreaterThan(first.score.total);
    await until(async () => inList.events.length >= 1 && rising.events.length >= 1 && low.events.length >= 1, 'the three lists hear it');
    expect(inList.events.map((event) => event.leadsChanged)).toEqual([
      { leadId: first.id, kind: 'CHANGED', score: { total: score.total, cell: score.cell, band: score.band } },
    ]);
    expect(rising.events.map((event) => event.leadsChanged.kind)).toEqual(['ENTERED']);
    expect(low.events.map((event) => event.leadsChanged.kind)).toEqual(['LEFT']);

    // A new lead that matches enters (its first score).
    const created = await lead('live-list-c');
    await until(async () => inList.events.length >= 2, 'the new lead enters');
    expect(inList.events[1].leadsChanged).toMatchObject({ leadId: created.id, kind: 'ENTERED' });
    expect(inList.errors).toEqual([]);
    for (const received of [inList, rising, low]) received.unsubscribe();
  });

  it('an invalid filter is refused naming the field', async () => {
    const received = receive(open(), LEADS_CHANGED, { filter: { attributes: [{ name: 'noSuchAttribute', values: ['x'] }] } });
    await until(async () => received.errors.length > 0, 'the error arrives');
    expect(received.errors[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'filter.attributes[0].name' }] },
    });
  });
});

describe('reconnects', () => {
  it('the client reconnects after the server drops its socket, subscribes again and gets the next change', async () => {
    const { id } = await lead('live-reconnect');
    const live = open({ retryAttempts: 5 });
    const base = t.app.services.live.hub.subscriptionCount;
    const received = receive<{ leadScoreChanged: LiveScore }>(live, LEAD_SCORE, { leadId: id });
    await subscribed(t, base + 1);
    expect(live.connected()).toBe(1);

    // 1012 (service restart): what a rolling deploy sends; the client retries by itself.
    t.app.services.live.closeConnections(1012, 'restarting');
    await until(async () => live.connected() === 2, 'the client connects again');
    await subscribed(t, base + 1);
    expect(live.closes.map((closed) => closed.code)).toEqual([1012]);

    const score = await record('live-reconnect');
    await until(async () => received.events.length >= 1, 'the change arrives on the new connection');
    expect(received.events.at(-1)?.leadScoreChanged.total).toBe(score.total);
    expect(received.errors).toEqual([]);
  });
});
