import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import type { App } from '../app';
import type { Principal } from '../auth/principal';
import { requireAuthenticationPlugin } from '../auth/require-authentication.plugin';
import { UnauthenticatedError } from '../common/errors';
import { isConnectionLost } from '../db/connection-loss';
import { runInRequestScope } from '../db/query-scope';
import type { GraphQLContext } from '../graphql/context';
import { backtestExportRoute } from './backtest-export-route';
import { trackingRoutes } from '../ingestion/tracking-routes';
import { leadExportRoute } from './lead-export-route';
import { oidcRoutes } from './oidc-routes';
import { createErrorFormatter, DATABASE_UNAVAILABLE_MESSAGE } from '../graphql/format-error';
import { liveOriginsFromEnv } from '../live/live.service';
import { LiveServer } from '../live/live-server';
import { inputHygienePlugin, requestIdFrom } from '../graphql/input-hygiene';
import { armorProtections, complexityPlugin, parseOptions, rateLimitPlugin } from '../graphql/limits';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.plugin';
import { registry } from '../observability/metrics';

export const HTTP_LIMITS = { maxBodyBytes: '1mb' } as const;

export interface HttpServer {
  url: string;
  graphqlUrl: string;
  server: http.Server;
  close(): Promise<void>;
}

export interface HttpOptions {
  port: number;
  host: string;
  production: boolean;
  rateLimit?: { points: number; durationSeconds: number };
}

function jsonError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** The Apollo server over the app's schema; used over HTTP and, in tests, in-process. */
export interface ApolloOptions {
  production: boolean;
  httpServer?: http.Server;
  /** Requests per caller per window; off when absent (in-process tests). */
  rateLimit?: { points: number; durationSeconds: number };
}

export function createApolloServer(app: App, options: ApolloOptions): ApolloServer<GraphQLContext> {
  const armor = armorProtections(options.production);
  return new ApolloServer<GraphQLContext>({
    schema: app.schema,
    validationRules: armor.validationRules,
    parseOptions,
    allowBatchedHttpRequests: false,
    // main.ts drains HTTP, jobs and the database in order on SIGINT/SIGTERM; Apollo must not race it.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(app.logger),
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ...armor.plugins,
      requireAuthenticationPlugin(),
      inputHygienePlugin(),
      ...(options.rateLimit ? [rateLimitPlugin(options.rateLimit)] : []),
      complexityPlugin(app.schema),
      graphqlMetricsPlugin(app.logger),
      ...(options.httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer })] : []),
      ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
      // No cache hints are used; Apollo's default cache-control plugin would otherwise wrap every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
}

export function createContext(
  app: App,
  principal: Principal | null,
  requestId: string = randomUUID(),
  authenticationError?: UnauthenticatedError,
  signal?: AbortSignal,
): GraphQLContext {
  return {
    requestId,
    principal,
    authenticationError,
    signal,
    loaders: app.createLoaders(),
  };
}

/**
 * TRUST_PROXY: unset or `false` trusts no proxy (req.ip is the peer); `true` trusts every hop; a
 * number trusts that many hops; otherwise a comma-separated list of addresses, subnets or express
 * names (`loopback`, `10.0.0.0/8`).
 */
export function trustProxySetting(value: string | undefined): boolean | number | string[] {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((part) => part.trim());
}

export async function startHttpServer(app: App, options: HttpOptions): Promise<HttpServer> {
  const expressApp = express();
  expressApp.disable('x-powered-by');
  // Behind a load balancer, req.ip (sign-in throttling, anonymous rate limits) must come from X-Forwarded-For.
  expressApp.set('trust proxy', trustProxySetting(process.env.TRUST_PROXY));
  const server = http.createServer(expressApp);
  const apollo = createApolloServer(app, { production: options.production, httpServer: server, rateLimit: options.rateLimit });
  await apollo.start();

  expressApp.get('/metrics', async (_req, res) => {
    res.set('content-type', registry.contentType).send(await registry.metrics());
  });
  expressApp.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  expressApp.get('/readyz', async (_req, res) => {
    try {
      await app.dataSource.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'database' });
    }
  });

  expressApp.get('/backtests/:id/leads.csv', backtestExportRoute(app));
  // The Segment-compatible tracking API: POST /v1/batch, /v1/track, /v1/identify, /v1/page (write key as basic auth).
  expressApp.use(trackingRoutes(app.services.ingestion, app.services.auth, app.logger));
  expressApp.get('/export/leads.csv', leadExportRoute(app));
  expressApp.use(oidcRoutes(app));

  expressApp.use(
    '/graphql',
    express.json({ limit: HTTP_LIMITS.maxBodyBytes, type: ['application/json', 'application/graphql-response+json'] }),
    // The request's database work gets the request statement timeout, and its reads are cancelled
    // when the client closes the connection before the answer (db/scoped-pool.ts).
    (_req: Request, res: Response, next: NextFunction) => {
      const clientGone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) clientGone.abort();
      });
      res.locals.signal = clientGone.signal;
      runInRequestScope({ signal: clientGone.signal }, next);
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = requestIdFrom(req.headers['x-request-id']);
        const signal = res.locals.signal as AbortSignal;
        try {
          const principal = await app.services.auth.authenticate({
            authorization: req.headers.authorization,
            apiKey: req.get('x-api-key'),
          });
          return { ...createContext(app, principal, requestId, undefined, signal), clientAddress: req.ip };
        } catch (error) {
          // Refused credentials still let signIn through; the plugin reports them for anything else.
          if (error instanceof UnauthenticatedError)
            return { ...createContext(app, null, requestId, error, signal), clientAddress: req.ip };
          if (isConnectionLost(error)) {
            throw new GraphQLError(DATABASE_UNAVAILABLE_MESSAGE, {
              extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: new HeaderMap([['retry-after', '1']]) } },
            });
          }
          throw error;
        }
      },
    }),
  );

  // Body parser failures: a clear GraphQL-shaped error, never a stack trace.
  expressApp.use((error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large')
      return jsonError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${HTTP_LIMITS.maxBodyBytes}`);
    if (error.type === 'entity.parse.failed') return jsonError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON');
    if (error.status && error.status < 500) return jsonError(res, error.status, 'BAD_REQUEST', error.message);
    const errorId = randomUUID();
    app.logger.error({ err: error, errorId }, 'unhandled HTTP error');
    return jsonError(res, 500, 'INTERNAL_SERVER_ERROR', `Internal error (id ${errorId})`);
  });

  // Live updates: graphql-ws subscriptions on the same path, upgraded from this server (live/live-server.ts).
  const live = new LiveServer(
    server,
    app.services.live,
    {
      schema: app.schema,
      validationRules: armorProtections(options.production).validationRules,
      createContext: (principal, requestId) => createContext(app, principal, requestId),
      formatError: createErrorFormatter(app.logger),
      // Read at each upgrade: CONSOLE_ORIGIN may be set after the start (the browser tests' console port).
      allowedOrigins: () => liveOriginsFromEnv(),
    },
    app.logger,
  );

  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${address.port}`;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    server,
    close: async () => {
      // Sockets first: the drain waits for every open connection, upgraded ones included.
      await app.services.live.detach(live);
      await apollo.stop();
    },
  };
}
