/**
 * The API under load, over HTTP, in one process.
 *
 *   npx tsx bench/api.ts                                                        # embedded PGlite (in memory)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/api.ts  # scratch database ls_bench_api_<pid>
 *
 * Starts the service in-process (createApp + startHttpServer, no rate limit), seeds 1,000 scored leads,
 * then with autocannon:
 *   (a) recordActivity at a fixed 500 requests/s for 20 s (50 connections, unique idempotency keys):
 *       latency p50/p90/p99/max and errors;
 *   (b) the lead score query vs a trivial `{ __typename }`, both with an API key, as fast as they go
 *       for 10 s each: requests/s and their ratio (target: the score query at 60 % or more of trivial).
 * Prints figures only.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import pg from 'pg';
import { createApp, type App } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import type { DatabaseConfig } from '../server/src/db/database-config';
import { startHttpServer, type HttpServer } from '../server/src/http/http-server';

const LEADS = 1_000;
const CONNECTIONS = 50;
const RECORD_RATE = 500;
const RECORD_SECONDS = 20;
const QUERY_SECONDS = 10;

const adminUrl = process.env.DATABASE_URL;
const dbName = `ls_bench_api_${process.pid}`;
let database: DatabaseConfig = { kind: 'embedded' };
if (adminUrl) {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  database = { kind: 'postgres', url: url.toString() };
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
  await app.dataSource.query(`
    INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
    SELECT l.id, (ARRAY['page_view','page_view','email_open','email_click','pricing_page_view','content_download','webinar_attendance','demo_request'])[1 + ((l.id * 31 + a) % 8)::int],
           now() - make_interval(hours => ((l.id * 17 + a * 7) % (60 * 24))::int), 'seed-' || l.id || '-' || a, '{}'::jsonb
      FROM lead l CROSS JOIN generate_series(1, 10) a`);
  const pass = await app.services.scorePass.runDecayPass(new Date());
  return pass.leadsScored;
}

interface Run {
  result: autocannon.Result;
  graphqlErrors: number;
  firstError: string | null;
}

/** One autocannon run; each request's body comes from `body(n)`, and every response is checked for GraphQL errors. */
async function run(server: HttpServer, key: string, options: { duration: number; overallRate?: number }, body: (n: number) => string): Promise<Run> {
  let sent = 0;
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const result = await autocannon({
    url: server.graphqlUrl,
    connections: CONNECTIONS,
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

const TYPES = ['PAGE_VIEW', 'PAGE_VIEW', 'EMAIL_OPEN', 'EMAIL_CLICK', 'PRICING_PAGE_VIEW', 'CONTENT_DOWNLOAD', 'WEBINAR_ATTENDANCE', 'FORM_SUBMISSION'];
const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate score { total cell } } }';
const LEAD_SCORE = 'query($id: String!) { lead(externalId: $id) { score { total cell reasons { rule points } } } }';
const TRIVIAL = JSON.stringify({ query: '{ __typename }' });
const leadOf = (n: number) => `bench-${1 + ((n * 7919) % LEADS)}`;

if (adminUrl) await admin(`CREATE DATABASE ${dbName}`);
let app: App | null = null;
let server: HttpServer | null = null;
try {
  app = await createApp({ database, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  server = await startHttpServer(app, { port: 0, host: '127.0.0.1', production: true });
  console.log(`bench/api: ${adminUrl ? `PostgreSQL, scratch database ${dbName}` : 'embedded PGlite (in memory)'}; Node ${process.version}; ${CONNECTIONS} connections; no rate limit`);

  let t = process.hrtime.bigint();
  const scored = await seed(app);
  console.log(`seeded ${fmt(LEADS)} leads with ${fmt(LEADS * 10)} activities and scored ${fmt(scored)} of them in ${seconds(t).toFixed(1)} s`);

  const writer = await app.services.auth.createApiKey({ name: 'bench-writer', scopes: ['leads:write'] });
  const reader = await app.services.auth.createApiKey({ name: 'bench-reader', scopes: ['scores:read'] });

  // (a) recordActivity at a fixed rate.
  const runId = `${process.pid}-${Date.now()}`;
  const writes = await run(server, writer.secret, { duration: RECORD_SECONDS, overallRate: RECORD_RATE }, (n) =>
    JSON.stringify({
      query: RECORD,
      variables: { input: { leadExternalId: leadOf(n), type: TYPES[n % TYPES.length], occurredAt: new Date().toISOString(), idempotencyKey: `bench-${runId}-${n}` } },
    }),
  );
  const [{ recorded }] = await app.dataSource.query(`SELECT count(*)::int AS recorded FROM activity WHERE idempotency_key LIKE $1`, [`bench-${runId}-%`]);
  const w = writes.result;
  console.log('');
  console.log(`(a) recordActivity at a fixed ${RECORD_RATE} req/s for ${RECORD_SECONDS} s (unique idempotency keys, leads:write key)`);
  console.log(`    answered ${fmt(w.requests.total)} in ${w.duration.toFixed(1)} s = ${fmt(w.requests.total / w.duration)} req/s achieved; ${fmt(recorded)} activities stored`);
  console.log(`    latency ms: p50 ${w.latency.p50}  p90 ${w.latency.p90}  p99 ${w.latency.p99}  max ${w.latency.max}  (mean ${w.latency.mean.toFixed(1)})`);
  console.log(`    errors: non-2xx ${w.non2xx} (5xx ${w['5xx']}), GraphQL errors ${writes.graphqlErrors}, connection errors ${w.errors}, timeouts ${w.timeouts}`);
  if (writes.firstError) console.log(`    first error: ${writes.firstError}`);

  // (b) the lead score query vs a trivial query, as fast as they go.
  const trivial = await run(server, reader.secret, { duration: QUERY_SECONDS }, () => TRIVIAL);
  const scores = await run(server, reader.secret, { duration: QUERY_SECONDS }, (n) => JSON.stringify({ query: LEAD_SCORE, variables: { id: leadOf(n) } }));
  const rate = (r: Run) => r.result.requests.total / r.result.duration;
  const line = (label: string, r: Run) =>
    `    ${label.padEnd(34)} ${fmt(rate(r)).padStart(6)} req/s  (p50 ${r.result.latency.p50} ms, p99 ${r.result.latency.p99} ms; errors ${r.graphqlErrors + r.result.errors})`;
  console.log('');
  console.log(`(b) max throughput for ${QUERY_SECONDS} s each (scores:read key)`);
  console.log(line('{ __typename }', trivial));
  console.log(line('lead(externalId) { score { ... } }', scores));
  console.log(`    ratio lead score / trivial: ${((rate(scores) / rate(trivial)) * 100).toFixed(0)} %  (target >= 60 %)`);
  for (const r of [trivial, scores]) if (r.firstError) console.log(`    first error: ${r.firstError}`);
  // autocannon drops its connections at the deadline; let the requests still running finish first.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
} finally {
  await server?.close();
  await app?.close();
  if (adminUrl) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
