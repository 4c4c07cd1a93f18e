/**
 * What a second lead model adds to an activity's round trip (issue 18), in process, on real PostgreSQL.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/model-roundtrip.ts
 *     [--leads 100000] [--activities 5] [--calls 300] [--rounds 3] [--workers 2] [--keep]
 *
 * Seeds leads without accounts (set-based SQL, deterministic), scores them in the default lead model
 * and in a second lead model (`product`, its publish's re-score job run by N worker processes), then
 * records activities one after another through ActivityService.recordActivity (what the GraphQL
 * mutation calls), on random leads, alternately with the second model active and set aside, `rounds`
 * times. Prints per call the time (mean, p50, p99), the time spent in the lead models' follower, and
 * the statements the service sent (every query on a pg client of this process, BEGIN and COMMIT
 * included, pg-boss's own aside); the two-model figure beside its floor: the one-model round trip
 * measured in the same run.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../server/src/app';
import type { Actor } from '../server/src/auth/actor';
import { createLogger } from '../server/src/common/logger';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { LeadModelScorer } from '../server/src/scoring/models/lead-model-scorer';
import { percentile } from './support/load';
import { printFigure } from './support/report';
import { spawnWorkers, stopChild } from './support/server';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '100000' },
    activities: { type: 'string', default: '5' },
    calls: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const LEADS = Number(values.leads);
const ACTIVITIES = Number(values.activities);
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const WORKERS = Number(values.workers);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const dbName = `ls_bench_model_roundtrip_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const admin = { name: 'user:bench@local', role: 'admin' } as Actor;
const TYPES = ['page_view', 'email_click', 'pricing_page_view', 'content_download', 'webinar_attendance', 'demo_request'];

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Counts the statements this process sends while `counting` is on (pg-boss's maintenance aside).
let counting = false;
let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (counting) {
    const [first] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
    if (!text.includes('pgboss')) statements += 1;
  }
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

// Times the lead models' follower (the second model's own work inside the call) while counting.
let followerMs = 0;
const afterScoring = LeadModelScorer.prototype.afterScoring;
LeadModelScorer.prototype.afterScoring = async function (this: LeadModelScorer, ...args: Parameters<typeof afterScoring>) {
  const started = process.hrtime.bigint();
  try {
    return await afterScoring.apply(this, args);
  } finally {
    if (counting) followerMs += Number(process.hrtime.bigint() - started) / 1e6;
  }
};

await adminQuery(`CREATE DATABASE ${dbName}`);
const children: ChildProcess[] = [];
let closeApp = async () => {};
try {
  const app = await createApp({ database: { kind: 'postgres', url: databaseUrl }, logger: createLogger('warn') });
  closeApp = () => app.close();
  const db = app.dataSource;
  console.log(`scratch database ${dbName}: ${fmt(LEADS)} leads, ${ACTIVITIES} activities each, ${WORKERS} workers`);

  let t = process.hrtime.bigint();
  await db.query(`
    INSERT INTO lead (external_id, email, attributes, created_at, updated_at)
    SELECT 'r-' || g, 'p' || g || '@co' || (1 + g % 5000) || '.example',
           jsonb_build_object(
             'industry', (ARRAY['software','financial_services','healthcare','manufacturing','retail','consulting'])[1 + g % 6],
             'companySize', (ARRAY[5, 40, 180, 600, 2500, 12000])[1 + (g / 7) % 6],
             'seniority', (ARRAY['c_level','vp','director','manager','individual_contributor','student'])[1 + (g / 3) % 6],
             'department', (ARRAY['executive','marketing','sales','revenue_operations','engineering'])[1 + g % 5],
             'country', (ARRAY['US','GB','DE','FR','IN','BR'])[1 + g % 6],
             'budgetConfirmed', g % 4 = 0),
           now() - make_interval(days => 1 + (g % 90)), now()
      FROM generate_series(1, ${LEADS}) g`);
  // No lead has a score yet: the trigger that voids cached aggregates has nothing to do while seeding.
  await db.query('ALTER TABLE activity DISABLE TRIGGER activity_inserted_forget_facts');
  await db.query(`
    INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
    SELECT l.id, (ARRAY['page_view','page_view','email_open','email_click','pricing_page_view','content_download',
                        'webinar_attendance','demo_request'])[1 + (hashint4((l.id * 31 + a)::int) & 2147483647) % 8],
           now() - make_interval(mins => (hashint4((l.id * 17 + a)::int) & 2147483647) % (60 * 1440)), l.id || '-' || a, '{}'::jsonb
      FROM lead l CROSS JOIN generate_series(1, ${ACTIVITIES}) a`);
  await db.query('ALTER TABLE activity ENABLE TRIGGER activity_inserted_forget_facts');
  await db.query('ANALYZE');
  console.log(`seeded in ${seconds(t).toFixed(1)} s`);

  children.push(...spawnWorkers(WORKERS, databaseUrl));
  const waitFor = async (jobId: string) => {
    for (;;) {
      const job = await app.services.rescore.getJob(jobId);
      if (job.status !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const lead = (await app.services.ruleSets.activeRuleSets(db.manager, 'default')).find((ruleSet) => ruleSet.isDefault);
  if (!lead) throw new Error('no active default rule set');
  t = process.hrtime.bigint();
  const initial = await db.transaction((manager) =>
    app.services.rescore.createJob(manager, {
      ruleSetId: lead.ruleSetId,
      versionId: lead.versionId,
      createdBy: admin.name,
      isDefault: true,
      segments: [],
      claimedSegments: [],
    }),
  );
  await app.services.rescore.dispatch(initial);
  console.log(`first scoring, default lead model: ${fmt((await waitFor(initial)).doneLeads)} leads in ${seconds(t).toFixed(1)} s`);

  // The second lead model as a client creates it: other points, so that its scores differ.
  await app.services.workflow.scoreModels.create(admin, { key: 'product', name: 'Product line', subject: 'lead' });
  const product = structuredClone(lead.definition) as RuleSetDefinition;
  product.rules[0].event.params.points += 7;
  const { draft } = await app.services.workflow.createRuleSet(admin, {
    key: 'product-line',
    name: 'Product line',
    model: 'product',
    definition: { ...product, key: 'product-line', name: 'Product line' },
  });
  await app.services.workflow.submitForReview({ name: 'user:m1@local', role: 'marketing' } as Actor, draft.id);
  await app.services.workflow.review({ name: 'user:m2@local', role: 'marketing' } as Actor, { versionId: draft.id, approve: true });
  await app.services.workflow.review({ name: 'user:s1@local', role: 'sales' } as Actor, { versionId: draft.id, approve: true });
  t = process.hrtime.bigint();
  const job = await waitFor((await app.services.workflow.publish(admin, draft.id)).jobId);
  console.log(`first scoring, second lead model: ${fmt(job.doneLeads)} leads in ${seconds(t).toFixed(1)} s (${job.status})`);
  await Promise.all(children.splice(0).map((child) => stopChild(child)));
  const [productSet] = await db.query(`SELECT id::text, active_version_id::text AS version FROM rule_set WHERE model = 'product'`);

  // Sequential recordActivity calls, the second model on or set aside.
  const runId = `${process.pid}-${Date.now()}`;
  let n = 0;
  const calls = async (label: string, count: number) => {
    const latencies: number[] = [];
    statements = 0;
    followerMs = 0;
    counting = true;
    for (let i = 0; i < count; i += 1) {
      n += 1;
      const started = process.hrtime.bigint();
      await app.services.activities.recordActivity({
        leadExternalId: `r-${1 + ((n * 7919) % LEADS)}`,
        type: TYPES[n % TYPES.length],
        occurredAt: new Date(),
        idempotencyKey: `${label}-${runId}-${n}`,
      });
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    counting = false;
    return { latencies, statements: statements / count, followerMs: followerMs / count };
  };
  const setModel = async (on: boolean) => {
    await db.query('UPDATE rule_set SET active_version_id = $2 WHERE id = $1', [productSet.id, on ? productSet.version : null]);
    app.services.ruleSets.invalidate();
  };
  const results = { two: [] as number[], one: [] as number[], twoStatements: 0, oneStatements: 0, follower: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of ['two', 'one'] as const) {
      await setModel(mode === 'two');
      await calls(`warm-${mode}`, 20);
      const run = await calls(mode, CALLS);
      results[mode].push(...run.latencies);
      results[`${mode}Statements`] = run.statements;
      if (mode === 'two') results.follower.push(run.followerMs);
      const mean = run.latencies.reduce((sum, value) => sum + value, 0) / run.latencies.length;
      const sorted = [...run.latencies].sort((a, b) => a - b);
      console.log(
        `round ${round + 1}, ${mode === 'two' ? 'two lead models' : 'default model only'}: mean ${mean.toFixed(2)}  p50 ${percentile(sorted, 50).toFixed(2)}  p99 ${percentile(sorted, 99).toFixed(2)} ms; ${run.statements.toFixed(2)} statements per call${mode === 'two' ? `, ${run.followerMs.toFixed(2)} ms of them in the lead models' follower` : ''}`,
      );
    }
  }
  await setModel(true);

  const summary = (latencies: number[]) => {
    const sorted = [...latencies].sort((a, b) => a - b);
    return { mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length, p99: percentile(sorted, 99) };
  };
  const two = summary(results.two);
  const one = summary(results.one);
  console.log('');
  console.log(
    `the lead models' follower per call, per round: ${results.follower.map((value) => value.toFixed(2)).join(' / ')} ms (mean ${(results.follower.reduce((sum, value) => sum + value, 0) / results.follower.length).toFixed(2)})`,
  );
  console.log(
    `statements per recordActivity: two lead models ${results.twoStatements.toFixed(2)}, default model only ${results.oneStatements.toFixed(2)}`,
  );
  printFigure({
    figure: `recordActivity round trip, in process, mean of ${fmt(results.two.length)} sequential calls, two lead models (${fmt(LEADS)} leads)`,
    value: two.mean,
    unit: 'ms',
    floor: { label: 'the default model alone, same run', value: one.mean },
  });
  printFigure({
    figure: `recordActivity round trip, in process, p99 of ${fmt(results.two.length)} sequential calls, two lead models (${fmt(LEADS)} leads)`,
    value: two.p99,
    unit: 'ms',
    floor: { label: 'the default model alone, same run', value: one.p99 },
  });
} finally {
  counting = false;
  await Promise.all(children.map((child) => stopChild(child)));
  await closeApp();
  if (values.keep) console.log(`kept the scratch database ${dbName}`);
  else await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
