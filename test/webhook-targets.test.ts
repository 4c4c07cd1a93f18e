import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookHarness } from './support/webhook-harness';

/*
 * Which receivers webhooks may reach: public addresses only, plus 127.0.0.1 here (the receivers);
 * checked at registration and again, on a fresh DNS answer, at every attempt.
 */

const h = new WebhookHarness();
const { createEndpoint, dns, forbiddenHits, ping, requestFor, requests } = h;

beforeAll(() => h.start());
afterAll(() => h.close());

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
      (await h.t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'webhook_endpoint'`))[0].n;
    const [endpointsBefore, auditsBefore] = [(await h.t.sql('SELECT 1 FROM webhook_endpoint')).length, await audits()];
    for (const [url, reason] of cases) {
      const result = await h.t.gql(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`, {
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
    expect((await h.t.sql('SELECT 1 FROM webhook_endpoint')).length).toBe(endpointsBefore);
    expect(await audits()).toBe(auditsBefore);
  });

  it('checks the address again at delivery: a name that now resolves to a refused address gets no connection', async () => {
    dns.set('moved.example.test', [['93.184.215.14']]);
    const { id } = await createEndpoint('moved', `http://moved.example.test:${h.forbiddenPort}/hook`);
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
    const port = (h.receiver.address() as AddressInfo).port;
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
    const { id } = await createEndpoint('redirecting', `${h.receiverBase}/redirect`);
    const okBefore = requests.filter((request) => request.path === '/ok').length;
    expect(await ping(id)).toMatchObject({ status: 'failed', lastStatusCode: 302, lastError: 'HTTP 302' });
    expect(requests.filter((request) => request.path === '/ok').length).toBe(okBefore);
  });
});
