import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { EVENT_TYPE_HEADER, SIGNATURE_HEADER, verifyLegacySignature } from '../server/src/webhooks/webhook-signature';
import { systemLookup, type AddressLookup } from '../server/src/webhooks/webhook-target';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

interface Received {
  eventId: string;
  type: string;
  signatureValid: boolean;
  status: number;
  body: { lead: { externalId: string }; score: { qualified: boolean; cell: string } };
}

/** Every request any receiver got: path, headers, raw body. */
interface Request {
  path: string;
  headers: Record<string, string>;
  body: string;
}

let t: TestApp;
let receiver: http.Server;
let receiverBase: string;
let receiverUrl: string;
/** Listens on 127.0.0.2, an address the app may not reach: it must never get a request. */
let forbidden: http.Server;
let forbiddenPort: number;
const forbiddenHits: string[] = [];
let secret = '';
const received: Received[] = [];
const requests: Request[] = [];
const attemptsByEvent = new Map<string, number>();
/** Responses the /hold path keeps until a test releases them. */
const held: http.ServerResponse[] = [];

/** The app's DNS: each name answers its next list of addresses (the last one repeats); unknown names go to the system resolver. */
const dns = new Map<string, string[][]>();
const lookup: AddressLookup = async (name) => {
  const answers = dns.get(name);
  if (!answers) return systemLookup(name);
  const answer = answers.length > 1 ? answers.shift()! : answers[0];
  return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const headersOf = (req: http.IncomingMessage) =>
  Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));

beforeAll(async () => {
  // Receivers listen on 127.0.0.1, the one network the app may reach besides public addresses.
  t = await createTestApp({ workers: true, webhooks: { policy: { allowPrivate: false, allowedNetworks: ['127.0.0.1/32'] }, lookup } });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({ path, headers: headersOf(req), body });
      if (path === '/ok') return void res.writeHead(200).end();
      if (path === '/unavailable') return void res.writeHead(503).end();
      if (path === '/redirect') return void res.writeHead(302, { location: `${receiverBase}/ok` }).end();
      // /hold answers an event's first request 503 at once and holds any later one.
      if (path === '/hold')
        return void (requests.filter((r) => r.headers['webhook-id'] === req.headers['webhook-id']).length === 1
          ? res.writeHead(503).end()
          : held.push(res));
      // /hooks/leads fails the first two attempts of every event, then accepts.
      const eventId = String(req.headers['webhook-id']);
      const attempt = (attemptsByEvent.get(eventId) ?? 0) + 1;
      attemptsByEvent.set(eventId, attempt);
      const status = attempt <= 2 ? 503 : 200;
      received.push({
        eventId,
        type: String(req.headers[EVENT_TYPE_HEADER]),
        signatureValid:
          verifies(secret, body, headersOf(req)) && verifyLegacySignature(secret, body, String(req.headers[SIGNATURE_HEADER])),
        status,
        body: JSON.parse(body) as Received['body'],
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  receiverUrl = `${receiverBase}/hooks/leads`;
  forbidden = http.createServer((req, res) => {
    forbiddenHits.push(req.url ?? '');
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => forbidden.listen(0, '127.0.0.2', resolve));
  forbiddenPort = (forbidden.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const res of held) res.end();
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await new Promise((resolve) => forbidden?.close(resolve));
});

/** What a receiver does with the standardwebhooks library. */
function verifies(signingSecret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(signingSecret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('qualified-lead webhooks', () => {
  it('refuses a bad endpoint naming the fields', async () => {
    const result = await t.gql(`mutation { createWebhookEndpoint(input: { name: "", url: "ftp://x", events: ["lead.won"] }) { secret } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.path).sort()).toEqual(['input.events[0]', 'input.name', 'input.url']);
    expect(await t.sql('SELECT 1 FROM webhook_endpoint')).toHaveLength(0);
  });

  it('delivers each event signed, retrying with backoff after failures, and logs every attempt', async () => {
    const created = await t.gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      { input: { name: 'crm', url: receiverUrl, events: ['lead.qualified', 'lead.sales_ready'] } },
    );
    expect(created.errors).toBeUndefined();
    secret = created.data!.createWebhookEndpoint.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const upsert = await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { score { total qualified cell } } }`, {
      input: {
        externalId: 'hook-1',
        email: 'ceo@bigcorp.com',
        attributes: {
          industry: 'software',
          companySize: 800,
          seniority: 'c_level',
          jobTitle: 'CEO',
          department: 'executive',
          country: 'US',
          technologies: ['salesforce'],
          budgetConfirmed: true,
          timeline: 'this_quarter',
        },
      },
    });
    expect(upsert.errors).toBeUndefined();
    const now = Date.now();
    const activity = (type: string, n: number) => ({
      leadExternalId: 'hook-1',
      type,
      occurredAt: new Date(now - n * 60_000).toISOString(),
      idempotencyKey: `hook-1-${n}`,
    });
    const recorded = await t.gql<{ recordActivities: { leads: Array<{ score: { qualified: boolean; cell: string; action: string } }> } }>(
      `mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { leads { score { qualified cell action } } } }`,
      {
        input: [
          activity('DEMO_REQUEST', 1),
          activity('PRICING_PAGE_VIEW', 2),
          activity('PRICING_PAGE_VIEW', 3),
          activity('WEBINAR_ATTENDANCE', 4),
          activity('EMAIL_CLICK', 5),
        ],
      },
    );
    expect(recorded.errors).toBeUndefined();
    const score = recorded.data!.recordActivities.leads[0].score;
    expect(score.qualified).toBe(true);
    expect(score.action).toBe('send_to_sales');

    // The events were written in the scoring transaction.
    const events = await t.sql<{ type: string }>(`SELECT type FROM outbox_event ORDER BY type`);
    expect(events.map((e) => e.type)).toEqual(['lead.qualified', 'lead.sales_ready']);

    await until(async () => received.filter((r) => r.status === 200).length === 2, 'both events delivered');
    const accepted = received.filter((r) => r.status === 200);
    expect(new Set(accepted.map((r) => r.eventId)).size).toBe(2);
    expect(accepted.map((r) => r.type).sort()).toEqual(['lead.qualified', 'lead.sales_ready']);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    expect(received.every((r) => r.body.lead.externalId === 'hook-1' && r.body.score.qualified)).toBe(true);
    for (const [, attempts] of attemptsByEvent) expect(attempts).toBe(3);

    const log = await t.gql<{
      webhookDeliveries: { edges: Array<{ node: { status: string; attempts: number; lastStatusCode: number } }> };
    }>(`{ webhookDeliveries(first: 10) { edges { node { status attempts lastStatusCode eventType } } } }`);
    expect(log.data!.webhookDeliveries.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ status: 'delivered', attempts: 3, lastStatusCode: 200 }),
      expect.objectContaining({ status: 'delivered', attempts: 3, lastStatusCode: 200 }),
    ]);
  });

  it('raises nothing for a lead that stays qualified', async () => {
    const before = (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM outbox_event'))[0].n;
    await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { score { qualified } } }`, {
      input: { leadExternalId: 'hook-1', type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'hook-1-page' },
    });
    expect((await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM outbox_event'))[0].n).toBe(before);
  });
});

interface DeliveryResult {
  id: string;
  eventId: string;
  eventType: string;
  leadId: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  redeliveryOf: string | null;
}
const DELIVERY_FIELDS = 'id eventId eventType leadId status attempts lastStatusCode lastError redeliveryOf';

async function createEndpoint(name: string, url: string): Promise<{ id: string; secret: string }> {
  const created = await t.gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
    { input: { name, url, events: ['lead.qualified'] } },
  );
  expect(created.errors).toBeUndefined();
  return { id: created.data!.createWebhookEndpoint.endpoint.id, secret: created.data!.createWebhookEndpoint.secret };
}

async function ping(id: string): Promise<DeliveryResult> {
  const result = await t.gql<{ pingWebhookEndpoint: DeliveryResult }>(
    `mutation($id: ID!) { pingWebhookEndpoint(id: $id) { ${DELIVERY_FIELDS} } }`,
    { id },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.pingWebhookEndpoint;
}

/** The request the receiver got for an event (the last one when it came more than once). */
const requestFor = (eventId: string) => requests.filter((request) => request.headers['webhook-id'] === eventId).at(-1);

describe('webhook targets', () => {
  it('refuses metadata, private, loopback, odd-notation and IPv6 targets at registration, naming input.url, and writes nothing', async () => {
    dns.set('internal.example.test', [['10.1.1.1']]);
    dns.set('mixed.example.test', [['93.184.215.14', '127.0.0.2']]);
    const cases: Array<[string, string]> = [
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
      ['http://10.0.0.7/hook', '10.0.0.7 is a private address'],
      ['https://192.168.1.20:8443/hook', '192.168.1.20 is a private address'],
      ['http://100.100.100.200/', '100.100.100.200 is a shared (CGNAT) address'],
      ['http://127.0.0.2/', '127.0.0.2 is a loopback address'],
      ['http://2130706434/', '127.0.0.2 is a loopback address'],
      ['http://0x7f000002/', '127.0.0.2 is a loopback address'],
      ['http://0177.0.0.2/', '127.0.0.2 is a loopback address'],
      ['http://127.2/', '127.0.0.2 is a loopback address'],
      ['http://167772161/', '10.0.0.1 is a private address'],
      ['http://0.0.0.0:4000/', '0.0.0.0 is an unspecified address'],
      ['http://224.0.0.1/', '224.0.0.1 is a multicast address'],
      ['http://[::1]/', '::1 is a loopback address'],
      ['http://[::]/', ':: is an unspecified address'],
      ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a unique-local address'],
      ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe is a link-local address'],
      ['http://[::ffff:127.0.0.2]/', '::ffff:7f00:2 is a loopback address'],
      ['https://internal.example.test/hook', 'internal.example.test resolves to a private address'],
      ['https://mixed.example.test/hook', 'mixed.example.test resolves to a loopback address'],
    ];
    const audits = async () =>
      (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'webhook_endpoint'`))[0].n;
    const [endpointsBefore, auditsBefore] = [(await t.sql('SELECT 1 FROM webhook_endpoint')).length, await audits()];
    for (const [url, reason] of cases) {
      const result = await t.gql(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`, {
        input: { name: 'sneaky', url, events: ['lead.qualified'] },
      });
      expect(result.errors?.[0].extensions?.code, url).toBe('BAD_USER_INPUT');
      const problems = result.errors?.[0].extensions?.problems ?? [];
      expect(
        problems.map((problem) => problem.path),
        url,
      ).toEqual(['input.url']);
      expect(problems[0].message, url).toContain(reason);
      expect(problems[0].message, url).toContain('WEBHOOK_ALLOW_PRIVATE');
    }
    expect((await t.sql('SELECT 1 FROM webhook_endpoint')).length).toBe(endpointsBefore);
    expect(await audits()).toBe(auditsBefore);
  });

  it('checks the address again at delivery: a name that now resolves to a refused address gets no connection', async () => {
    dns.set('moved.example.test', [['93.184.215.14']]);
    const { id } = await createEndpoint('moved', `http://moved.example.test:${forbiddenPort}/hook`);
    dns.set('moved.example.test', [['127.0.0.2']]);
    const delivery = await ping(id);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: null,
      lastError: 'refused: the host resolves to a private or reserved address',
    });
    expect(forbiddenHits).toEqual([]);
  });

  it('connects to the address it checked, whatever the name resolves to a moment later', async () => {
    const port = (receiver.address() as AddressInfo).port;
    dns.set('pinned.example.test', [['127.0.0.1']]);
    const { id } = await createEndpoint('pinned', `http://pinned.example.test:${port}/ok`);
    // The check takes the first answer; a connection resolving the name again would get the second.
    dns.set('pinned.example.test', [['127.0.0.1'], ['127.0.0.2']]);
    const delivery = await ping(id);
    expect(delivery).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(requestFor(delivery.eventId)?.headers.host).toBe(`pinned.example.test:${port}`);
    expect(forbiddenHits).toEqual([]);
  });

  it('records a refused connection as "connection failed", without the socket error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { id } = await createEndpoint('closed', `http://127.0.0.1:${port}/hook`);
    expect(await ping(id)).toMatchObject({ status: 'failed', lastStatusCode: null, lastError: 'connection failed' });
  });

  it('does not follow redirects: a 3xx is a failed delivery with its status', async () => {
    const { id } = await createEndpoint('redirecting', `${receiverBase}/redirect`);
    const okBefore = requests.filter((request) => request.path === '/ok').length;
    expect(await ping(id)).toMatchObject({ status: 'failed', lastStatusCode: 302, lastError: 'HTTP 302' });
    expect(requests.filter((request) => request.path === '/ok').length).toBe(okBefore);
  });
});

describe('webhook ping, rotation, redelivery and deactivation', () => {
  it('pings an endpoint now with a signed ping event and answers the result', async () => {
    const { id, secret: pingSecret } = await createEndpoint('ping me', `${receiverBase}/ok`);
    const delivery = await ping(id);
    expect(delivery).toMatchObject({
      eventType: 'ping',
      leadId: null,
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      redeliveryOf: null,
    });
    const request = requestFor(delivery.eventId)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(pingSecret).verify(request.body, request.headers)).toEqual({
      id: delivery.eventId,
      type: 'ping',
      occurredAt: expect.any(String),
      endpoint: { id, name: 'ping me' },
    });
    const audit = await t.sql<{ action: string }>(
      `SELECT action FROM audit_log WHERE entity_type = 'webhook_endpoint' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.map((row) => row.action)).toEqual(['webhook.created', 'webhook.pinged']);
  });

  it('rotates the secret: both verify during the overlap, only the new one after it', async () => {
    const { id, secret: first } = await createEndpoint('rotating', `${receiverBase}/ok`);
    const rotate = (overlapHours: number) =>
      t.gql<{ rotateWebhookSecret: { secret: string; endpoint: { previousSecretValidUntil: string | null } } }>(
        `mutation($id: ID!, $overlapHours: Float) { rotateWebhookSecret(id: $id, overlapHours: $overlapHours) { secret endpoint { previousSecretValidUntil } } }`,
        { id, overlapHours },
      );
    const rotated = await rotate(1);
    expect(rotated.errors).toBeUndefined();
    const second = rotated.data!.rotateWebhookSecret.secret;
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.data!.rotateWebhookSecret.endpoint.previousSecretValidUntil!)).toBeGreaterThan(Date.now() + 50 * 60_000);

    const during = requestFor((await ping(id)).eventId)!;
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifies(first, during.body, during.headers)).toBe(true);
    expect(verifies(second, during.body, during.headers)).toBe(true);

    // An overlap of about a second: ping until a delivery carries one signature.
    const third = (await rotate(0.0003)).data!.rotateWebhookSecret.secret;
    const pinged: Request[] = [];
    await until(async () => {
      const request = requestFor((await ping(id)).eventId)!;
      pinged.push(request);
      return request.headers['webhook-signature'].split(' ').length === 1;
    }, 'the overlap to end');
    const after = pinged.at(-1)!;
    expect(verifies(third, after.body, after.headers)).toBe(true);
    expect(verifies(second, after.body, after.headers)).toBe(false);
    expect(verifies(first, after.body, after.headers)).toBe(false);

    const audit = await t.sql<{ action: string; text: string }>(
      `SELECT action, audit_log::text AS text FROM audit_log WHERE entity_id = $1 AND action = 'webhook.secret_rotated'`,
      [id],
    );
    expect(audit).toHaveLength(2);
    for (const secretValue of [first, second, third]) expect(audit.every((row) => !row.text.includes(secretValue.slice(6)))).toBe(true);
  });

  it('redelivers one event as a new delivery with the same event id', async () => {
    const [original] = await t.sql<{ id: string; eventId: string }>(
      `SELECT d.id::text AS id, d.event_id::text AS "eventId" FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE e.type = 'lead.qualified' AND d.status = 'delivered'`,
    );
    const before = received.filter((r) => r.eventId === original.eventId).length;
    const result = await t.gql<{ redeliverWebhook: DeliveryResult }>(
      `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { ${DELIVERY_FIELDS} } }`,
      { id: original.id },
    );
    expect(result.errors).toBeUndefined();
    const redelivery = result.data!.redeliverWebhook;
    expect(redelivery).toMatchObject({
      eventId: original.eventId,
      eventType: 'lead.qualified',
      status: 'pending',
      attempts: 0,
      redeliveryOf: original.id,
    });
    expect(redelivery.id).not.toBe(original.id);
    await until(
      async () =>
        (await t.sql<{ status: string }>(`SELECT status FROM webhook_delivery WHERE id = $1::bigint`, [redelivery.id]))[0].status ===
        'delivered',
      'the redelivery',
    );
    const again = received.filter((r) => r.eventId === original.eventId);
    expect(again).toHaveLength(before + 1);
    expect(again.at(-1)).toMatchObject({
      status: 200,
      signatureValid: true,
      body: expect.objectContaining({ lead: expect.objectContaining({ externalId: 'hook-1' }) }),
    });
    const audit = await t.sql(`SELECT 1 FROM audit_log WHERE action = 'webhook.redelivered' AND summary LIKE $1`, [
      `%${original.eventId}%`,
    ]);
    expect(audit).toHaveLength(1);
  });

  it('deactivation cancels a pending delivery: its queued retry stops and nothing more is sent', async () => {
    const { id } = await createEndpoint('flaky', `${receiverBase}/hold`);
    const pinged = await ping(id);
    expect(pinged).toMatchObject({ status: 'failed', lastStatusCode: 503 });
    const result = await t.gql<{ redeliverWebhook: DeliveryResult }>(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, {
      id: pinged.id,
    });
    const deliveryId = result.data!.redeliverWebhook.id;
    // The queued attempt reaches the receiver, which holds its answer while the endpoint is switched off.
    await until(async () => held.length === 1, 'the queued attempt');
    const deactivated = await t.gql(`mutation($id: ID!) { setWebhookEndpointActive(id: $id, active: false) { active } }`, { id });
    expect(deactivated.errors).toBeUndefined();
    const row = async () =>
      (
        await t.sql<{ status: string; attempts: number; lastError: string }>(
          `SELECT status, attempts, last_error AS "lastError" FROM webhook_delivery WHERE id = $1::bigint`,
          [deliveryId],
        )
      )[0];
    expect(await row()).toMatchObject({ status: 'cancelled', lastError: 'endpoint deactivated' });
    held[0].writeHead(503).end();
    // The attempt ends without asking for a retry: its queue job completes.
    await until(
      async () =>
        (
          await t.sql<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'webhook-delivery' AND data->>'deliveryId' = $1`, [
            deliveryId,
          ])
        )[0]?.state === 'completed',
      'the delivery job to complete',
    );
    expect(await row()).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(requests.filter((request) => request.path === '/hold')).toHaveLength(2);
    const refused = await t.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: deliveryId });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'WEBHOOK_ENDPOINT_INACTIVE' });
  });

  it('is admin-only and refuses bad arguments by name', async () => {
    const viewer: UserPrincipal = { kind: 'user', userId: t.admin.userId, email: 'viewer@test.local', name: 'Viewer', role: 'viewer' };
    for (const mutation of [
      'rotateWebhookSecret(id: "1") { secret }',
      'pingWebhookEndpoint(id: "1") { id }',
      'redeliverWebhook(deliveryId: "1") { id }',
    ]) {
      const result = await t.gqlAs(viewer, `mutation { ${mutation} }`);
      expect(result.errors?.[0].extensions?.code, mutation).toBe('FORBIDDEN');
    }
    const overlap = await t.gql(`mutation { rotateWebhookSecret(id: "1", overlapHours: -1) { secret } }`);
    expect(overlap.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'overlapHours', message: 'must be between 0 and 720' }],
    });
    for (const [mutation, path] of [
      ['rotateWebhookSecret(id: "999999") { secret }', 'id'],
      ['pingWebhookEndpoint(id: "x") { id }', 'id'],
      ['redeliverWebhook(deliveryId: "999999") { id }', 'deliveryId'],
    ]) {
      const result = await t.gql(`mutation { ${mutation} }`);
      expect(result.errors?.[0].extensions, mutation).toMatchObject({ code: 'NOT_FOUND', problems: [{ path }] });
    }
  });
});
