/**
 * A worker killed in the middle of a re-score (PostgreSQL only): two worker processes
 * (`server/src/worker.ts`) share the job, one is SIGKILLed while it holds a chunk, the other finishes,
 * and every lead ends up scored exactly once under the new version.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, type App } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import { REPO_ROOT } from '../server/src/common/paths';
import { RESCORE_CHUNK_SIZE } from '../server/src/scoring/rescore/rescore.service';
import type { Actor } from '../server/src/auth/actor';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { withDatabase } from './support/global-setup';

const adminUrl = process.env.DATABASE_URL;
const LEADS = 30_000;
const BUMPED_RULE = 'fit-target-industry';

if (!adminUrl)
  console.info('test/fault.test.ts skipped: it needs PostgreSQL (set DATABASE_URL) to run worker processes against one database');

interface Worker {
  child: ChildProcess;
  name: string;
  ready: Promise<void>;
  output: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!adminUrl)('re-score with a worker killed mid-job (PostgreSQL only; skipped without DATABASE_URL)', () => {
  const dbName = `ls_fault_${randomBytes(5).toString('hex')}`;
  let databaseUrl: string;
  let app: App | null = null;
  const workers: Worker[] = [];

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  const sql = <T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> => app!.dataSource.query(text, params);

  /** `npm run worker` against the scratch database; resolves `ready` once it logs "worker ready". */
  function spawnWorker(): Worker {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/worker.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${child.pid} not ready after 60 s:\n${output.join('')}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.join('').includes('"worker ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before it was ready:\n${output.join('')}`));
      });
    });
    ready.catch(() => undefined); // awaited below; an early exit after readiness is not an error here
    return { child, name: '', ready, output };
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName} TEMPLATE ${inject('templateDatabase')}`);
    databaseUrl = withDatabase(adminUrl!, dbName);
    // This process publishes and watches; it runs no job workers.
    app = await createApp({
      database: { kind: 'postgres', url: databaseUrl },
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    });

    // Every lead works in a target industry, so raising that rule's points changes every lead's score;
    // the rest varies, with fit well under its cap.
    await sql(`
      INSERT INTO lead (external_id, email, attributes)
      SELECT 'f-' || g, 'p' || g || '@corp' || (g % 997) || '.com',
             jsonb_build_object(
               'industry', 'software',
               'companySize', (ARRAY[5, 40, 180, 600, 2500, 12000])[1 + g % 6],
               'seniority', (ARRAY['c_level','vp','director','manager','individual_contributor'])[1 + (g / 6) % 5],
               'department', (ARRAY['executive','marketing','sales','engineering'])[1 + g % 4],
               'country', (ARRAY['US','GB','DE','BR'])[1 + (g / 3) % 4])
        FROM generate_series(1, ${LEADS}) g`);
    await sql(`
      INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
      SELECT l.id, (ARRAY['page_view','pricing_page_view','email_click','webinar_attendance','demo_request'])[1 + (l.id % 5)::int],
             now() - make_interval(hours => (l.id % 500)::int), 'f-evt-' || l.id || '-' || a, '{}'::jsonb
        FROM lead l CROSS JOIN generate_series(1, 2) a
       WHERE l.id % 10 = 0`);
    await sql('ANALYZE');
    const scored = await app.services.scorePass.runDecayPass(new Date());
    expect(scored.leadsScored).toBe(LEADS);
  }, 300_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await Promise.all(
      workers.map((worker) =>
        worker.child.exitCode === null && worker.child.signalCode === null
          ? new Promise((resolve) => worker.child.once('exit', resolve))
          : null,
      ),
    );
    await app?.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }, 120_000);

  it('both workers claim chunks; one is SIGKILLed mid-job; the other finishes; every lead is scored once under the new version', async () => {
    const [active] = await app!.services.ruleSets.activeRuleSets(app!.dataSource.manager);
    const [{ onV1 }] = await sql<{ onV1: number }>('SELECT count(*)::int AS "onV1" FROM lead_score WHERE rule_set_version_id = $1', [
      active.versionId,
    ]);
    expect(onV1).toBe(LEADS);

    workers.push(spawnWorker(), spawnWorker());
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.name = `:${worker.child.pid}`;

    // v2 through the real workflow: a marketer edits, the other side reviews, an admin publishes.
    const definition = structuredClone(active.definition) as RuleSetDefinition;
    const rule = definition.rules.find((candidate) => candidate.name === BUMPED_RULE)!;
    rule.event.params.points += 1;
    const { workflow } = app!.services;
    const author: Actor = { name: 'user:author@fault.test', role: 'marketing' };
    const draft = await workflow.createDraft(author, { ruleSetKey: active.key, definition, note: 'one more point for target industries' });
    await workflow.submitForReview(author, draft.id);
    await workflow.review({ name: 'user:reviewer@fault.test', role: 'marketing' }, { versionId: draft.id, approve: true });
    await workflow.review({ name: 'user:sales@fault.test', role: 'sales' }, { versionId: draft.id, approve: true });
    const { jobId } = await workflow.publish({ name: 'user:admin@fault.test', role: 'admin' }, draft.id);
    const totalChunks = Math.ceil(LEADS / RESCORE_CHUNK_SIZE);

    // Wait until both workers have finished a chunk, then kill one of them while chunks remain.
    const deadline = Date.now() + 60_000;
    let victim: Worker | null = null;
    let doneAtKill = 0;
    while (!victim) {
      if (Date.now() > deadline)
        throw new Error(`both workers never finished a chunk:\n${workers.map((worker) => worker.output.join('')).join('\n')}`);
      const chunks = await sql<{ worker: string | null }>('SELECT worker FROM rescore_chunk WHERE job_id = $1 AND done_at IS NOT NULL', [
        jobId,
      ]);
      const done = chunks.length;
      const byWorker = workers.map((worker) => chunks.filter((chunk) => chunk.worker?.endsWith(worker.name)).length);
      if (byWorker.every((count) => count > 0)) {
        expect(done, 'the job finished before both workers could be seen working; too few leads for this machine?').toBeLessThan(
          totalChunks,
        );
        victim = workers[byWorker[0] >= byWorker[1] ? 0 : 1]; // the one further along: it holds its next chunk now
        const [{ inFlight }] = await sql<{ inFlight: number }>(
          `SELECT count(*)::int AS "inFlight" FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()`,
        );
        victim.child.kill('SIGKILL');
        doneAtKill = done;
        console.log(
          `fault: killed worker pid ${victim.child.pid} with ${done}/${totalChunks} chunks done (${inFlight} transactions open on the database)`,
        );
      } else {
        await sleep(25);
      }
    }
    expect(doneAtKill).toBeGreaterThan(0);
    expect(doneAtKill).toBeLessThan(totalChunks);
    const survivor = workers.find((worker) => worker !== victim)!;
    await new Promise<void>((resolve) =>
      victim!.child.exitCode !== null || victim!.child.signalCode !== null ? resolve() : victim!.child.once('exit', () => resolve()),
    );
    expect(victim.child.signalCode).toBe('SIGKILL');

    // The survivor finishes the job, the killed worker's chunk included.
    const finishBy = Date.now() + 90_000;
    let job = await app!.services.rescore.getJob(jobId);
    while (job.status === 'running' && Date.now() < finishBy) {
      await sleep(100);
      job = await app!.services.rescore.getJob(jobId);
    }
    expect(job, survivor.output.join('')).toMatchObject({
      status: 'completed',
      totalLeads: LEADS,
      doneLeads: LEADS,
      totalChunks,
      doneChunks: totalChunks,
      changedLeads: LEADS,
      error: null,
    });
    expect(survivor.child.exitCode).toBeNull(); // still running

    const chunks = await sql<{ chunkNo: number; worker: string; done: boolean }>(
      'SELECT chunk_no AS "chunkNo", worker, done_at IS NOT NULL AS done FROM rescore_chunk WHERE job_id = $1 ORDER BY chunk_no',
      [jobId],
    );
    expect(chunks).toHaveLength(totalChunks);
    expect(chunks.every((chunk) => chunk.done)).toBe(true);
    // Both claimed chunks: two distinct workers, and the killed one finished only what it had done before it died.
    expect(new Set(chunks.map((chunk) => chunk.worker)).size).toBe(2);
    const byVictim = chunks.filter((chunk) => chunk.worker.endsWith(victim!.name)).length;
    const bySurvivor = chunks.filter((chunk) => chunk.worker.endsWith(survivor.name)).length;
    expect(byVictim).toBeGreaterThan(0);
    expect(byVictim).toBeLessThanOrEqual(doneAtKill);
    expect(byVictim + bySurvivor).toBe(totalChunks);

    // Every lead scored exactly once under the new version.
    const [scores] = await sql<{ leads: number; onV2: number; other: number }>(
      `SELECT count(*)::int AS leads, count(*) FILTER (WHERE rule_set_version_id = $1)::int AS "onV2",
              count(*) FILTER (WHERE rule_set_version_id <> $1)::int AS other FROM lead_score`,
      [draft.id],
    );
    expect(scores).toEqual({ leads: LEADS, onV2: LEADS, other: 0 });
    const [history] = await sql<{ entries: number; leads: number; plusOne: number; onV2: number }>(
      `SELECT count(*)::int AS entries, count(DISTINCT lead_id)::int AS leads,
              count(*) FILTER (WHERE new_fit = old_fit + 1 AND new_total = old_total + 1)::int AS "plusOne",
              count(*) FILTER (WHERE rule_set_version_id = $1)::int AS "onV2"
         FROM score_history WHERE cause = 'rule_set_published'`,
      [draft.id],
    );
    expect(history).toEqual({ entries: LEADS, leads: LEADS, plusOne: LEADS, onV2: LEADS });
    const duplicates = await sql(
      `SELECT lead_id FROM score_history WHERE cause = 'rule_set_published' GROUP BY lead_id HAVING count(*) > 1 LIMIT 5`,
    );
    expect(duplicates).toEqual([]);
  }, 240_000);
});
