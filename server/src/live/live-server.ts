import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Context } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { describePrincipal, type Principal } from '../auth/principal';
import { RateLimitedError, UnauthenticatedError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { LiveErrorCode } from './live.errors';
import type { LiveIdentity } from './live-credentials';
import type { CredentialKind } from './live-events';
import { LIVE_LIMITS, LiveCloseCode } from './live-limits';
import { SHARE_KEY, subscribeShared } from './live-execution';
import { prepareOperation } from './live-operation';
import type { LiveService } from './live.service';

export interface LiveServerOptions {
  schema: GraphQLSchema;
  /** The same armor rules (depth, aliases, directives) HTTP requests get. */
  validationRules: readonly ValidationRule[];
  /** An operation's context for a principal, built as for an HTTP request. */
  createContext(principal: Principal, requestId: string): GraphQLContext;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** Origins a browser may open the socket from, read at each upgrade; requests without Origin (not browsers) are let in. */
  allowedOrigins: () => readonly string[];
  path?: string;
}

/** One open socket, once its credentials are known. */
interface Connection {
  socket: WebSocket;
  identity: LiveIdentity;
  key: string;
  expiry: NodeJS.Timeout | null;
}

type ConnectionExtra = Extra & { connection?: Connection };

// The ws API limits close reasons to 123 bytes.
const reason = (text: string) => (Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 120).toString()}...`);

/**
 * graphql-ws on the API's HTTP server, same path and schema as queries. Connections are
 * authenticated in connection_init, counted per principal, rate-limited per socket, closed when
 * their credential expires or is revoked (credentialChanged), and each subscribe message is checked
 * like an HTTP request (live-operation.ts).
 */
export class LiveServer {
  private readonly wss: WebSocketServer;
  private readonly byPrincipal = new Map<string, Set<Connection>>();
  private readonly disposeServer: { dispose(): void | Promise<void> };
  private readonly onUpgrade: (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(
    private readonly server: http.Server,
    private readonly live: LiveService,
    options: LiveServerOptions,
    private readonly logger: Logger,
  ) {
    const path = options.path ?? '/graphql';
    this.wss = new WebSocketServer({ noServer: true, maxPayload: LIVE_LIMITS.maxMessageBytes });
    this.onUpgrade = (request, socket, head) => {
      const refuse = (status: string) => {
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) return refuse('404 Not Found');
      const origin = request.headers.origin;
      if (origin && !options.allowedOrigins().includes(origin)) return refuse('403 Forbidden');
      if (this.wss.clients.size >= LIVE_LIMITS.maxConnections) return refuse('503 Service Unavailable');
      this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
    };
    server.on('upgrade', this.onUpgrade);
    this.wss.on('connection', (socket: WebSocket) => this.limitMessageRate(socket));
    this.disposeServer = useServer<Record<string, unknown>, { connection?: Connection }>(
      {
        connectionInitWaitTimeout: 5000,
        subscribe: subscribeShared,
        onConnect: (ctx) => this.connect(ctx),
        onSubscribe: (ctx, id, payload) => {
          const connection = ctx.extra.connection as Connection;
          if (Object.keys(ctx.subscriptions).length > LIVE_LIMITS.maxSubscriptionsPerConnection) {
            const error = new RateLimitedError(
              LiveErrorCode.TooManySubscriptions,
              `At most ${LIVE_LIMITS.maxSubscriptionsPerConnection} subscriptions per connection; complete one first`,
              1,
            );
            return [new GraphQLError(error.message, { originalError: error })];
          }
          const { principal } = connection.identity;
          // What the result may depend on besides the event: the operation and who may see what.
          const access = principal.kind === 'user' ? `role:${principal.role}` : `scopes:${[...principal.scopes].sort().join(',')}`;
          return prepareOperation(options.schema, payload, options.validationRules, () => ({
            ...options.createContext(principal, `${id}@${randomUUID()}`),
            live: this.live.subscriptions,
            [SHARE_KEY]: `${access}\n${payload.operationName ?? ''}\n${JSON.stringify(payload.variables ?? {})}\n${payload.query}`,
          }));
        },
        onError: (_ctx, _id, _payload, errors) => errors.map((error) => options.formatError(error.toJSON(), error)),
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map((error) => options.formatError(error.toJSON(), error)) } : undefined,
        onClose: (ctx) => this.forget(ctx.extra.connection),
      },
      this.wss,
    );
    live.register(this);
  }

  /** Open connections in this process. */
  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /** A credential was revoked, ended or changed: its connections are checked again, and closed unless it still holds. */
  async credentialChanged(kind: CredentialKind | 'any', id: string | null): Promise<void> {
    const affected = [...this.byPrincipal.values()]
      .flatMap((set) => [...set])
      .filter(({ identity: { principal } }) => {
        if (kind === 'any') return true;
        if (kind === 'apiKey') return principal.kind === 'apiKey' && principal.keyId === id;
        if (kind === 'session') return principal.kind === 'user' && principal.sessionId === id;
        // A user's change also concerns the API keys they created (checked again: only theirs close).
        return principal.kind === 'apiKey' || principal.userId === id;
      });
    for (const connection of affected) {
      const still = await this.live.credentials.stillHolds(connection.identity).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'live updates: could not check a credential again; keeping the connection');
        return connection.identity;
      });
      if (!still) connection.socket.close(LiveCloseCode.Unauthorized, reason('Credentials revoked or ended; sign in again'));
      else this.track(connection, still);
    }
  }

  /** Closes every connection (the client retries codes 1001 and 1012). */
  closeAll(code: number = LiveCloseCode.GoingAway, text = 'Server going away'): void {
    for (const socket of this.wss.clients) socket.close(code, reason(text));
  }

  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    this.closeAll();
    await this.disposeServer.dispose();
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async connect(ctx: Context<Record<string, unknown>, ConnectionExtra>): Promise<boolean> {
    const socket = ctx.extra.socket;
    let identity: LiveIdentity;
    try {
      identity = await this.live.credentials.identify(ctx.connectionParams);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      socket.close(LiveCloseCode.Unauthorized, reason(error.message));
      return false;
    }
    const key = describePrincipal(identity.principal);
    const connections = this.byPrincipal.get(key) ?? new Set<Connection>();
    if (connections.size >= LIVE_LIMITS.maxConnectionsPerPrincipal) {
      socket.close(
        LiveCloseCode.TryAgainLater,
        reason(`Too many live connections for ${key}: at most ${LIVE_LIMITS.maxConnectionsPerPrincipal}`),
      );
      return false;
    }
    const connection: Connection = { socket, identity, key, expiry: null };
    connections.add(connection);
    this.byPrincipal.set(key, connections);
    ctx.extra.connection = connection;
    this.track(connection, identity);
    return true;
  }

  /** Closes the connection when its credential expires (revocations come as events). */
  private track(connection: Connection, identity: LiveIdentity): void {
    connection.identity = identity;
    if (connection.expiry) clearTimeout(connection.expiry);
    connection.expiry = null;
    if (!identity.expiresAt) return;
    // setTimeout holds at most ~24.8 days; a longer credential is checked again then.
    const delay = Math.min(identity.expiresAt.getTime() - Date.now(), 2 ** 31 - 1);
    connection.expiry = setTimeout(
      () => {
        if (identity.expiresAt && identity.expiresAt.getTime() <= Date.now())
          connection.socket.close(LiveCloseCode.Unauthorized, 'Credentials expired; sign in again');
        else this.track(connection, identity);
      },
      Math.max(0, delay),
    );
    connection.expiry.unref();
  }

  private forget(connection: Connection | undefined): void {
    if (!connection) return;
    if (connection.expiry) clearTimeout(connection.expiry);
    const set = this.byPrincipal.get(connection.key);
    set?.delete(connection);
    if (set?.size === 0) this.byPrincipal.delete(connection.key);
  }

  private limitMessageRate(socket: WebSocket): void {
    let windowStart = Date.now();
    let count = 0;
    socket.on('message', () => {
      const now = Date.now();
      if (now - windowStart >= LIVE_LIMITS.messageWindowMs) {
        windowStart = now;
        count = 0;
      }
      count += 1;
      if (count === LIVE_LIMITS.maxMessagesPerWindow + 1) {
        socket.close(
          LiveCloseCode.PolicyViolation,
          reason(`Too many messages: at most ${LIVE_LIMITS.maxMessagesPerWindow} per ${LIVE_LIMITS.messageWindowMs / 1000} s`),
        );
      }
    });
  }
}
