/**
 * The Segment-compatible tracking API under load, on real PostgreSQL.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ingest.ts [--events 50000] [--leads 5000] [--concurrency 8] [--per-lead 1] [--keep] [--without-accounts]
 *
 * Creates a scratch database, seeds `leads` scored leads (contacts of 97 accounts matched by e-mail
 * domain as on a default install, so that each event also recomputes its account in the default
 * account model; `--without-accounts`: in no account), starts the HTTP server in this process and
 * posts /v1/batch requests of 100 track/page events each (write key as basic auth, keep-alive,
 * `concurrency` requests in flight), the events spread over the leads, each mapped by the default
 * tracking configuration. A request is answered once its events are recorded and their leads
 * re-scored, so events/s is sustained into scored leads. Beside it, the same events (same leads,
 * types and times, new keys) through ActivityService.recordActivities in batches of 100 with the
 * same concurrency: what the tracking API adds on top of the bulk write path. Each is run twice,
 * alternating, and the second run is printed. Prints figures only.
 */
import 'reflect-metadata';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { RecordActivityData } from '../server/src/activities/activity.service';
import { createApp } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import { startHttpServer } from '../server/src/http/http-server';
import { mulberry32 } from '../server/src/common/random';
import { printFigure } from './support/report';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    leads: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '8' },
    'per-lead': { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    'without-accounts': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const LEADS = Number(values.leads);
const CONCURRENCY = Number(values.concurrency);
/** Events of one lead in a batch (1: 100 leads per batch, the most scoring per event; a website's batches hold several per visitor). */
const PER_LEAD = Number(values['per-lead']);
const PER_BATCH = 100;
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const dbName = `ls_bench_ingest_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Segment event -> the activity type the default configuration maps it to. */
const EVENT_KINDS: Array<{ message: Record<string, unknown>; type: string; properties: Record<string, unknown> }> = [
  { message: { type: 'track', event: 'Email Opened' }, type: 'email_open', properties: {} },
  { message: { type: 'track', event: 'Email Link Clicked' }, type: 'email_click', properties: {} },
  { message: { type: 'track', event: 'Content Downloaded' }, type: 'content_download', properties: {} },
  {
    message: { type: 'page', name: 'Pricing', properties: { path: '/pricing' } },
    type: 'pricing_page_view',
    properties: { path: '/pricing' },
  },
  { message: { type: 'page', name: 'Blog', properties: { path: '/blog/post' } }, type: 'page_view', properties: { path: '/blog/post' } },
];

interface PlannedEvent {
  lead: number;
  kind: number;
  occurredAt: Date;
}

/** The events, batch by batch: each batch 100 events on distinct leads (seeded, so both paths get the same). */
function planEvents(seed: number): PlannedEvent[][] {
  const random = mulberry32(seed);
  const now = Date.now();
  const batches: PlannedEvent[][] = [];
  for (let b = 0; b < EVENTS / PER_BATCH; b += 1) {
    const start = Math.floor(random() * LEADS);
    batches.push(
      Array.from({ length: PER_BATCH }, (_, i) => ({
        lead: 1 + ((start + Math.floor(i / PER_LEAD) * 37) % LEADS),
        kind: Math.floor(random() * EVENT_KINDS.length),
        occurredAt: new Date(now - Math.floor(random() * 7 * 86_400_000)),
      })),
    );
  }
  return batches;
}

async function inParallel<T>(items: T[], work: (item: T, index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

await admin(`CREATE DATABASE ${dbName}`);
const app = await createApp({ database: { kind: 'postgres', url: url.toString() }, logger: createLogger('warn') });
try {
  await app.dataSource.query(
    `INSERT INTO lead (external_id, email, attributes)
     SELECT 'ing-' || g, 'p' || g || '@corp' || (g % 97) || '.com',
            jsonb_build_object('industry', (ARRAY['software','retail','healthcare'])[1 + g % 3], 'companySize', (ARRAY[40, 600, 2500])[1 + g % 3])
       FROM generate_series(1, $1::int) g`,
    [LEADS],
  );
  if (!values['without-accounts']) {
    // What account matching does on a default install (a lead's non-free e-mail domain), set-based.
    await app.dataSource.query(
      `INSERT INTO account (domain, name) SELECT 'corp' || g || '.com', 'Corp ' || g FROM generate_series(0, 96) g`,
    );
    await app.dataSource.query(
      `UPDATE lead l SET account_id = a.id, account_source = 'domain' FROM account a WHERE a.domain = split_part(l.email, '@', 2)`,
    );
  }
  await app.services.scorePass.runDecayPass(new Date());
  const { secret } = await app.services.auth.createApiKey({ name: 'bench-source', scopes: ['leads:write'] });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1', production: true });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const authorization = `Basic ${Buffer.from(`${secret}:`).toString('base64')}`;
  const target = new URL(`${server.url}/v1/batch`);

  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200) return reject(new Error(`${response.statusCode} ${text.slice(0, 300)}`));
            const result = JSON.parse(text) as { activitiesRecorded: number };
            if (result.activitiesRecorded !== PER_BATCH) return reject(new Error(`recorded ${result.activitiesRecorded} of ${PER_BATCH}`));
            resolve();
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  const viaApi = async (round: number): Promise<number> => {
    const batches = planEvents(round).map((batch, b) =>
      JSON.stringify({
        sentAt: new Date().toISOString(),
        batch: batch.map((event, i) => ({
          ...EVENT_KINDS[event.kind].message,
          userId: `ing-${event.lead}`,
          messageId: `r${round}-b${b}-${i}`,
          timestamp: event.occurredAt.toISOString(),
        })),
      }),
    );
    return EVENTS / (await inParallel(batches, (body) => post(body)));
  };
  const viaRecordActivities = async (round: number): Promise<number> => {
    const batches = planEvents(round).map((batch, b) =>
      batch.map(
        (event, i): RecordActivityData => ({
          leadExternalId: `ing-${event.lead}`,
          type: EVENT_KINDS[event.kind].type,
          occurredAt: event.occurredAt,
          idempotencyKey: `direct-r${round}-b${b}-${i}`,
          properties: EVENT_KINDS[event.kind].properties,
        }),
      ),
    );
    return EVENTS / (await inParallel(batches, async (items) => void (await app.services.activities.recordActivities(items))));
  };

  await viaApi(1);
  await viaRecordActivities(1);
  const api = await viaApi(2);
  const direct = await viaRecordActivities(2);
  const [{ count }] = await app.dataSource.query('SELECT count(*)::int AS count FROM activity');
  console.log(
    `${fmt(count)} activities in all over ${fmt(LEADS)} leads${values['without-accounts'] ? ' in no account' : ' in 97 accounts'}; ${CONCURRENCY} requests in flight; ${PER_BATCH} events per call`,
  );
  printFigure({
    figure: `/v1/batch ingestion, ${fmt(EVENTS)} events into scored leads (${PER_BATCH} per call, ${PER_LEAD} per lead)`,
    value: api,
    unit: 'rows/s', // one event is one activity row
    floor: { label: 'recordActivities in-process, same events', value: direct },
    targetRatio: 1.5,
  });
  console.log('target: 20,000 events/s (rows/s above: one event is one activity row)');
  agent.destroy();
  await server.close();
  server.server.close();
} finally {
  await app.close();
  if (!values.keep) await admin(`DROP DATABASE ${dbName} WITH (FORCE)`);
}
