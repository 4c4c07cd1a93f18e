import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How long one SQL statement may run, by who runs it. Requests answer a client and must never hold
 * a backend for long; jobs (re-score chunks, decay pass, backtest preparation, webhook delivery,
 * imports, migrations) work on whole tables and get a longer bound. 0 turns a bound off.
 */
export interface QueryLimits {
  statementTimeoutMs: number;
  jobStatementTimeoutMs: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { statementTimeoutMs: 30_000, jobStatementTimeoutMs: 600_000 };

/**
 * The database work of one HTTP request. Statements run inside it get the request timeout and no
 * JIT; when `signal` aborts (the client went away), its running statements outside a transaction
 * are cancelled. Work outside any request scope (jobs, timers, the CLIs, start-up) is job work.
 */
export interface RequestScope {
  signal?: AbortSignal;
}

const requestScopes = new AsyncLocalStorage<RequestScope | null>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return requestScopes.run(scope, work);
}

/**
 * Runs work as job work even when called from a request: for work one request starts on behalf of
 * others (a batch shared by concurrent requests must not be cancelled because one of them left).
 */
export function runAsJob<T>(work: () => T): T {
  return requestScopes.run(null, work);
}

/** The request scope the caller runs in; undefined for job work. */
export function currentRequestScope(): RequestScope | undefined {
  return requestScopes.getStore() ?? undefined;
}

/** Set on a driver error by the pool (see data-source.ts): why PostgreSQL cancelled the statement. */
export interface CancelledStatement {
  /** The statement ran longer than this (statement_timeout). */
  statementTimeoutMs?: number;
  /** The request's client closed the connection. */
  cancelledByClient?: boolean;
}

function cancellation(error: unknown): CancelledStatement | null {
  let current = error as (CancelledStatement & { driverError?: unknown }) | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 3; depth++) {
    if (current.statementTimeoutMs !== undefined || current.cancelledByClient) return current;
    current = current.driverError as typeof current; // TypeORM's QueryFailedError wraps the driver's error
  }
  return null;
}

/** The timeout a statement exceeded, when that is why the error happened; else null. */
export function statementTimeoutOf(error: unknown): number | null {
  return cancellation(error)?.statementTimeoutMs ?? null;
}

/** True when the statement was cancelled because its request's client went away. */
export function isCancelledByClient(error: unknown): boolean {
  return cancellation(error)?.cancelledByClient === true;
}
