/**
 * Database restarts and graceful shutdown (PostgreSQL only: PGlite lives inside the process).
 *
 * - Every connection of the service is terminated by the server (what a PostgreSQL restart or
 *   failover does to clients): the API reconnects and keeps answering; `/readyz` says so.
 * - SIGTERM while a request is in flight: the request still gets its answer, new connections are
 *   refused, and the process exits 0.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { withDatabase } from './support/global-setup';
import { createTestApp, type TestApp } from './support/test-app';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) console.info('test/resilience.test.ts skipped: it needs PostgreSQL (set DATABASE_URL) to terminate the service\'s connections');

async function adminQuery<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function post(url: string, token: string, query: string): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

describe.skipIf(!adminUrl)('database restarts (PostgreSQL only; skipped without DATABASE_URL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reconnects after the server drops every connection, and keeps serving', async () => {
    const http = await t.http();
    const token = await t.adminToken();
    const upsert = (n: number) => `mutation { upsertLead(input: { externalId: "restart-${n}", email: "r${n}@acme.io", attributes: { industry: "software" } }) { id score { total } } }`;
    expect((await post(http.graphqlUrl, token, upsert(1))).body.errors).toBeUndefined();

    const [{ current_database: database }] = await t.sql<{ current_database: string }>('SELECT current_database()');
    const killed = await adminQuery<{ pid: number }>(
      `WITH target AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid())
       SELECT pid FROM target WHERE pg_terminate_backend(pid)`,
      [database],
    );
    expect(killed.length).toBeGreaterThan(0);

    // A request that was handed a connection the server had just closed may fail once, cleanly;
    // within a few attempts the pool has reconnected.
    const failures: string[] = [];
    let ok = false;
    for (let attempt = 0; attempt < 10 && !ok; attempt++) {
      const { status, body } = await post(http.graphqlUrl, token, upsert(2));
      expect(status).toBeLessThan(500);
      if (body.errors) {
        failures.push(body.errors[0].message);
        expect(JSON.stringify(body.errors)).not.toMatch(/terminat|SQL|at .*\.ts:/i);
        await new Promise((resolve) => setTimeout(resolve, 200));
      } else ok = true;
    }
    expect(ok, `still failing after 10 attempts: ${failures.join(' | ')}`).toBe(true);
    expect(failures.length).toBeLessThanOrEqual(2);

    // Every later request works, reads and writes, and readiness reports the database reachable.
    for (let n = 3; n < 8; n++) expect((await post(http.graphqlUrl, token, upsert(n))).body.errors).toBeUndefined();
    const read = await post(http.graphqlUrl, token, '{ leads(first: 10, filter: { search: "restart-" }) { totalCount } }');
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ leads: { totalCount: 7 } });
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200);
  });
});

describe.skipIf(!adminUrl)('graceful shutdown (PostgreSQL only; skipped without DATABASE_URL)', () => {
  const dbName = `ls_shutdown_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${dbName} TEMPLATE ${inject('templateDatabase')}`);
  });
  afterAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('answers the request in flight on SIGTERM, refuses new ones, and exits 0', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--demo'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: withDatabase(adminUrl!, dbName), PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const graphqlUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service not ready after 90 s:\n${output.join('')}`)), 90_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        const match = /GraphQL API: (http:\/\/\S+)/.exec(output.join(''));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void exited.then((code) => reject(new Error(`service exited (${code}) before it was ready:\n${output.join('')}`)));
    });

    const signIn = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { signIn(email: "admin@demo.local", password: "demo-password") { token } }' }),
    });
    const token = ((await signIn.json()) as { data: { signIn: { token: string } } }).data.signIn.token;

    // A long request: the decay pass re-scores every demo lead inside the request.
    const inFlight = post(graphqlUrl, token, 'mutation { runDecayPass { leadsScored } }');
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');

    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.errors).toBeUndefined();
    expect((answered.body.data as { runDecayPass: { leadsScored: number } }).runDecayPass.leadsScored).toBeGreaterThan(1000);
    expect(await exited).toBe(0);
    await expect(fetch(graphqlUrl, { method: 'POST' })).rejects.toThrow();
    expect(output.join('')).toContain('draining requests and jobs');
  });
});
