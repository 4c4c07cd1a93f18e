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
import { GraphQLError } from 'graphql';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { isConnectionLost, retryOnConnectionLoss } from '../server/src/db/connection-loss';
import { createErrorFormatter, DATABASE_UNAVAILABLE_MESSAGE } from '../server/src/graphql/format-error';
import { withDatabase } from './support/global-setup';
import { createTestApp, type TestApp } from './support/test-app';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl)
  console.info("test/resilience.test.ts skipped: it needs PostgreSQL (set DATABASE_URL) to terminate the service's connections");

async function adminQuery<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function post(
  url: string,
  token: string,
  query: string,
): Promise<{
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> };
}> {
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
    const upsert = (n: number) =>
      `mutation { upsertLead(input: { externalId: "restart-${n}", email: "r${n}@acme.io", attributes: { industry: "software" } }) { id score { total } } }`;
    expect((await post(http.graphqlUrl, token, upsert(1))).body.errors).toBeUndefined();

    const [{ current_database: database }] = await t.sql<{ current_database: string }>('SELECT current_database()');
    const killed = await adminQuery<{ pid: number }>(
      `WITH target AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid())
       SELECT pid FROM target WHERE pg_terminate_backend(pid)`,
      [database],
    );
    expect(killed.length).toBeGreaterThan(0);

    // Requests sent at once, while the pool still holds the closed connections: authentication
    // retries its read on a fresh connection; a statement that still meets a closed one fails
    // cleanly with SERVICE_UNAVAILABLE (never an internal error, a stack trace or SQL).
    const burst = await Promise.all([2, 3, 4, 5, 6].map((n) => post(http.graphqlUrl, token, upsert(n))));
    const failed: number[] = [];
    burst.forEach(({ status, body }, index) => {
      if (!body.errors) {
        expect(status).toBe(200);
        return;
      }
      failed.push(index + 2);
      expect([200, 503]).toContain(status);
      expect(body.errors[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(body.errors)).not.toMatch(/terminat|SQL|at .*\.ts:/i);
    });
    // A client retries what failed; by then the pool has reconnected.
    for (const n of failed) expect((await post(http.graphqlUrl, token, upsert(n))).body.errors).toBeUndefined();

    // Later requests work, reads and writes, and readiness reports the database reachable.
    expect((await post(http.graphqlUrl, token, upsert(7))).body.errors).toBeUndefined();
    const read = await post(http.graphqlUrl, token, '{ leads(first: 10, filter: { search: "restart-" }) { totalCount } }');
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ leads: { totalCount: 7 } });
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200);
  });
});

describe.skipIf(!adminUrl)('idempotent reads on a closed connection (PostgreSQL only)', () => {
  it('recognises the errors of a terminated connection, retries reads on them and nothing else', async () => {
    // The real errors: a statement running when its backend is terminated, and the next use of that client.
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    client.on('error', () => undefined);
    const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    const running = client.query('SELECT pg_sleep(30)').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
    const terminated = await running;
    const reused = await client.query('SELECT 1').catch((error: unknown) => error);
    expect(terminated).toMatchObject({ code: '57P01' });
    expect(isConnectionLost(terminated)).toBe(true);
    expect(isConnectionLost(reused)).toBe(true);
    expect(isConnectionLost({ message: 'wrapped', driverError: terminated })).toBe(true); // TypeORM's QueryFailedError

    // What a client sees when a resolver meets it: a retryable code, no SQL, no driver message.
    const format = createErrorFormatter(pino({ level: 'silent' }));
    const formatted = format(
      { message: (terminated as Error).message, path: ['upsertLead'] },
      new GraphQLError((terminated as Error).message, { originalError: terminated as Error }),
    );
    expect(formatted).toMatchObject({
      message: DATABASE_UNAVAILABLE_MESSAGE,
      path: ['upsertLead'],
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });

    const pool = new pg.Pool({ connectionString: adminUrl, max: 2 });
    try {
      let calls = 0;
      const read = () => (++calls === 1 ? Promise.reject(terminated) : pool.query<{ one: number }>('SELECT 1 AS one'));
      expect((await retryOnConnectionLoss(read)).rows).toEqual([{ one: 1 }]);
      expect(calls).toBe(2);

      // An error in the statement itself is thrown at once; a connection that stays lost, after three tries.
      calls = 0;
      await expect(
        retryOnConnectionLoss(() => {
          calls++;
          return pool.query('SELECT 1 / 0');
        }),
      ).rejects.toThrow(/division by zero/);
      expect(calls).toBe(1);
      calls = 0;
      await expect(
        retryOnConnectionLoss(() => {
          calls++;
          return Promise.reject(reused);
        }),
      ).rejects.toBe(reused);
      expect(calls).toBe(3);
      expect(isConnectionLost(new Error('relation "x" does not exist'))).toBe(false);
    } finally {
      await pool.end();
    }
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

describe.skipIf(!adminUrl)('a connection lost at COMMIT or before it (PostgreSQL only)', () => {
  const LOCK = 913_013;
  let t: TestApp;
  let holder: pg.Client;
  let database: string;

  beforeAll(async () => {
    t = await createTestApp();
    [{ current_database: database }] = await t.sql<{ current_database: string }>('SELECT current_database()');
    holder = new pg.Client({ connectionString: withDatabase(adminUrl!, database) });
    await holder.connect();
    // The service's statement waits on a lock the test holds: at COMMIT (a deferred constraint
    // trigger) or in the INSERT itself (a plain trigger). The test then ends that backend.
    await t.sql(
      `CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(${LOCK}); RETURN NULL; END $$`,
    );
    await t.sql(`CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON lead DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                 WHEN (NEW.external_id LIKE 'at-commit-%') EXECUTE FUNCTION wait_for_test()`);
    await t.sql(
      `CREATE TRIGGER in_statement AFTER INSERT ON lead FOR EACH ROW WHEN (NEW.external_id LIKE 'in-statement-%') EXECUTE FUNCTION wait_for_test()`,
    );
    await t.sql(
      `CREATE TRIGGER on_revoke AFTER UPDATE ON api_key FOR EACH ROW WHEN (NEW.name LIKE 'autocommit-%') EXECUTE FUNCTION wait_for_test()`,
    );
  });
  afterAll(async () => {
    await holder?.end();
    await t?.close();
  });

  /** The backend of this database waiting for the test's lock, once it waits. */
  async function waitingBackend(): Promise<{ pid: number; query: string }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await adminQuery<{ pid: number; query: string }>(
        `SELECT a.pid, a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objid = $1 AND a.datname = $2`,
        [LOCK, database],
      );
      if (rows.length) return rows[0];
      if (Date.now() > deadline) throw new Error('no backend waits for the lock');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async function loseConnectionWhileWaiting(
    externalId: string,
    mutation = `mutation { upsertLead(input: { externalId: "${externalId}", attributes: { industry: "software" } }) { id } }`,
  ) {
    const http = await t.http();
    const token = await t.adminToken();
    await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);
    try {
      const reply = post(http.graphqlUrl, token, mutation);
      const backend = await waitingBackend();
      await adminQuery('SELECT pg_terminate_backend($1)', [backend.pid]);
      return { backend, reply: await reply };
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [LOCK]);
    }
  }

  it('lost during COMMIT: SERVICE_UNAVAILABLE, reason OUTCOME_UNKNOWN, saying the change may or may not be written', async () => {
    const { backend, reply } = await loseConnectionWhileWaiting('at-commit-1');
    expect(backend.query).toBe('COMMIT');
    expect(reply.body.errors).toHaveLength(1);
    const [error] = reply.body.errors!;
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'OUTCOME_UNKNOWN' });
    expect(error.message).toMatch(/may or may not have been written.*Read it back, or retry with the same idempotency key/);
    expect(JSON.stringify(reply.body.errors)).not.toMatch(/terminat|SQL|at .*\.ts:/i);
  });

  it('lost before COMMIT was sent: SERVICE_UNAVAILABLE, reason NOT_WRITTEN, and nothing was written', async () => {
    const { backend, reply } = await loseConnectionWhileWaiting('in-statement-1');
    expect(backend.query).toMatch(/^\s*INSERT INTO lead/);
    const [error] = reply.body.errors!;
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'NOT_WRITTEN' });
    expect(error.message).toMatch(/retry the request shortly/);
    expect(await t.sql(`SELECT id FROM lead WHERE external_id = 'in-statement-1'`)).toEqual([]);
    // The retry the message asks for succeeds.
    const retried = await post(
      (await t.http()).graphqlUrl,
      await t.adminToken(),
      'mutation { upsertLead(input: { externalId: "in-statement-1" }) { externalId } }',
    );
    expect(retried.body).toEqual({ data: { upsertLead: { externalId: 'in-statement-1' } } });
  });

  it('lost in a write outside a transaction (it commits by itself): OUTCOME_UNKNOWN', async () => {
    const key = await t.app.services.auth.createApiKey({ name: 'autocommit-1', scopes: ['scores:read'] });
    const { backend, reply } = await loseConnectionWhileWaiting('', `mutation { revokeApiKey(id: "${key.apiKey.id}") { id } }`);
    expect(backend.query).toMatch(/^UPDATE api_key/);
    expect(reply.body.errors?.[0].extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'OUTCOME_UNKNOWN' });
  });
});
