import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HttpServer } from '../server/src/http/http-server';
import { LIVE_LIMITS } from '../server/src/live/live-limits';
import { LEAD_SCORE, type LiveClient, liveClient, RESCORE, receive, subscribed } from './support/live';
import { ok } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/* Who may open the live socket and subscribe, what ends a connection, and the limits. */

let t: TestApp;
let server: HttpServer;
let adminToken: string;
let leadId: string;
const clients: LiveClient[] = [];

function open(params: Record<string, unknown>, options?: Parameters<typeof liveClient>[2]): LiveClient {
  const client = liveClient(server.graphqlUrl, params, options);
  clients.push(client);
  return client;
}

async function post<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function apiKey(scopes: string[]): Promise<{ id: string; secret: string }> {
  const { apiKey: key, secret } = await t.app.services.auth.createApiKey({ name: `live-${scopes.join('-')}-${Date.now()}`, scopes });
  return { id: key.id, secret };
}

async function userToken(role: 'viewer' | 'sales'): Promise<string> {
  const email = `live-${role}-${Date.now()}@acme.io`;
  await t.app.services.auth.createUser({ email, name: role, role, password: 'correct horse battery' });
  return (await t.app.services.auth.signIn(email, 'correct horse battery')).token;
}

/** Subscribes to the lead's score and waits until it is registered; returns what arrives. */
async function watchLead(live: LiveClient) {
  const before = t.app.services.live.hub.subscriptionCount;
  const received = receive(live, LEAD_SCORE, { leadId });
  await until(
    async () => t.app.services.live.hub.subscriptionCount > before || received.errors.length > 0 || live.closes.length > 0,
    'the subscription is registered or refused',
  );
  return received;
}

beforeAll(async () => {
  t = await createTestApp();
  server = await t.http();
  adminToken = await t.adminToken();
  leadId = ok(await t.gql<{ upsertLead: { id: string } }>(`mutation { upsertLead(input: { externalId: "live-auth-1" }) { id } }`))
    .upsertLead.id;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await t?.close();
});

describe('authentication', () => {
  it('without credentials, or with an unknown token, the socket is closed with 4401 and a reason', async () => {
    for (const params of [{}, { authorization: 'Bearer lss_nope' }, { ticket: 'lst_nope' }]) {
      const live = open(params);
      const received = receive(live, LEAD_SCORE, { leadId });
      await until(async () => live.closes.length > 0, 'the socket is closed');
      expect(live.closes[0].code).toBe(4401);
      expect(live.closes[0].reason.length).toBeGreaterThan(10);
      expect(received.events).toEqual([]);
    }
  });

  it('a viewer and a scores:read key may watch a lead; a leads:write key and a key on rescoreProgress get FORBIDDEN', async () => {
    const viewer = await watchLead(open({ authorization: `Bearer ${await userToken('viewer')}` }));
    const reader = await watchLead(open({ authorization: `Bearer ${(await apiKey(['scores:read'])).secret}` }));
    const writerLive = open({ authorization: `Bearer ${(await apiKey(['leads:write'])).secret}` });
    const writer = await watchLead(writerLive);
    const rescore = receive(writerLive, RESCORE, { jobId: '1' });
    await until(async () => rescore.errors.length > 0, 'the rescore subscription is refused');
    expect(viewer.errors).toEqual([]);
    expect(reader.errors).toEqual([]);
    expect(writer.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(writer.errors[0].message).toContain('scores:read');
    expect(rescore.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('a one-use ticket from createLiveTicket opens the socket once', async () => {
    const token = await userToken('sales');
    const { createLiveTicket } = await post<{ createLiveTicket: { ticket: string; expiresAt: string } }>(
      token,
      'mutation { createLiveTicket { ticket expiresAt } }',
    );
    expect(new Date(createLiveTicket.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const first = await watchLead(open({ ticket: createLiveTicket.ticket }));
    expect(first.errors).toEqual([]);
    const again = open({ ticket: createLiveTicket.ticket });
    receive(again, LEAD_SCORE, { leadId });
    await until(async () => again.closes.length > 0, 'the reused ticket is refused');
    expect(again.closes[0]).toMatchObject({ code: 4401 });
    expect(again.closes[0].reason).toMatch(/already used/);
  });
});

describe('ended credentials close their subscriptions', () => {
  it('revoking an API key closes its sockets with 4401 at once', async () => {
    const key = await apiKey(['scores:read']);
    const live = open({ authorization: `Bearer ${key.secret}` });
    const received = await watchLead(live);
    expect(received.errors).toEqual([]);
    await post(adminToken, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id });
    await until(async () => live.closes.length > 0, 'the socket is closed');
    expect(live.closes[0].code).toBe(4401);
    expect(received.errors.length + (received.completed ? 1 : 0)).toBeGreaterThan(0);
  });

  it('signing out closes the sockets of that session, and only those', async () => {
    const token = await userToken('viewer');
    const other = await userToken('viewer');
    const live = open({ authorization: `Bearer ${token}` });
    const kept = open({ authorization: `Bearer ${other}` });
    await watchLead(live);
    const keptReceived = await watchLead(kept);
    await post(token, 'mutation { signOut }');
    await until(async () => live.closes.length > 0, 'the socket is closed');
    expect(live.closes[0].code).toBe(4401);
    // The other session's socket still delivers.
    await t.gql(
      `mutation { recordActivity(input: { leadExternalId: "live-auth-1", type: DEMO_REQUEST, occurredAt: "${new Date().toISOString()}", idempotencyKey: "live-auth-so" }) { duplicate } }`,
    );
    await until(async () => keptReceived.events.length > 0, 'the other session still hears');
    expect(kept.closes).toEqual([]);
  });

  it("disabling a user closes their sessions' sockets and those of the API keys they created", async () => {
    const email = `live-disabled-${Date.now()}@acme.io`;
    const user = await t.app.services.auth.createUser({ email, name: 'soon disabled', role: 'sales', password: 'correct horse battery' });
    const token = (await t.app.services.auth.signIn(email, 'correct horse battery')).token;
    const { apiKey: key, secret } = await t.app.services.auth.createApiKey(
      { name: `live-of-${user.id}`, scopes: ['scores:read'] },
      user.id,
    );
    const other = await apiKey(['scores:read']);
    const session = open({ authorization: `Bearer ${token}` });
    const theirKey = open({ authorization: `Bearer ${secret}` });
    const otherKey = open({ authorization: `Bearer ${other.secret}` });
    for (const live of [session, theirKey, otherKey]) expect((await watchLead(live)).errors).toEqual([]);
    await post(adminToken, 'mutation($id: ID!) { disableUser(id: $id) { id } }', { id: user.id });
    await until(async () => session.closes.length > 0 && theirKey.closes.length > 0, 'both sockets are closed');
    expect([session.closes[0].code, theirKey.closes[0].code]).toEqual([4401, 4401]);
    expect(key.id).toBeTruthy();
    expect(otherKey.closes).toEqual([]);
  });
});

describe('limits', () => {
  it(`at most ${LIVE_LIMITS.maxSubscriptionsPerConnection} subscriptions per connection: one more gets TOO_MANY_SUBSCRIPTIONS`, async () => {
    const live = open({ authorization: `Bearer ${adminToken}` });
    const base = t.app.services.live.hub.subscriptionCount;
    for (let i = 0; i < LIVE_LIMITS.maxSubscriptionsPerConnection; i++) receive(live, LEAD_SCORE, { leadId });
    await subscribed(t, base + LIVE_LIMITS.maxSubscriptionsPerConnection);
    const extra = receive(live, LEAD_SCORE, { leadId });
    await until(async () => extra.errors.length > 0, 'the extra subscription is refused');
    expect(extra.errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS' } });
    await live.dispose();
    await until(async () => t.app.services.live.hub.subscriptionCount === base, 'the subscriptions end with the socket');
  });

  it('queries and mutations go over HTTP; invalid documents and too many aliases are refused like queries', async () => {
    const live = open({ authorization: `Bearer ${adminToken}` });
    const query = receive(live, '{ me { actor } }');
    const invalid = receive(live, 'subscription { leadScoreChanged(leadId: "1") { nope } }');
    const aliases = Array.from({ length: 21 }, (_, index) => `a${index}: total`).join(' ');
    const aliased = receive(live, `subscription { leadScoreChanged(leadId: "1") { ${aliases} } }`);
    await until(async () => query.errors.length > 0 && invalid.errors.length > 0 && aliased.errors.length > 0, 'the errors arrive');
    expect(aliased.errors[0].message).toMatch(/[Aa]liases/);
    expect(query.errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(query.errors[0].message).toMatch(/over HTTP/);
    expect(invalid.errors[0].message).toMatch(/nope/);
  });

  it(`at most ${LIVE_LIMITS.maxConnectionsPerPrincipal} connections per user or key: one more is closed with 1013`, async () => {
    const key = await apiKey(['scores:read']);
    const sockets = Array.from({ length: LIVE_LIMITS.maxConnectionsPerPrincipal }, () => open({ authorization: `Bearer ${key.secret}` }));
    await Promise.all(sockets.map((live) => watchLead(live)));
    const extra = open({ authorization: `Bearer ${key.secret}` });
    receive(extra, LEAD_SCORE, { leadId });
    await until(async () => extra.closes.length > 0, 'the extra connection is closed');
    expect(extra.closes[0].code).toBe(1013);
    expect(extra.closes[0].reason).toMatch(/Too many live connections/);
    for (const live of sockets) await live.dispose();
  });

  it(`more than ${LIVE_LIMITS.maxMessagesPerWindow} messages per window close the socket with 1008`, async () => {
    // A flooding client is not what the graphql-ws client does: protocol messages over a raw socket.
    const socket = new WebSocket(server.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${adminToken}` } }));
    for (let i = 0; i <= LIVE_LIMITS.maxMessagesPerWindow; i++) socket.send(JSON.stringify({ type: 'ping' }));
    expect(await closed).toBe(1008);
  });

  it('a browser origin that is not the console is refused at the upgrade', async () => {
    const refused = open({ authorization: `Bearer ${adminToken}` }, { headers: { origin: 'https://evil.example' } });
    receive(refused, LEAD_SCORE, { leadId });
    await until(async () => refused.closes.length > 0, 'the upgrade is refused');
    expect(refused.connected()).toBe(0);
    const console = open({ authorization: `Bearer ${adminToken}` }, { headers: { origin: 'http://127.0.0.1:3000' } });
    const received = await watchLead(console);
    expect(received.errors).toEqual([]);
    expect(console.connected()).toBe(1);
  });
});
