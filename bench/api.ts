/**
 * The API under load, over HTTP: the service in its own process, the load generator in this one.
 *
 *   npx tsx bench/api.ts                                                           # embedded PGlite (scratch data dir)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/api.ts  # scratch database ls_bench_api_<pid>
 *   ... bench/api.ts --profile                                                     # also writes a CPU profile of the server (.cpuprofile in os.tmpdir())
 *   ... bench/api.ts --connections 50 --rate 500 --seconds 20                        # the recordActivity load (defaults shown; --rate 0: as fast as it goes)
 *   ... bench/api.ts --timeline                                                    # also latency per second of the open-loop run
 *   ... bench/api.ts --burst-rate 2000 --burst-seconds 10 --burst-connections 200    # the burst (defaults shown; --burst-rate 0: none)
 *   ... bench/api.ts --only-record                                                 # recordActivity only: no autocannon run, no (b)
 *   ... bench/api.ts --without-accounts                                            # leads in no account (no account model at work)
 *
 * Seeds 1,000 scored leads with 10 activities each, 800 of them contacts of 97 accounts matched by
 * e-mail domain as on a default install (so each activity also recomputes its account in the
 * default account model), then starts `server/src/main.ts` as a child
 * process exactly as `npm start` does (NODE_ENV=production, workers on, rate limit raised out of the
 * way) and drives it with autocannon from this process, so the load generator does not share the
 * server's event loop:
 *   (a) recordActivity at a steady 500 requests/s for 20 s, open loop (evenly spaced, latency from
 *       each request's due time), then the same rate from autocannon (50 connections, whose timers
 *       fire together: bursts); unique idempotency keys; latency p50/p90/p99/max and errors;
 *       beside `mutation { __typename }` at the same rate and, on PostgreSQL, one-row INSERTs each
 *       committed alone at that rate (the WAL flush a durable write waits for and the trivial
 *       mutation does not); then a burst of 2,000 requests/s for 10 s, open loop: p99, errors, and what queued in the
 *       server (the most requests waiting for a write slot at once, the shared transactions' sizes,
 *       read from its /metrics), beside `mutation { __typename }` at the same rate;
 *   (b) the lead score query vs a trivial `{ __typename }`, both with an API key, as fast as they go
 *       for 10 s each: requests/s and their ratio (target: the score query at 60 % or more of trivial).
 * Prints figures only.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp, type App } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import type { DatabaseConfig } from '../server/src/db/database-config';
import { openLoop, percentile, type Run, runAutocannon } from './support/load';
import { printFigure } from './support/report';
import { freePort, startServer, stopChild } from './support/server';

const { values: flags } = parseArgs({
  options: {
    profile: { type: 'boolean', default: false },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    timeline: { type: 'boolean', default: false },
    'burst-rate': { type: 'string', default: '2000' },
    'burst-seconds': { type: 'string', default: '10' },
    'burst-connections': { type: 'string', default: '200' },
    'only-record': { type: 'boolean', default: false },
    'without-accounts': { type: 'boolean', default: false },
  },
});
const LEADS = 1_000;
const CONNECTIONS = Number(flags.connections);
const RECORD_RATE = Number(flags.rate);
const RECORD_SECONDS = Number(flags.seconds);
const BURST_RATE = Number(flags['burst-rate']);
const BURST_SECONDS = Number(flags['burst-seconds']);
const BURST_CONNECTIONS = Number(flags['burst-connections']);
const QUERY_SECONDS = 10;
const WARMUP_SECONDS = 5;
const adminUrl = process.env.DATABASE_URL;
const dbName = `ls_bench_api_${process.pid}`;
let database: DatabaseConfig;
let serverEnv: Record<string, string>;
let dataDir: string | null = null;
if (adminUrl) {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  database = { kind: 'postgres', url: url.toString() };
  serverEnv = { DATABASE_URL: url.toString() };
} else {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ls-bench-api-'));
  database = { kind: 'embedded', dataDir };
  serverEnv = { DATA_DIR: dataDir };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function seed(app: App): Promise<number> {
  await app.dataSource.query(`
    INSERT INTO lead (external_id, email, attributes, created_at, updated_at)
    SELECT 'bench-' || g, 'p' || g || CASE WHEN g % 5 = 0 THEN '@gmail.com' ELSE '@corp' || (g % 97) || '.com' END,
           jsonb_build_object(
             'industry', (ARRAY['software','financial_services','healthcare','manufacturing','retail','consulting'])[1 + g % 6],
             'companySize', (ARRAY[5, 40, 180, 600, 2500, 12000])[1 + (g / 6) % 6],
             'seniority', (ARRAY['c_level','vp','director','manager','individual_contributor','student'])[1 + (g / 3) % 6],
             'department', (ARRAY['executive','marketing','sales','revenue_operations','engineering'])[1 + g % 5],
             'country', (ARRAY['US','GB','DE','FR','IN','BR'])[1 + g % 6],
             'budgetConfirmed', g % 4 = 0),
           now() - make_interval(days => 1 + (g % 90)), now()
      FROM generate_series(1, ${LEADS}) g`);
  if (!flags['without-accounts']) {
    // What account matching does on a default install (a lead's non-free e-mail domain), set-based.
    await app.dataSource.query(
      `INSERT INTO account (domain, name) SELECT 'corp' || g || '.com', 'Corp ' || g FROM generate_series(0, 96) g`,
    );
    await app.dataSource.query(
      `UPDATE lead l SET account_id = a.id, account_source = 'domain' FROM account a WHERE a.domain = split_part(l.email, '@', 2)`,
    );
  }
  await app.dataSource.query(`
    INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
    SELECT l.id, (ARRAY['page_view','page_view','email_open','email_click','pricing_page_view','content_download','webinar_attendance','demo_request'])[1 + ((l.id * 31 + a) % 8)::int],
           now() - make_interval(hours => ((l.id * 17 + a * 7) % (60 * 24))::int), 'seed-' || l.id || '-' || a, '{}'::jsonb
      FROM lead l CROSS JOIN generate_series(1, 10) a`);
  const pass = await app.services.scorePass.runDecayPass(new Date());
  return pass.leadsScored;
}

const TYPES = [
  'PAGE_VIEW',
  'PAGE_VIEW',
  'EMAIL_OPEN',
  'EMAIL_CLICK',
  'PRICING_PAGE_VIEW',
  'CONTENT_DOWNLOAD',
  'WEBINAR_ATTENDANCE',
  'FORM_SUBMISSION',
];
const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate score { total cell } } }';
const LEAD_SCORE = 'query($id: String!) { lead(externalId: $id) { score { total cell reasons { rule points } } } }';
const TRIVIAL = JSON.stringify({ query: '{ __typename }' });
/** The recordActivity floor: a mutation that does nothing, through the same HTTP, auth and GraphQL path. */
const TRIVIAL_MUTATION = JSON.stringify({ query: 'mutation { __typename }' });
const leadOf = (n: number) => `bench-${1 + ((n * 7919) % LEADS)}`;

if (adminUrl) await admin(`CREATE DATABASE ${dbName}`);
let app: App | null = null;
let server: ChildProcess | null = null;
try {
  // Seed and create the keys in this process, then hand the database to the server process.
  app = await createApp({ database, logger: createLogger('warn') });
  const t = process.hrtime.bigint();
  const scored = await seed(app);
  const writer = await app.services.auth.createApiKey({ name: 'bench-writer', scopes: ['leads:write'] });
  const reader = await app.services.auth.createApiKey({ name: 'bench-reader', scopes: ['scores:read'] });
  console.log(
    `bench/api: ${adminUrl ? `PostgreSQL, scratch database ${dbName}` : `embedded PGlite in ${dataDir}`}; Node ${process.version}; ${CONNECTIONS} connections`,
  );
  console.log(
    `seeded ${fmt(LEADS)} leads with ${fmt(LEADS * 10)} activities and scored ${fmt(scored)} of them in ${seconds(t).toFixed(1)} s`,
  );
  // The server gets the database to itself (the embedded one is single-process anyway).
  await app.close();
  app = null;

  const port = await freePort();
  server = await startServer(port, serverEnv, flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${tmpdir()}`] : []);
  const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
  console.log(`server: separate process (pid ${server.pid}), NODE_ENV=production, workers on, rate limit out of the way`);

  // Warm-up: JIT, connection pool, caches. Not measured.
  let warm = 0;
  await runAutocannon(graphqlUrl, writer.secret, { connections: CONNECTIONS, duration: WARMUP_SECONDS, overallRate: 200 }, (n) =>
    JSON.stringify({
      query: RECORD,
      variables: {
        input: {
          leadExternalId: leadOf(n),
          type: TYPES[n % TYPES.length],
          occurredAt: new Date().toISOString(),
          idempotencyKey: `warm-${process.pid}-${warm++}`,
        },
      },
    }),
  );
  await runAutocannon(graphqlUrl, reader.secret, { connections: CONNECTIONS, duration: WARMUP_SECONDS }, (n) =>
    JSON.stringify({ query: LEAD_SCORE, variables: { id: leadOf(n) } }),
  );

  // (a) recordActivity at a steady rate (open loop), then the same rate from autocannon.
  const runId = `${process.pid}-${Date.now()}`;
  const recordBody = (prefix: string) => (n: number) =>
    JSON.stringify({
      query: RECORD,
      variables: {
        input: {
          leadExternalId: leadOf(n),
          type: TYPES[n % TYPES.length],
          occurredAt: new Date().toISOString(),
          idempotencyKey: `${prefix}-${runId}-${n}`,
        },
      },
    });
  const steadyRate = RECORD_RATE > 0 ? RECORD_RATE : 500;
  const steadyLoad = { rate: steadyRate, seconds: RECORD_SECONDS, connections: CONNECTIONS };
  const steady = await openLoop(graphqlUrl, writer.secret, steadyLoad, recordBody('bench'));
  const floorRun = await openLoop(graphqlUrl, writer.secret, steadyLoad, () => TRIVIAL_MUTATION);
  const commits = adminUrl ? await commitFloor((database as { url: string }).url, steadyRate, RECORD_SECONDS) : null;
  const burstLoad = { rate: BURST_RATE, seconds: BURST_SECONDS, connections: BURST_CONNECTIONS };
  const queueBefore = BURST_RATE > 0 ? await recordQueue(port) : null;
  const burst = BURST_RATE > 0 ? await openLoop(graphqlUrl, writer.secret, burstLoad, recordBody('spike')) : null;
  const queueAfter = BURST_RATE > 0 ? await recordQueue(port) : null;
  const burstFloor = BURST_RATE > 0 ? await openLoop(graphqlUrl, writer.secret, burstLoad, () => TRIVIAL_MUTATION) : null;
  const writes = flags['only-record']
    ? null
    : await runAutocannon(
        graphqlUrl,
        writer.secret,
        { connections: CONNECTIONS, duration: RECORD_SECONDS, overallRate: RECORD_RATE > 0 ? RECORD_RATE : undefined },
        recordBody('burst'),
      );
  const counter = adminUrl ? new pg.Client({ connectionString: (database as { url: string }).url }) : null;
  let recorded = Number.NaN;
  if (counter) {
    await counter.connect();
    [{ recorded }] = (
      await counter.query(`SELECT count(*)::int AS recorded FROM activity WHERE idempotency_key LIKE $1`, [`bench-${runId}-%`])
    ).rows;
    await counter.end();
  }
  const l = steady.latencies;
  const ms = (value: number) => value.toFixed(1);
  console.log('');
  console.log(
    `(a) recordActivity at a steady ${steadyRate} req/s for ${RECORD_SECONDS} s, open loop (one request every ${ms(1000 / steadyRate)} ms, up to ${CONNECTIONS} keep-alive connections; unique idempotency keys, leads:write key)`,
  );
  console.log(
    `    answered ${fmt(steady.ok + steady.errors)} of ${fmt(steady.sent)} in ${steady.seconds.toFixed(1)} s${Number.isNaN(recorded) ? '' : `; ${fmt(recorded)} activities stored`}`,
  );
  console.log(
    `    latency ms from the due time: p50 ${ms(percentile(l, 50))}  p90 ${ms(percentile(l, 90))}  p99 ${ms(percentile(l, 99))}  p99.9 ${ms(percentile(l, 99.9))}  max ${ms(l[l.length - 1])}   (target p99 <= 25, goal 10)`,
  );
  console.log(`    errors: ${steady.errors}${steady.firstError ? ` (first: ${steady.firstError})` : ''}`);
  printFigure({
    figure: `recordActivity p99 at a steady ${steadyRate} req/s`,
    value: percentile(l, 99),
    unit: 'ms',
    floor: { label: `p99 of \`mutation { __typename }\` at the same rate, same key`, value: percentile(floorRun.latencies, 99) },
    targetRatio: 3,
  });
  if (commits) {
    printFigure({
      figure: `recordActivity p99 at a steady ${steadyRate} req/s, beside a durable write`,
      value: percentile(l, 99),
      unit: 'ms',
      floor: { label: 'p99 of a one-row INSERT committed alone at the same rate, from this process', value: percentile(commits, 99) },
    });
  }
  if (flags.timeline) {
    // Where the tail comes from: spread over the run (queueing) or a few stalls.
    steady.bySecond.forEach((latencies, second) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(
        `      second ${String(second).padStart(3)}: ${String(sorted.length).padStart(4)} requests  p50 ${ms(percentile(sorted, 50)).padStart(6)}  p99 ${ms(percentile(sorted, 99)).padStart(6)}  max ${ms(sorted[sorted.length - 1]).padStart(6)}`,
      );
    });
  }
  if (burst && burstFloor && queueBefore && queueAfter) {
    const b = burst.latencies;
    const batches = queueAfter.batches - queueBefore.batches;
    console.log(
      `    burst: ${fmt(BURST_RATE)} req/s for ${BURST_SECONDS} s, open loop over up to ${BURST_CONNECTIONS} connections: answered ${fmt(burst.ok + burst.errors)} of ${fmt(burst.sent)} in ${burst.seconds.toFixed(1)} s`,
    );
    console.log(
      `    latency ms: p50 ${ms(percentile(b, 50))}  p99 ${ms(percentile(b, 99))}  max ${ms(b[b.length - 1])}; errors ${burst.errors}${burst.firstError ? ` (first: ${burst.firstError})` : ''}`,
    );
    console.log(
      `    queued in the server: at most ${fmt(queueAfter.peak)} requests waiting for a write slot at once${queueAfter.peak > queueBefore.peak ? '' : ' (reached before the burst)'}; ${fmt(batches)} shared transactions of ${batches > 0 ? ((queueAfter.requests - queueBefore.requests) / batches).toFixed(1) : '-'} requests on average`,
    );
    printFigure({
      figure: `recordActivity p99, burst of ${BURST_RATE} req/s for ${BURST_SECONDS} s`,
      value: percentile(b, 99),
      unit: 'ms',
      floor: { label: `p99 of \`mutation { __typename }\` at the same rate`, value: percentile(burstFloor.latencies, 99) },
    });
  }
  if (writes) reportAutocannon(writes);
  if (!flags['only-record']) await readThroughput(graphqlUrl, reader.secret);
  // autocannon drops its connections at the deadline; let the requests still running finish first.
  if (!flags['only-record']) await new Promise((resolve) => setTimeout(resolve, 3_000));
} finally {
  if (server) await stopChild(server);
  if (flags.profile) console.log(`server CPU profile written to ${tmpdir()} (CPU.*.cpuprofile)`);
  await app?.close();
  if (adminUrl) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Latencies (ascending, ms from each due time) of one-row INSERTs, each committed alone, at `rate`
 * for `seconds` over up to 10 connections: the WAL flush every durable write waits for, which
 * `mutation { __typename }` does not. In a table of the scratch database, dropped with it.
 */
async function commitFloor(url: string, rate: number, runSeconds: number): Promise<number[]> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_commit_floor (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
    const latencies: number[] = [];
    const pending: Array<Promise<void>> = [];
    const start = performance.now() + 50;
    for (let i = 0; i < Math.round(rate * runSeconds); i += 1) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(pool.query('INSERT INTO bench_commit_floor DEFAULT VALUES').then(() => void latencies.push(performance.now() - due)));
    }
    await Promise.all(pending);
    return latencies.sort((a, b) => a - b);
  } finally {
    await pool.end();
  }
}

/** What the server's /metrics says of recordActivity's queue: the peak so far, and the shared transactions' count and sizes. */
async function recordQueue(port: number): Promise<{ peak: number; batches: number; requests: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    peak: value('record_activity_waiting_peak'),
    batches: value('record_activity_batch_size_count'),
    requests: value('record_activity_batch_size_sum'),
  };
}

function reportAutocannon(writes: Run): void {
  const w = writes.result;
  console.log(
    `    the same with autocannon, ${CONNECTIONS} connections at ${RECORD_RATE > 0 ? `${RECORD_RATE} req/s overall` : 'full speed'} (each connection on its own timer: bursts of up to ${CONNECTIONS} requests at once):`,
  );
  console.log(
    `    answered ${fmt(w.requests.total)} in ${w.duration.toFixed(1)} s = ${fmt(w.requests.total / w.duration)} req/s; latency ms: p50 ${w.latency.p50}  p90 ${w.latency.p90}  p99 ${w.latency.p99}  max ${w.latency.max}`,
  );
  console.log(
    `    errors: non-2xx ${w.non2xx} (5xx ${w['5xx']}), GraphQL errors ${writes.graphqlErrors}, connection errors ${w.errors}, timeouts ${w.timeouts}`,
  );
  if (writes.firstError) console.log(`    first error: ${writes.firstError}`);
}

/** (b) the lead score query vs a trivial query, as fast as they go. */
async function readThroughput(graphqlUrl: string, key: string): Promise<void> {
  const trivial = await runAutocannon(graphqlUrl, key, { connections: CONNECTIONS, duration: QUERY_SECONDS }, () => TRIVIAL);
  const scores = await runAutocannon(graphqlUrl, key, { connections: CONNECTIONS, duration: QUERY_SECONDS }, (n) =>
    JSON.stringify({ query: LEAD_SCORE, variables: { id: leadOf(n) } }),
  );
  const rate = (r: Run) => r.result.requests.total / r.result.duration;
  const line = (label: string, r: Run) =>
    `    ${label.padEnd(34)} ${fmt(rate(r)).padStart(6)} req/s  (p50 ${r.result.latency.p50} ms, p99 ${r.result.latency.p99} ms; errors ${r.graphqlErrors + r.result.errors})`;
  console.log('');
  console.log(`(b) max throughput for ${QUERY_SECONDS} s each (scores:read key)`);
  console.log(line('{ __typename }', trivial));
  console.log(line('lead(externalId) { score { ... } }', scores));
  console.log(`    ratio lead score / trivial: ${((rate(scores) / rate(trivial)) * 100).toFixed(0)} %  (target >= 60 %)`);
  printFigure({
    figure: 'lead score query, max throughput',
    value: rate(scores),
    unit: 'req/s',
    floor: { label: '`{ __typename }` with the same key, max throughput', value: rate(trivial) },
    targetRatio: 1 / 0.6,
  });
  for (const r of [trivial, scores]) if (r.firstError) console.log(`    first error: ${r.firstError}`);
}
