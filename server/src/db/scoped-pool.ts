import pg from 'pg';
import { currentRequestScope, type CancelledStatement, type QueryLimits } from './query-scope';

type Release = (error?: Error | boolean) => void;
type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: Release) => void;
type QueryFunction = (...args: unknown[]) => unknown;

interface ConnectionState {
  /** The original `client.query`, for the settings statement. */
  query: QueryFunction;
  /** The `SET ...` text last applied to this connection (its session settings). */
  settings: string | null;
  timeoutMs: number;
  inTransaction: boolean;
  /** A cancel was sent for this checkout: the connection is closed on release. */
  cancelled: boolean;
}

const QUERY_CANCELED = '57014';
const TRANSACTION_START = /^\s*(START\s+TRANSACTION|BEGIN)\b/i;
const TRANSACTION_END = /^\s*(COMMIT|END|ROLLBACK|ABORT)\s*;?\s*$/i;

function statementText(query: unknown): string | undefined {
  if (typeof query === 'string') return query;
  if (query && typeof query === 'object' && typeof (query as { text?: unknown }).text === 'string') return (query as { text: string }).text;
  return undefined;
}

function cancelledByClientError(): Error {
  return Object.assign(new Error('canceling statement: the request was cancelled by its client'), {
    code: QUERY_CANCELED,
    cancelledByClient: true,
  } satisfies CancelledStatement & { code: string });
}

/** Asks PostgreSQL to cancel what one backend runs, from a connection of its own (the pool may be full). */
async function cancelBackend(options: pg.PoolConfig, pid: number | undefined): Promise<void> {
  if (!pid) return;
  const client = new pg.Client({ ...options, connectionTimeoutMillis: 5_000, statement_timeout: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: the statement timeout still bounds the statement.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * node-postgres for TypeORM (its `driver` option) with a pool that applies the caller's limits on
 * each checkout: inside an HTTP request (query-scope.ts) the request statement timeout and no JIT,
 * elsewhere the job timeout and the server's JIT setting. The settings are session `SET`s, sent
 * only when a connection changes hands between the two kinds of work.
 *
 * When a request's client goes away, a statement it runs outside a transaction is cancelled
 * (pg_cancel_backend) and the connection is closed rather than pooled, so a late cancel can never
 * reach another request's statement. Statements inside a transaction run to their end: a
 * transaction may carry other requests' work (recordActivity's group commit).
 */
export function scopedPg(limits: QueryLimits): { Pool: typeof pg.Pool } {
  const states = new WeakMap<pg.PoolClient, ConnectionState>();

  function stateOf(client: pg.PoolClient): ConnectionState {
    let state = states.get(client);
    if (state) return state;
    const query = client.query as unknown as QueryFunction;
    const created: ConnectionState = { query, settings: null, timeoutMs: 0, inTransaction: false, cancelled: false };
    state = created;
    states.set(client, created);
    const annotate = (error: unknown): unknown => {
      const failure = error as (Error & CancelledStatement & { code?: string; inTransaction?: boolean }) | null;
      // Whether the statement ran inside a transaction: after a lost connection, that tells what was written.
      if (failure && typeof failure === 'object') failure.inTransaction = created.inTransaction;
      if (failure && typeof failure === 'object' && failure.code === QUERY_CANCELED) {
        if (created.cancelled) failure.cancelledByClient = true;
        else if (/statement timeout/i.test(failure.message)) failure.statementTimeoutMs = created.timeoutMs;
      }
      return error;
    };
    const wrapped = function (this: pg.PoolClient, ...args: unknown[]): unknown {
      const text = statementText(args[0]);
      const callback = args[args.length - 1];
      if (created.cancelled && !created.inTransaction) {
        const error = cancelledByClientError();
        if (typeof callback === 'function') {
          process.nextTick(() => (callback as (error: Error) => void)(error));
          return undefined;
        }
        return Promise.reject(error);
      }
      if (text !== undefined) {
        if (TRANSACTION_START.test(text)) created.inTransaction = true;
        else if (TRANSACTION_END.test(text)) created.inTransaction = false;
      }
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) =>
          (callback as (error: unknown, result: unknown) => void)(error ? annotate(error) : error, result);
        return query.apply(this, args);
      }
      const result = query.apply(this, args);
      return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(annotate(error))) : result;
    };
    client.query = wrapped as unknown as typeof client.query;
    return created;
  }

  class ScopedPool extends pg.Pool {
    constructor(options: pg.PoolConfig) {
      super(options);
      const checkout = this.connect.bind(this) as (callback: ConnectCallback) => void;
      const connect = (callback?: ConnectCallback): Promise<pg.PoolClient> | undefined => {
        if (!callback) {
          return new Promise((resolve, reject) => connect((error, client) => (error || !client ? reject(error) : resolve(client))));
        }
        const scope = currentRequestScope(); // read now: the checkout's callback runs in the pool's context
        const timeoutMs = scope ? limits.statementTimeoutMs : limits.jobStatementTimeoutMs;
        const settings = `SET statement_timeout = ${timeoutMs}; SET jit = ${scope ? 'off' : 'DEFAULT'}`;
        checkout((error, client, release) => {
          if (error || !client) return callback(error, client, release);
          const state = stateOf(client);
          const handOut = () => {
            state.inTransaction = false;
            state.cancelled = false;
            const signal = scope?.signal;
            if (!signal) return callback(undefined, client, release);
            if (signal.aborted) {
              release();
              return callback(cancelledByClientError(), undefined, () => undefined);
            }
            let cancelling: Promise<void> | null = null;
            const onAbort = () => {
              if (state.inTransaction || state.cancelled) return;
              state.cancelled = true;
              cancelling = cancelBackend(options, (client as pg.PoolClient & { processID?: number }).processID);
            };
            signal.addEventListener('abort', onAbort, { once: true });
            let released = false;
            const releaseWatched: Release = (releaseError) => {
              if (released) return;
              released = true;
              signal.removeEventListener('abort', onAbort);
              if (cancelling) void cancelling.finally(() => release(releaseError || true));
              else release(releaseError);
            };
            client.release = releaseWatched;
            callback(undefined, client, releaseWatched);
          };
          if (state.settings === settings) return handOut();
          state.query.call(client, settings, (settingsError: Error | null) => {
            if (settingsError) {
              release(settingsError);
              return callback(settingsError, undefined, () => undefined);
            }
            state.settings = settings;
            state.timeoutMs = timeoutMs;
            handOut();
          });
        });
      };
      this.connect = connect as typeof this.connect;
    }
  }

  return { Pool: ScopedPool };
}
