import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Analytics } from '@segment/analytics-node';
import type { TestApp } from './test-app';

/* What the tracking API tests share: write keys, the real Segment client, raw requests, counts. */

export async function writeKey(t: TestApp, scopes: string[] = ['leads:write'], name = 'segment-source'): Promise<string> {
  const { secret } = await t.app.services.auth.createApiKey({ name, scopes });
  return secret;
}

/** The real @segment/analytics-node client pointed at `host`; errors it reports are collected. */
export function segmentClient(host: string, key: string, options: { maxEventsInBatch?: number; maxRetries?: number } = {}) {
  const analytics = new Analytics({
    writeKey: key,
    host,
    path: '/v1/batch',
    maxEventsInBatch: options.maxEventsInBatch ?? 15,
    flushInterval: 20,
    maxRetries: options.maxRetries ?? 3,
  });
  const errors: unknown[] = [];
  analytics.on('error', (error) => errors.push(error));
  return { analytics, errors };
}

/** POSTs a JSON body (or raw text) to the tracking API with basic auth `key:`. */
export async function post(
  url: string,
  body: unknown,
  key: string | null,
): Promise<{
  status: number;
  body: { success: boolean; code?: string; errors?: Array<{ path: string; message: string }> } & Record<string, unknown>;
}> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as never };
}

/** Row counts of every table a tracking request may write. */
export async function writtenCounts(t: TestApp): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM lead) AS leads, (SELECT count(*)::int FROM activity) AS activities,
            (SELECT count(*)::int FROM score_history) AS history, (SELECT count(*)::int FROM ingestion_message) AS messages,
            (SELECT count(*)::int FROM ingestion_anonymous_event) AS anonymous, (SELECT count(*)::int FROM ingestion_identity) AS identities`,
  );
  return row;
}

/**
 * A proxy on 127.0.0.1 in front of the service that passes the first `failFirst` requests on to it
 * but answers them 500 (the service wrote, the client believes it failed and retries).
 */
export async function failingProxy(target: string, failFirst: number) {
  const seen: Array<{ retryCount: string | undefined; status: number }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        body: Buffer.concat(chunks),
      });
      const text = await upstream.text();
      const fail = seen.length < failFirst;
      seen.push({ retryCount: req.headers['x-retry-count'] as string | undefined, status: upstream.status });
      res.writeHead(fail ? 500 : upstream.status, { 'content-type': 'application/json' });
      res.end(fail ? JSON.stringify({ error: 'injected failure after the write' }) : text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
