import http from 'node:http';
import autocannon from 'autocannon';

/* The load generators of the API bench: autocannon (closed loop) and a steady-rate open loop. */

export interface Run {
  result: autocannon.Result;
  graphqlErrors: number;
  firstError: string | null;
}

/** One autocannon run over `connections` connections; each request's body comes from `body(n)`, and every response is checked for GraphQL errors. */
export async function runAutocannon(
  graphqlUrl: string,
  key: string,
  options: { connections: number; duration: number; overallRate?: number },
  body: (n: number) => string,
): Promise<Run> {
  let sent = 0;
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const result = await autocannon({
    url: graphqlUrl,
    connections: options.connections,
    duration: options.duration,
    overallRate: options.overallRate,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        setupRequest: (request) => ({ ...request, body: body(sent++) }),
        onResponse: (status, responseBody) => {
          if (status === 200 && !responseBody.includes('"errors"')) return;
          graphqlErrors += 1;
          firstError ??= `${status} ${responseBody.slice(0, 300)}`;
        },
      },
    ],
  });
  return { result, graphqlErrors, firstError };
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  /** Milliseconds from each request's scheduled send time to its response (no coordinated omission). */
  latencies: number[];
  /** Per second of due time: [latency ms] of the requests due in it. */
  bySecond: number[][];
}

/**
 * An open-loop load at a steady rate: request i is due at start + i / rate, whatever happened to the
 * ones before, over up to `connections` keep-alive connections. Latency counts from the due time,
 * so a stalled server cannot hide its queue by slowing the generator down.
 */
export async function openLoop(
  graphqlUrl: string,
  key: string,
  { rate, seconds, connections }: { rate: number; seconds: number; connections: number },
  body: (n: number) => string,
): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(graphqlUrl);
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const result: OpenLoopResult = { sent: 0, ok: 0, errors: 0, firstError: null, seconds: 0, latencies: [], bySecond: [] };
  const pending: Array<Promise<void>> = [];
  const send = (n: number, due: number) =>
    new Promise<void>((resolve) => {
      const payload = body(n);
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-api-key': key },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            const latency = performance.now() - due;
            result.latencies.push(latency);
            const second = Math.floor((due - start) / 1000);
            result.bySecond[second] ??= [];
            result.bySecond[second].push(latency);
            if (response.statusCode === 200 && !text.includes('"errors"')) result.ok += 1;
            else {
              result.errors += 1;
              result.firstError ??= `${response.statusCode} ${text.slice(0, 300)}`;
            }
            resolve();
          });
        },
      );
      request.on('error', (error) => {
        result.errors += 1;
        result.firstError ??= error.message;
        resolve();
      });
      request.end(payload);
    });
  const start = performance.now() + 50;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (result.sent < total && start + result.sent * interval <= now) {
        pending.push(send(result.sent, start + result.sent * interval));
        result.sent += 1;
      }
      if (result.sent < total) setTimeout(tick, Math.max(0, start + result.sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  result.seconds = (performance.now() - start) / 1000;
  agent.destroy();
  result.latencies.sort((a, b) => a - b);
  return result;
}

/** The p-th percentile of ascending `sorted` (nearest rank); NaN when empty. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
