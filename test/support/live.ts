import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestApp } from './test-app';
import { until } from './wait';

/* The real graphql-ws client against a test app's HTTP server, and what the live tests share. */

export interface Closed {
  code: number;
  reason: string;
}

export interface LiveClient {
  client: Client;
  /** Close events the client saw, in order. */
  closes: Closed[];
  /** Times the socket was (re)connected and acknowledged. */
  connected: () => number;
  dispose(): Promise<void>;
}

export function liveClient(
  url: string,
  connectionParams: Record<string, unknown> | (() => Promise<Record<string, unknown>>),
  options: { retryAttempts?: number; headers?: Record<string, string> } = {},
): LiveClient {
  const closes: Closed[] = [];
  let connections = 0;
  const headers = options.headers;
  // A WebSocket class that sends the given headers (an Origin, as a browser would).
  const impl = headers
    ? class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      }
    : WebSocket;
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: impl,
    connectionParams,
    retryAttempts: options.retryAttempts ?? 0,
    // No jitter and a short wait: retries come quickly in tests.
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
    on: {
      connected: () => {
        connections += 1;
      },
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return { client, closes, connected: () => connections, dispose: () => Promise.resolve(client.dispose()) };
}

export interface Received<T> {
  events: T[];
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
  completed: boolean;
  unsubscribe: () => void;
}

/** Subscribes and records what arrives. */
export function receive<T>(live: LiveClient, query: string, variables: Record<string, unknown> = {}): Received<T> {
  const received: Received<T> = { events: [], errors: [], completed: false, unsubscribe: () => undefined };
  received.unsubscribe = live.client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) received.errors.push(...(result.errors as Received<T>['errors']));
        if (result.data) received.events.push(result.data as T);
      },
      error: (error) => {
        if (Array.isArray(error)) received.errors.push(...(error as Received<T>['errors']));
        else received.errors.push({ message: String((error as { reason?: string }).reason ?? error) });
      },
      complete: () => {
        received.completed = true;
      },
    },
  );
  return received;
}

/** Waits until the app has this many subscriptions registered (subscribed before acting). */
export function subscribed(t: TestApp, count: number): Promise<void> {
  return until(async () => t.app.services.live.hub.subscriptionCount >= count, `${count} live subscriptions are registered`);
}

export const SCORE_FIELDS = 'total fit engagement cell band qualified reasons { rule points }';
export const LEAD_SCORE = `subscription($leadId: ID!) { leadScoreChanged(leadId: $leadId) { ${SCORE_FIELDS} } }`;
export const LEADS_CHANGED = `subscription($filter: LeadFilter) { leadsChanged(filter: $filter) { leadId kind score { total cell band } } }`;
export const RESCORE = `subscription($jobId: ID!) { rescoreProgress(jobId: $jobId) { id status doneLeads totalLeads percent } }`;

export interface LiveScore {
  total: number;
  fit: number;
  engagement: number;
  cell: string;
  band: string;
  qualified: boolean;
  reasons: Array<{ rule: string; points: number }>;
}
