/**
 * Re-score after publish, end to end, on real PostgreSQL.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/rescore.ts [--leads 1000000] [--activities 20] [--workers 2] [--keep]
 *   ... bench/rescore.ts --reuse ls_bench_rescore_<pid> [--no-cold] [--no-evaluate]   # a database kept by --keep: publish once more, no seeding
 *
 * Creates a scratch database, seeds leads and activities with set-based SQL (seeded, deterministic),
 * scores every lead under v1, then publishes v2 (some points changed) through the real workflow and
 * times the re-score job until it completes, with N worker processes (`npm run worker`) sharing it.
 * v2 has v1's activity facts, so each lead's cached activity aggregates are reused (the usual
 * publish), and v1's conditions, so each lead's fired rules are carried over (carry-plan.ts). Then,
 * unless --no-evaluate, a version with one condition changed: every lead is evaluated (from its
 * cached aggregates). Then, unless --no-cold, v3 changes an activity fact's window: every lead's activities
 * are aggregated again (a publish that redefines behaviour; also what a first scoring costs).
 * Prints leads/s and the ratio to json-rules-engine lead by lead on a sample, extrapolated.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import type { Actor } from '../server/src/auth/actor';
import { buildFactsQuery, daysInactive, factsFromRow, type FactsRow } from '../server/src/engine/facts';
import { computeScore } from '../server/src/engine/grading';
import { RuleSetEvaluator } from '../server/src/engine/rule-engine';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { resolvedVersionSql } from '../server/src/scoring/score-reader';
import { aggregationFloor, rescoreFloor } from './support/floors';
import { processCpuMs } from './support/process-cpu';
import { printFigure } from './support/report';
import { spawnWorkers, stopChild } from './support/server';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '1000000' },
    activities: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    'no-cold': { type: 'boolean', default: false },
    'no-evaluate': { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
/** A database kept by an earlier --keep run: no seeding, no initial scoring; each run publishes one more version. */
const REUSE = values.reuse;
let LEADS = Number(values.leads);
const ACTIVITIES = Number(values.activities);
const WORKERS = Number(values.workers);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const dbName = REUSE ?? `ls_bench_rescore_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** CPU milliseconds used so far by these processes; one that has exited counts 0. */
const cpuMs = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + (processCpuMs([pid]) ?? 0), 0);

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

const workers: ChildProcess[] = [];
if (!REUSE) await admin(`CREATE DATABASE ${dbName}`);
let closeApp = async () => {};
try {
  const app = await createApp({ database: { kind: 'postgres', url: databaseUrl }, logger: createLogger('warn') });
  closeApp = () => app.close();
  if (REUSE) [{ leads: LEADS }] = await app.dataSource.query(`SELECT count(*)::int AS leads FROM lead`);
  console.log(
    `${REUSE ? 'reused' : 'scratch'} database ${dbName}: ${fmt(LEADS)} leads${REUSE ? '' : ` x ${ACTIVITIES} activities`}, ${WORKERS} worker process(es)`,
  );

  let t = process.hrtime.bigint();
  const actor: Actor = { name: 'user:bench@local', role: 'admin' };
  const spawnAll = () => {
    // WORKER_NODE_OPTIONS: extra node flags for the workers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    workers.push(...spawnWorkers(WORKERS, databaseUrl, (process.env.WORKER_NODE_OPTIONS ?? '').split(' ').filter(Boolean)));
  };
  const waitFor = async (jobId: string) => {
    for (;;) {
      const job = await app.services.rescore.getJob(jobId);
      if (job.status !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  if (REUSE) {
    // Started and connected before the publish is timed, as long-running workers would be.
    const connections = async () =>
      (await app.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [dbName]))[0].n as number;
    const before = await connections();
    spawnAll();
    let stable = 0;
    for (let last = before; stable < 8; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await connections();
      stable = now >= before + WORKERS && now === last ? stable + 1 : 0;
      last = now;
    }
  } else {
    t = process.hrtime.bigint();
    // Seeding 20 M activities can run past the app's statement timeout on a busy machine.
    await app.dataSource.transaction(async (seed) => {
      await seed.query('SET LOCAL statement_timeout = 0');
      await seed.query(`
      INSERT INTO lead (external_id, email, attributes, created_at, updated_at)
      SELECT 'b-' || g, 'p' || g || CASE WHEN g % 5 = 0 THEN '@gmail.com' ELSE '@corp' || (g % 997) || '.com' END,
             jsonb_build_object(
               'industry', (ARRAY['software','financial_services','healthcare','manufacturing','retail','education','consulting'])[1 + g % 7],
               'companySize', (ARRAY[5, 40, 180, 600, 2500, 12000])[1 + (g / 7) % 6],
               'seniority', (ARRAY['c_level','vp','director','manager','individual_contributor','student'])[1 + (g / 3) % 6],
               'jobTitle', (ARRAY['CEO','VP Marketing','Head of Sales Ops','Marketing Manager','Analyst','Student'])[1 + (g / 3) % 6],
               'department', (ARRAY['executive','marketing','sales','revenue_operations','engineering'])[1 + g % 5],
               'country', (ARRAY['US','GB','DE','FR','IN','BR'])[1 + g % 6],
               'technologies', to_jsonb((ARRAY['salesforce','hubspot','snowflake'])[1:1 + g % 3]),
               'budgetConfirmed', g % 4 = 0,
               'timeline', (ARRAY['now','this_quarter','this_year','later','unknown'])[1 + g % 5]),
             now() - make_interval(days => 1 + (g % 90)), now()
        FROM generate_series(1, ${LEADS}) g`);
      // No lead has a score yet, so there is no cached aggregate for the trigger to clear: skip it while
      // seeding (its transition table of 20 M rows would only make the setup minutes longer).
      await seed.query('ALTER TABLE activity DISABLE TRIGGER activity_inserted_forget_facts');
      await seed.query(`
      INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
      SELECT l.id,
             (ARRAY['page_view','page_view','page_view','email_open','email_open','email_click','pricing_page_view',
                    'content_download','webinar_registration','webinar_attendance','form_submission','demo_request',
                    'chat','unsubscribe','email_bounce'])[1 + (hashint4((l.id * 31 + a)::int) & 2147483647) % 15],
             now() - make_interval(mins => (hashint4((l.id * 17 + a)::int) & 2147483647) % (90 * 1440)),
             l.id || '-' || a, '{}'::jsonb
        FROM lead l CROSS JOIN generate_series(1, ${ACTIVITIES}) a`);
      await seed.query('ALTER TABLE activity ENABLE TRIGGER activity_inserted_forget_facts');
    });
    await app.dataSource.query('ANALYZE');
    console.log(`seeded in ${seconds(t).toFixed(1)} s`);

    const [active] = await app.services.ruleSets.activeRuleSets(app.dataSource.manager);

    // v1 for every lead (the state before a publish).
    t = process.hrtime.bigint();
    const initialJob = await app.dataSource.transaction((manager) =>
      app.services.rescore.createJob(manager, {
        ruleSetId: active.ruleSetId,
        versionId: active.versionId,
        createdBy: actor.name,
        isDefault: true,
        segments: [],
        claimedSegments: [],
      }),
    );
    spawnAll();
    await app.services.rescore.dispatch(initialJob);
    const first = await waitFor(initialJob);
    console.log(`initial scoring under v1: ${fmt(first.doneLeads)} leads in ${seconds(t).toFixed(1)} s`);
  }
  const [active] = await app.services.ruleSets.activeRuleSets(app.dataSource.manager);

  const publish = async (definition: RuleSetDefinition) => {
    const marketing = { name: 'user:m1@local', role: 'marketing' as const };
    const draft = await app.services.workflow.createDraft(marketing, { ruleSetKey: active.key, definition });
    await app.services.workflow.submitForReview(marketing, draft.id);
    await app.services.workflow.review({ name: 'user:m2@local', role: 'marketing' }, { versionId: draft.id, approve: true });
    await app.services.workflow.review({ name: 'user:s1@local', role: 'sales' }, { versionId: draft.id, approve: true });
    const backends = async (): Promise<number[]> =>
      (await app.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [dbName])).map((row: { pid: number }) => row.pid);
    const workerPids = workers.map((child) => child.pid ?? 0);
    // Per backend: connections opened during the job count from zero, and one that closed is left
    // out, rather than subtracting one set of processes from another.
    const serverBefore = new Map((await backends()).map((pid) => [pid, cpuMs([pid])]));
    const serverUsed = async () => (await backends()).reduce((sum, pid) => sum + cpuMs([pid]) - (serverBefore.get(pid) ?? 0), 0);
    const before = { workers: cpuMs(workerPids) };
    const started = process.hrtime.bigint();
    const { jobId } = await app.services.workflow.publish(actor, draft.id);
    const done = await waitFor(jobId);
    const took = seconds(started);
    const cpu = { workers: (cpuMs(workerPids) - before.workers) / 1000, server: (await serverUsed()) / 1000 };
    const [{ onVersion }] = await app.dataSource.query(
      // As the API reads the version (rows left unwritten read as the version they were carried to).
      `SELECT count(*)::int AS "onVersion" FROM lead_score s WHERE ${resolvedVersionSql('s').id} = $1`,
      [draft.id],
    );
    // The floors, a moment later on the same rows: read every lead and write as many changed score
    // rows in one statement; and, for the figure that aggregates activities again, one GROUP BY.
    const floorClient = new pg.Client({ connectionString: databaseUrl });
    await floorClient.connect();
    try {
      const write = await rescoreFloor(floorClient, done.changedLeads);
      const aggregate = await aggregationFloor(floorClient, definition);
      return { job: done, elapsed: took, onVersion, cpu, floors: { write, aggregate } };
    } finally {
      await floorClient.end();
    }
  };
  const writeFloorLabel = 'plain SQL: read every lead, write the changed score rows in one UPDATE';

  // v2: a realistic edit (points changed on two rules), through review and publish.
  const definition = structuredClone(active.definition) as RuleSetDefinition;
  definition.rules[0].event.params.points += 5;
  definition.rules[definition.rules.length - 1].event.params.points -= 3;
  const { job, elapsed, onVersion: onV2, cpu, floors } = await publish(definition);
  // Then a condition changed: no rule's fired state can be carried over, every lead is evaluated.
  const evaluated = values['no-evaluate']
    ? null
    : await (async () => {
        const changed = structuredClone(definition);
        const rule = changed.rules.find((candidate) => candidate.name === 'eng-returning-lead');
        const leaf = (rule?.conditions as { all?: Array<{ fact: string; value: unknown }> } | undefined)?.all?.find(
          (condition) => condition.fact === 'daysSinceCreated',
        );
        if (!leaf || typeof leaf.value !== 'number') throw new Error('default-b2b.json has no eng-returning-lead rule on daysSinceCreated');
        leaf.value = leaf.value === 180 ? 150 : 180;
        return publish(changed);
      })();
  const cold = values['no-cold']
    ? null
    : await (async () => {
        // v3: the same rules over a 28-day page-view window: no lead's cached aggregates apply.
        const changed = structuredClone(definition);
        const pageViews = changed.facts.find((fact) => fact.name === 'pageViews30d');
        if (pageViews?.source !== 'activity') throw new Error('default-b2b.json has no pageViews30d activity fact');
        pageViews.windowDays = 28;
        return publish(changed);
      })();

  // json-rules-engine lead by lead on a sample, for the ratio.
  const sampleSize = Math.min(5000, LEADS);
  const ids: Array<{ id: string }> = await app.dataSource.query(`SELECT id::text AS id FROM lead ORDER BY id LIMIT $1`, [sampleSize]);
  const query = buildFactsQuery(definition);
  const evaluator = new RuleSetEvaluator(definition);
  const asOf = new Date();
  t = process.hrtime.bigint();
  for (const { id } of ids) {
    const [row]: FactsRow[] = await app.dataSource.query(query.sql, query.params(asOf, [id]));
    const { fired } = await evaluator.evaluate(factsFromRow(definition, row, asOf));
    computeScore(definition, fired, daysInactive(row, asOf));
  }
  const naiveRate = sampleSize / seconds(t);

  const rate = job.doneLeads / elapsed;
  console.log('');
  console.log(
    `re-score after publish (v${job.version}): ${fmt(job.doneLeads)} leads, ${fmt(job.changedLeads)} changed, status ${job.status}`,
  );
  console.log(`  end to end: ${elapsed.toFixed(1)} s  = ${fmt(rate)} leads/s  (${WORKERS} worker processes, chunks ${job.totalChunks})`);
  console.log(
    `  leads on v${job.version} afterwards: ${fmt(onV2)} of ${fmt(LEADS)}; activity aggregates reused from each lead's cache (same activity facts as the version before)`,
  );
  console.log(
    `  points changed, conditions and facts the same: each lead's stored fired rules carried over where its row, cached aggregates and time-dependent facts are as when it was scored (carry-plan.ts)`,
  );
  console.log(
    `  CPU meanwhile: worker processes ${cpu.workers.toFixed(1)} s, PostgreSQL backends of the database ${cpu.server.toFixed(1)} s (${os.cpus().length} cores x ${elapsed.toFixed(1)} s = ${(os.cpus().length * elapsed).toFixed(1)} s)`,
  );
  if (evaluated) {
    const { job: e, elapsed: took, cpu: used } = evaluated;
    console.log(
      `re-score after publish (v${e.version}, a rule's condition changed: every lead evaluated, from its cached aggregates): ${fmt(e.doneLeads)} leads, ${fmt(e.changedLeads)} changed, status ${e.status}`,
    );
    console.log(
      `  end to end: ${took.toFixed(1)} s  = ${fmt(e.doneLeads / took)} leads/s; leads on v${e.version} afterwards: ${fmt(evaluated.onVersion)}`,
    );
    console.log(
      `  CPU meanwhile: worker processes ${used.workers.toFixed(1)} s, PostgreSQL backends of the database ${used.server.toFixed(1)} s`,
    );
  }
  if (cold) {
    console.log(
      `re-score after publish (v${cold.job.version}, an activity fact redefined: every lead's activities aggregated again): ${fmt(cold.job.doneLeads)} leads, ${fmt(cold.job.changedLeads)} changed, status ${cold.job.status}`,
    );
    console.log(
      `  end to end: ${cold.elapsed.toFixed(1)} s  = ${fmt(cold.job.doneLeads / cold.elapsed)} leads/s; leads on v${cold.job.version} afterwards: ${fmt(cold.onVersion)}`,
    );
  }
  console.log(
    `  json-rules-engine lead by lead (facts query + evaluate per lead, ${fmt(sampleSize)}-lead sample): ${fmt(naiveRate)} leads/s`,
  );
  console.log(`  -> ${(rate / naiveRate).toFixed(1)}x faster; lead by lead would take ${fmt(LEADS / naiveRate)} s for ${fmt(LEADS)} leads`);
  printFigure({
    figure: `re-score ${fmt(job.doneLeads)} leads after a points-only publish`,
    value: elapsed,
    unit: 's',
    floor: { label: writeFloorLabel, value: floors.write },
    targetRatio: 2,
  });
  if (evaluated) {
    printFigure({
      figure: `re-score ${fmt(evaluated.job.doneLeads)} leads, a condition changed`,
      value: evaluated.elapsed,
      unit: 's',
      floor: { label: writeFloorLabel, value: evaluated.floors.write },
      targetRatio: 2,
    });
  }
  if (cold) {
    printFigure({
      figure: `re-score ${fmt(cold.job.doneLeads)} leads, an activity fact redefined`,
      value: cold.elapsed,
      unit: 's',
      floor: {
        label: 'plain SQL: the write floor plus one GROUP BY lead_id over the activities',
        value: cold.floors.write + cold.floors.aggregate,
      },
      targetRatio: 2,
    });
  }
} finally {
  // Stopped gracefully (a profile asked for through WORKER_NODE_OPTIONS is written at exit), killed if they linger.
  await Promise.all(workers.map((child) => stopChild(child, 10_000)));
  await closeApp();
  if (values.keep || REUSE) console.log(`kept the scratch database ${dbName} (rerun with --reuse ${dbName})`);
  else await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
