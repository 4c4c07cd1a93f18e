import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { EVENT_TYPE_HEADER, SIGNATURE_HEADER, verifyLegacySignature } from '../../server/src/webhooks/webhook-signature';
import { type AddressLookup, systemLookup } from '../../server/src/webhooks/webhook-target';
import { createTestApp, type TestApp } from './test-app';

export interface Received {
  eventId: string;
  type: string;
  signatureValid: boolean;
  status: number;
  body: { lead: { externalId: string }; score: { qualified: boolean; cell: string } };
}

/** Every request any receiver got: path, headers, raw body. */
export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryResult {
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
export const DELIVERY_FIELDS = 'id eventId eventType leadId status attempts lastStatusCode lastError redeliveryOf';

const headersOf = (req: http.IncomingMessage) =>
  Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));

/** What a receiver does with the standardwebhooks library. */
export function verifies(signingSecret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(signingSecret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

/**
 * A test app with workers, receivers on 127.0.0.1 (the one network it may reach besides public
 * addresses), one on 127.0.0.2 that must never get a request, and the DNS the app sees.
 * start() in beforeAll, close() in afterAll.
 */
export class WebhookHarness {
  t!: TestApp;
  receiver!: http.Server;
  receiverBase = '';
  /** /hooks/leads fails the first two attempts of every event, then accepts (and checks `secret`). */
  receiverUrl = '';
  /** Listens on 127.0.0.2, an address the app may not reach: it must never get a request. */
  forbidden!: http.Server;
  forbiddenPort = 0;
  readonly forbiddenHits: string[] = [];
  /** The secret /hooks/leads verifies signatures with. */
  secret = '';
  readonly received: Received[] = [];
  readonly requests: ReceivedRequest[] = [];
  readonly attemptsByEvent = new Map<string, number>();
  /** Responses the /hold path keeps until a test releases them. */
  readonly held: http.ServerResponse[] = [];
  /** The app's DNS: each name answers its next list of addresses (the last one repeats); unknown names go to the system resolver. */
  readonly dns = new Map<string, string[][]>();

  private readonly lookup: AddressLookup = async (name) => {
    const answers = this.dns.get(name);
    if (!answers) return systemLookup(name);
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  async start(): Promise<void> {
    // Receivers listen on 127.0.0.1, the one network the app may reach besides public addresses.
    this.t = await createTestApp({
      workers: true,
      webhooks: { policy: { allowPrivate: false, allowedNetworks: ['127.0.0.1/32'] }, lookup: this.lookup },
    });
    this.receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        this.requests.push({ path, headers: headersOf(req), body });
        if (path === '/ok') return void res.writeHead(200).end();
        if (path === '/unavailable') return void res.writeHead(503).end();
        if (path === '/redirect') return void res.writeHead(302, { location: `${this.receiverBase}/ok` }).end();
        // /hold answers an event's first request 503 at once and holds any later one.
        if (path === '/hold')
          return void (this.requests.filter((r) => r.headers['webhook-id'] === req.headers['webhook-id']).length === 1
            ? res.writeHead(503).end()
            : this.held.push(res));
        // /hooks/leads fails the first two attempts of every event, then accepts.
        const eventId = String(req.headers['webhook-id']);
        const attempt = (this.attemptsByEvent.get(eventId) ?? 0) + 1;
        this.attemptsByEvent.set(eventId, attempt);
        const status = attempt <= 2 ? 503 : 200;
        this.received.push({
          eventId,
          type: String(req.headers[EVENT_TYPE_HEADER]),
          signatureValid:
            verifies(this.secret, body, headersOf(req)) && verifyLegacySignature(this.secret, body, String(req.headers[SIGNATURE_HEADER])),
          status,
          body: JSON.parse(body) as Received['body'],
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.receiver.listen(0, '127.0.0.1', resolve));
    this.receiverBase = `http://127.0.0.1:${(this.receiver.address() as AddressInfo).port}`;
    this.receiverUrl = `${this.receiverBase}/hooks/leads`;
    this.forbidden = http.createServer((req, res) => {
      this.forbiddenHits.push(req.url ?? '');
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => this.forbidden.listen(0, '127.0.0.2', resolve));
    this.forbiddenPort = (this.forbidden.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.end();
    await this.t?.close();
    await new Promise((resolve) => this.receiver?.close(resolve));
    await new Promise((resolve) => this.forbidden?.close(resolve));
  }

  readonly createEndpoint = async (name: string, url: string): Promise<{ id: string; secret: string }> => {
    const created = await this.t.gql<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      { input: { name, url, events: ['lead.qualified'] } },
    );
    expect(created.errors).toBeUndefined();
    return { id: created.data!.createWebhookEndpoint.endpoint.id, secret: created.data!.createWebhookEndpoint.secret };
  };

  readonly ping = async (id: string): Promise<DeliveryResult> => {
    const result = await this.t.gql<{ pingWebhookEndpoint: DeliveryResult }>(
      `mutation($id: ID!) { pingWebhookEndpoint(id: $id) { ${DELIVERY_FIELDS} } }`,
      { id },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.pingWebhookEndpoint;
  };

  /** The request the receiver got for an event (the last one when it came more than once). */
  readonly requestFor = (eventId: string) => this.requests.filter((request) => request.headers['webhook-id'] === eventId).at(-1);
}
