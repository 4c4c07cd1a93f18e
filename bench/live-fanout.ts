/**
 * Live updates fan-out: N graphql-ws clients (one socket each, over 127.0.0.1, in this process)
 * subscribed to one lead's score; the lead is updated over HTTP (its fit changes) and each client's time to
 * receive the new score is measured from the moment the mutation is sent (write, commit, NOTIFY,
 * LISTEN, score read, N executions and sends). Floor: the same N sockets receiving one raw ws
 * broadcast of a message of the same size from a bare ws server.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/live-fanout.ts [--clients 1000] [--rounds 5]
 *   npx tsx bench/live-fanout.ts            # without DATABASE_URL: embedded PGlite in memory
 *
 * Target: p99 <= 100 ms with 1,000 clients (issue 15). Each client authenticates with its own API
 * key: one principal may hold at most LIVE_LIMITS.maxConnectionsPerPrincipal connections.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { type Client, createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { createApp } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import type { DatabaseConfig } from '../server/src/db/database-config';
import { startHttpServer } from '../server/src/http/http-server';
import { Countdown } from './support/countdown';
import { printFigure } from './support/report';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } } });
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
};

async function scratchDatabase(): Promise<{ database: DatabaseConfig; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) return { database: { kind: 'embedded' }, drop: async () => undefined };
  const name = `ls_bench_live_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    database: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** The floor: N raw sockets receiving one broadcast from a bare ws server; ms from send to each receipt. */
async function rawBroadcast(message: string): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.on('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const received: number[] = [];
  const delivered = new Countdown();
  const opened = new Countdown();
  server.on('connection', () => opened.add());
  let sentAt = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<WebSocket>((resolve) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}`);
          socket.on('message', () => {
            received.push(performance.now() - sentAt);
            delivered.add();
          });
          socket.on('open', () => resolve(socket));
        }),
    ),
  );
  await opened.reached(CLIENTS, 'the raw sockets are connected');
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    received.length = 0;
    delivered.reset();
    sentAt = performance.now();
    for (const client of server.clients) client.send(message);
    await delivered.reached(CLIENTS, 'every raw socket received the broadcast');
    times.push(...received);
  }
  for (const socket of sockets) socket.close();
  await new Promise((resolve) => server.close(resolve));
  return times;
}

async function main(): Promise<void> {
  const { database, drop } = await scratchDatabase();
  const app = await createApp({ database, logger: createLogger('warn') });
  const http = await startHttpServer(app, { port: 0, host: '127.0.0.1', production: false });
  const clients: Client[] = [];
  try {
    const writer = await app.services.auth.createApiKey({ name: 'bench-writer', scopes: ['leads:write', 'scores:read'] });
    const post = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(http.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer.secret}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, { id?: string }>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const created = await post('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', {
      input: { externalId: 'bench-live-1', attributes: { industry: 'software', companySize: 500 } },
    });
    const leadId = created?.upsertLead.id as string;

    const arrivals: number[] = [];
    const arrived = new Countdown();
    const warm: boolean[] = [];
    const warmed = new Countdown();
    let industry = 'software';
    // The industry moves between a target and another one: the fit, hence the score, changes each time.
    const changeScore = async () => {
      industry = industry === 'software' ? 'retail' : 'software';
      await post('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', {
        input: { externalId: 'bench-live-1', attributes: { industry } },
      });
    };
    let sentAt = 0;
    let lastMessage = '';
    const connectStarted = performance.now();
    for (let i = 0; i < CLIENTS; i++) {
      const key = await app.services.auth.createApiKey({ name: `bench-reader-${i}`, scopes: ['scores:read'] });
      const client = createClient({
        url: http.graphqlUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key.secret}` },
      });
      client.subscribe(
        {
          query:
            'subscription($leadId: ID!) { leadScoreChanged(leadId: $leadId) { total fit engagement cell band qualified reasons { rule label points } } }',
          variables: { leadId },
        },
        {
          next: (result) => {
            arrivals.push(performance.now() - sentAt);
            arrived.add();
            if (!warm[i]) {
              warm[i] = true;
              warmed.add();
            }
            lastMessage = JSON.stringify(result);
          },
          error: (error) => console.error('subscription error', error),
          complete: () => undefined,
        },
      );
      clients.push(client);
    }
    // Subscribed for sure once each client has received a score: changed until every client has (a
    // client whose subscription was not registered yet at one change receives the next).
    for (let attempt = 0; warmed.value < CLIENTS; attempt++) {
      if (attempt === 20) throw new Error(`only ${warmed.value} of ${CLIENTS} clients received a score after 20 changes`);
      await changeScore();
      await warmed.reached(CLIENTS, 'every client received a first score', 5_000).catch(() => undefined);
    }
    console.log(`${CLIENTS} clients connected and subscribed in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`);

    const times: number[] = [];
    const afterCommit: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      arrivals.length = 0;
      arrived.reset();
      sentAt = performance.now();
      await changeScore();
      const answeredAt = performance.now() - sentAt;
      await arrived.reached(CLIENTS, `round ${round}: every client received the score`);
      times.push(...arrivals);
      afterCommit.push(...arrivals.map((time) => time - answeredAt));
      const round99 = summary(arrivals);
      console.log(
        `round ${round + 1}: mutation answered in ${answeredAt.toFixed(1)} ms; p50 ${round99.p50.toFixed(1)} ms, p99 ${round99.p99.toFixed(1)} ms, max ${round99.max.toFixed(1)} ms`,
      );
    }
    const live = summary(times);
    const floor = summary(await rawBroadcast(lastMessage));
    console.log(`after the mutation's answer: p99 ${summary(afterCommit).p99.toFixed(1)} ms`);
    printFigure({
      figure: `live fan-out p99, ${CLIENTS.toLocaleString('en-US')} graphql-ws clients, one score change (${database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'})`,
      value: live.p99,
      unit: 'ms',
      floor: { label: `raw ws broadcast to the same number of sockets, p99`, value: floor.p99 },
    });
    console.log(
      `target: p99 <= 100 ms: ${live.p99 <= 100 ? 'met' : 'NOT met'} (p50 ${live.p50.toFixed(1)} ms, max ${live.max.toFixed(1)} ms)`,
    );
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await http.close();
    await app.close();
    await drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
