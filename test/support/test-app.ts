import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../server/src/app';
import type { OidcConfig } from '../../server/src/auth/oidc/oidc-config';
import type { Principal, UserPrincipal } from '../../server/src/auth/principal';
import type { Clock } from '../../server/src/common/clock';
import { createLogger } from '../../server/src/common/logger';
import type { DatabaseConfig } from '../../server/src/db/database-config';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../../server/src/db/query-scope';
import { createApolloServer, createContext, startHttpServer, type HttpServer } from '../../server/src/http/http-server';
import type { WebhookOptions } from '../../server/src/webhooks/webhook.service';
import { cloneTemplateDatabase } from './own-database';

export interface TestApp {
  app: App;
  /** Runs a GraphQL operation in-process (same schema, context and error mapping as over HTTP), as the test admin. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Runs a GraphQL operation in-process as the given principal (null: without credentials). */
  gqlAs<T = Record<string, unknown>>(
    principal: Principal | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GqlResult<T>>;
  /** The test admin (a real admin user of this app's database). */
  admin: UserPrincipal;
  /** A session token of the test admin, for HTTP requests (`Authorization: Bearer <token>`). */
  adminToken(): Promise<string>;
  /** Starts the HTTP server on a free port (once) and returns it. */
  http(): Promise<HttpServer>;
  /** Runs SQL directly, to check what was (not) written. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface GqlError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; reason?: string; problems?: Array<{ path: string; message: string }>; [key: string]: unknown };
}

export interface GqlResult<T> {
  data?: T | null;
  errors?: GqlError[];
}

/**
 * A fresh app on a database of its own: in-memory PGlite by default; with DATABASE_URL, a clone of
 * the migrated template that is dropped on close.
 */
export interface TestAppOptions {
  /** Run this process's job workers (re-score chunks after a publish), as the service does. */
  workers?: boolean;
  publishRoles?: string[];
  /** Webhook receivers allowed (tests' receivers listen on 127.0.0.1) and how host names resolve; public only by default. */
  webhooks?: WebhookOptions;
  /** The app's clock (sessions, API key expiry, sign-in throttling); the system clock by default. */
  clock?: Clock;
  /** Statement timeouts (PostgreSQL only; PGlite does not enforce them); the defaults otherwise. */
  queryLimits?: Partial<QueryLimits>;
  /** Single sign-on (test/sso*.test.ts); off by default, whatever OIDC_* says. */
  oidc?: OidcConfig | null;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const adminUrl = process.env.DATABASE_URL;
  let database: DatabaseConfig = { kind: 'embedded' };
  let dropDatabase: (() => Promise<void>) | null = null;
  if (adminUrl) {
    const clone = await cloneTemplateDatabase(adminUrl);
    database = { kind: 'postgres', url: clone.url, limits: { ...DEFAULT_QUERY_LIMITS, ...options.queryLimits } };
    dropDatabase = clone.drop;
  }
  const app = await createApp({
    database,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    publishRoles: options.publishRoles,
    webhooks: options.webhooks,
    clock: options.clock,
    oidc: options.oidc ?? null,
  });
  if (options.workers) await app.startWorkers();
  const apollo = createApolloServer(app, { production: false });
  await apollo.start();
  let httpServer: HttpServer | null = null;

  const adminPassword = randomBytes(12).toString('hex');
  const adminUser = await app.services.auth.createUser({
    email: 'admin@test.local',
    name: 'Test Admin',
    role: 'admin',
    password: adminPassword,
  });
  const admin: UserPrincipal = { kind: 'user', userId: adminUser.id, email: adminUser.email, name: adminUser.name, role: 'admin' };
  let adminToken: Promise<string> | null = null;

  async function gqlAs<T>(principal: Principal | null, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
    const response = await apollo.executeOperation<T>({ query, variables }, { contextValue: createContext(app, principal) });
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not used');
    return response.body.singleResult as GqlResult<T>;
  }

  return {
    app,
    gql: (query, variables) => gqlAs(admin, query, variables),
    gqlAs,
    admin,
    adminToken() {
      adminToken ??= app.services.auth.signIn(admin.email, adminPassword).then((session) => session.token);
      return adminToken;
    },
    async http() {
      httpServer ??= await startHttpServer(app, { port: 0, host: '127.0.0.1', production: false });
      return httpServer;
    },
    sql: (text, params) => app.dataSource.query(text, params),
    async close() {
      await apollo.stop();
      if (httpServer) await httpServer.close();
      await app.close();
      await dropDatabase?.();
    },
  };
}
