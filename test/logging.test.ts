/**
 * Log lines carry no SQL parameter, secret, token or password hash: failed statements are logged by
 * what failed (code, message, statement), never with the values they were sent or that PostgreSQL
 * quotes back in its message or detail.
 */
import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import { createErrorFormatter } from '../server/src/graphql/format-error';
import { createApolloServer, createContext, startHttpServer, type HttpServer } from '../server/src/http/http-server';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let lines: string[];
let logger: Logger;
/** The test app with its log written to `lines`. */
let logged: App;

const logText = () => lines.join('');
const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  t = await createTestApp();
  lines = [];
  logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  logged = { ...t.app, logger };
});
afterAll(async () => {
  await t?.close();
});

/** A real failed parameterised statement (TypeORM's QueryFailedError over the driver's error). */
async function failedQuery(sql: string, params: unknown[]): Promise<Error> {
  const error = await t.app.dataSource.query(sql, params).then(
    () => null,
    (failure: unknown) => failure as Error,
  );
  expect(error, sql).toBeInstanceOf(Error);
  return error!;
}

describe('errors of failed statements', () => {
  it('keep the code, message and statement, drop the parameters, the quoted value and the detail', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const passwordHash = `scrypt$16384$8$1$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;

    // The value comes back in the message: `invalid input syntax for type integer: "whsec_..."`.
    const badCast = await failedQuery('SELECT $1::int AS n, $2::text AS hash', [secret, passwordHash]);
    expect(badCast.message).toContain(secret);
    // The value comes back in the detail: `Key (email)=(...) already exists`.
    const token = randomBytes(16).toString('hex');
    await t.sql(`INSERT INTO app_user (email, name, role, password_hash) VALUES ($1, 'First', 'viewer', $2)`, [
      `${token}@acme.io`,
      passwordHash,
    ]);
    const duplicate = await failedQuery(`INSERT INTO app_user (email, name, role, password_hash) VALUES ($1, 'Second', 'viewer', $2)`, [
      `${token}@acme.io`,
      passwordHash,
    ]);
    expect((duplicate as Error & { detail?: string }).detail).toContain(token);

    lines.length = 0;
    const format = createErrorFormatter(logger);
    for (const error of [badCast, duplicate])
      format({ message: error.message, path: ['createUser'] }, new GraphQLError(error.message, { originalError: error }));
    logger.error({ err: duplicate }, 'logged directly');
    logger.error(badCast);

    expect(lines).toHaveLength(4);
    expect(logText()).not.toContain(secret);
    expect(logText()).not.toContain(token);
    expect(logText()).not.toContain(passwordHash.split('$')[4]);
    expect(logText()).not.toMatch(/"(parameters|detail|where|driverError|client)"/);
    const [castLine, duplicateLine] = entries() as Array<{ err: Record<string, unknown>; errorId: string; msg: string }>;
    expect(castLine).toMatchObject({ level: 50, msg: 'internal error while executing GraphQL', errorId: expect.any(String) });
    expect(castLine.err).toMatchObject({
      type: 'QueryFailedError',
      code: '22P02',
      message: 'invalid input syntax for type integer: "<redacted>"',
      query: 'SELECT $1::int AS n, $2::text AS hash',
    });
    expect(castLine.err.stack).toMatch(/^QueryFailedError: invalid input syntax for type integer: "<redacted>"\n\s+at /);
    expect(duplicateLine.err).toMatchObject({
      type: 'QueryFailedError',
      code: '23505',
      table: 'app_user',
      constraint: expect.stringMatching(/email/),
      message: expect.stringMatching(/^duplicate key value violates unique constraint/),
    });
  });

  it('an internal error in a GraphQL mutation logs no parameter: not the password hash, not the e-mail', async () => {
    // A failure only the database knows about, quoting the row back in its detail as constraint errors do.
    await t.sql(`CREATE FUNCTION refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION 'storage refused the row' USING ERRCODE = '58030', DETAIL = 'row: ' || NEW.email || ' ' || NEW.password_hash; END $$`);
    await t.sql('CREATE TRIGGER refuse_user BEFORE INSERT ON app_user FOR EACH ROW EXECUTE FUNCTION refuse_user()');
    const apollo = createApolloServer(logged, { production: false });
    await apollo.start();
    try {
      const email = `hidden-${randomBytes(6).toString('hex')}@acme.io`;
      const password = `pw-${randomBytes(12).toString('hex')}`;
      lines.length = 0;
      const response = await apollo.executeOperation(
        {
          query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
          variables: { input: { email, name: 'Hidden Hilda', role: 'VIEWER', password } },
        },
        { contextValue: createContext(t.app, t.admin, 'req-logging-1') },
      );
      const result = response.body.kind === 'single' ? response.body.singleResult : null;
      const [error] = result?.errors ?? [];
      expect(error?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', errorId: expect.any(String) });
      expect(error?.message).toBe(`Internal error (id ${String(error?.extensions?.errorId)}); it has been logged.`);

      const line = entries().find((entry) => entry.errorId === error?.extensions?.errorId) as { err: Record<string, unknown> } | undefined;
      expect(line?.err).toMatchObject({ code: '58030', message: 'storage refused the row' });
      for (const leaked of [email, password, 'scrypt$', 'Hidden Hilda', 'row: ']) expect(logText()).not.toContain(leaked);
      expect(logText()).not.toMatch(/"(parameters|detail|where)"/);
    } finally {
      await apollo.stop();
      await t.sql('DROP TRIGGER refuse_user ON app_user');
      await t.sql('DROP FUNCTION refuse_user()');
    }
  });
});

describe('fields named like credentials', () => {
  it('are redacted wherever a log call puts them', () => {
    lines.length = 0;
    logger.info(
      {
        token: 'tok-top',
        headers: { authorization: 'Bearer tok-header', 'x-api-key': 'lsk_header', accept: 'application/json' },
        user: { email: 'kept@acme.io', password: 'pw-nested', passwordHash: 'scrypt$nested' },
        endpoint: { webhook: { secret: 'whsec_deep' } },
      },
      'credentials everywhere',
    );
    const [entry] = entries();
    expect(entry).toMatchObject({
      token: '[redacted]',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'application/json' },
      user: { email: 'kept@acme.io', password: '[redacted]', passwordHash: '[redacted]' },
      endpoint: { webhook: { secret: '[redacted]' } },
    });
    expect(logText()).not.toMatch(/tok-top|tok-header|lsk_header|pw-nested|scrypt\$nested|whsec_deep/);
  });
});

describe('the request id', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(logged, { port: 0, host: '127.0.0.1', production: false });
  });
  afterAll(async () => {
    await server?.close();
    server?.server.close();
  });

  it("a client's x-request-id is logged when it is a plausible id; anything else is replaced by a fresh one", async () => {
    const token = await t.adminToken();
    const requestIds: string[] = [];
    for (const requestId of ['trace-0af7651916cd43dd8448eb211c80319c', 'x'.repeat(129), 'spaces are not ids', 'caf\u00e9-id']) {
      lines.length = 0;
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
        body: JSON.stringify({ query: '{ me { actor } }' }),
      });
      expect(response.status).toBe(200);
      const line = entries().find((entry) => entry.msg === 'graphql request');
      requestIds.push(String(line?.requestId));
    }
    expect(requestIds[0]).toBe('trace-0af7651916cd43dd8448eb211c80319c');
    for (const replaced of requestIds.slice(1)) expect(replaced).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('graphql_errors_total', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(logged, { port: 0, host: '127.0.0.1', production: false });
  });
  afterAll(async () => {
    await server?.close();
    server?.server.close();
  });

  async function errorCounts(): Promise<Record<string, number>> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Object.fromEntries(
      [...text.matchAll(/^graphql_errors_total\{code="([A-Z_]+)"\} (\d+)$/gm)].map(([, code, value]) => [code, Number(value)]),
    );
  }

  it('counts errors by the code the client receives: FORBIDDEN and NOT_FOUND, not INTERNAL_SERVER_ERROR', async () => {
    await t.app.services.auth.createUser({
      email: 'metrics-viewer@acme.io',
      name: 'Metrics Viewer',
      role: 'viewer',
      password: 'viewer-password-1',
    });
    const viewer = (await t.app.services.auth.signIn('metrics-viewer@acme.io', 'viewer-password-1')).token;
    const admin = await t.adminToken();
    const post = async (token: string, query: string) => {
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      return ((await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.map(
        (error) => error.extensions?.code,
      );
    };

    const before = await errorCounts();
    expect(await post(viewer, 'mutation { upsertLead(input: { externalId: "metrics-1" }) { id } }')).toEqual(['FORBIDDEN']);
    expect(await post(admin, '{ ruleSet(key: "no-such-rules") { id } }')).toEqual(['NOT_FOUND']);
    expect(await post(admin, '{ ruleSet(key: "no-such-rules") { id } }')).toEqual(['NOT_FOUND']);
    const after = await errorCounts();

    const delta = (code: string) => (after[code] ?? 0) - (before[code] ?? 0);
    expect(delta('FORBIDDEN')).toBe(1);
    expect(delta('NOT_FOUND')).toBe(2);
    expect(delta('INTERNAL_SERVER_ERROR')).toBe(0);
  });
});
