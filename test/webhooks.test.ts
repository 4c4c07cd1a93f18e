import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, verifySignature } from '../server/src/webhooks/webhook-signature';
import { createTestApp, type TestApp } from './support/test-app';

interface Received {
  eventId: string;
  type: string;
  signatureValid: boolean;
  status: number;
  body: { lead: { externalId: string }; score: { qualified: boolean; cell: string } };
}

let t: TestApp;
let receiver: http.Server;
let receiverUrl: string;
let secret = '';
const received: Received[] = [];
const attemptsByEvent = new Map<string, number>();

beforeAll(async () => {
  t = await createTestApp({ workers: true });
  // A receiver that fails the first two attempts of every event, then accepts.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const eventId = String(req.headers[EVENT_ID_HEADER]);
      const attempt = (attemptsByEvent.get(eventId) ?? 0) + 1;
      attemptsByEvent.set(eventId, attempt);
      const status = attempt <= 2 ? 503 : 200;
      received.push({
        eventId,
        type: String(req.headers[EVENT_TYPE_HEADER]),
        signatureValid: verifySignature(secret, body, String(req.headers[SIGNATURE_HEADER])),
        status,
        body: JSON.parse(body) as Received['body'],
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/leads`;
});

afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, attempts = 150): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
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

    const upsert = await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { score { total qualified cell } } }`, {
      input: {
        externalId: 'hook-1',
        email: 'ceo@bigcorp.com',
        attributes: {
          industry: 'software', companySize: 800, seniority: 'c_level', jobTitle: 'CEO', department: 'executive',
          country: 'US', technologies: ['salesforce'], budgetConfirmed: true, timeline: 'this_quarter',
        },
      },
    });
    expect(upsert.errors).toBeUndefined();
    const now = Date.now();
    const activity = (type: string, n: number) => ({ leadExternalId: 'hook-1', type, occurredAt: new Date(now - n * 60_000).toISOString(), idempotencyKey: `hook-1-${n}` });
    const recorded = await t.gql<{ recordActivities: { leads: Array<{ score: { qualified: boolean; cell: string; action: string } }> } }>(
      `mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { leads { score { qualified cell action } } } }`,
      { input: [activity('DEMO_REQUEST', 1), activity('PRICING_PAGE_VIEW', 2), activity('PRICING_PAGE_VIEW', 3), activity('WEBINAR_ATTENDANCE', 4), activity('EMAIL_CLICK', 5)] },
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

    const log = await t.gql<{ webhookDeliveries: { edges: Array<{ node: { status: string; attempts: number; lastStatusCode: number } }> } }>(
      `{ webhookDeliveries(first: 10) { edges { node { status attempts lastStatusCode eventType } } } }`,
    );
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
