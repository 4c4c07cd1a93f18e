/**
 * Recognising a lost database connection (a PostgreSQL restart, failover, or an administrator
 * terminating backends) as opposed to an error in the statement itself.
 *
 * node-postgres keeps idle connections in its pool; when the server closes them, each one is
 * dropped as soon as its socket reports the close, but a request that checked one out a moment
 * before gets an error. Such an error says nothing about the request, so idempotent reads may be
 * retried on a fresh connection and everything else is reported as "retry shortly".
 */
const CONNECTION_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or shutting down
]);

const CONNECTION_MESSAGES =
  /Connection terminated|not queryable|ECONNRESET|ECONNREFUSED|EPIPE|Connection ended|timeout exceeded when trying to connect/i;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  /** The statement, on TypeORM's QueryFailedError. */
  query?: unknown;
  /** Set on the driver's error by the PostgreSQL pool (scoped-pool.ts): the statement ran in a transaction. */
  inTransaction?: unknown;
}

export function isConnectionLost(error: unknown): boolean {
  for (let current = error as ErrorLike | undefined, depth = 0; current && typeof current === 'object' && depth < 3; depth++) {
    const code = typeof current.code === 'string' ? current.code : '';
    if (CONNECTION_SQLSTATES.has(code) || code.startsWith('08')) return true;
    if (typeof current.message === 'string' && CONNECTION_MESSAGES.test(current.message)) return true;
    current = current.driverError as ErrorLike | undefined; // TypeORM's QueryFailedError wraps the driver's error
  }
  return false;
}

const TRANSACTION_END = /^\s*(COMMIT|END)\b/i;

const READ = /^\s*(SELECT|SHOW|VALUES)\b/i;

/**
 * What a lost connection did to the work of the request: a transaction whose statement met it
 * before COMMIT was sent is rolled back by the server (NOT_WRITTEN); when the COMMIT itself met
 * it, the server may have committed before the connection went (OUTCOME_UNKNOWN), and only a read
 * can tell. So does a write outside a transaction, which commits by itself.
 */
export type ConnectionLossOutcome = 'NOT_WRITTEN' | 'OUTCOME_UNKNOWN';

export function connectionLossOutcome(error: unknown): ConnectionLossOutcome {
  const top = error as ErrorLike | null;
  const query = top?.query;
  if (typeof query === 'string' && TRANSACTION_END.test(query)) return 'OUTCOME_UNKNOWN';
  const driver = top?.driverError as ErrorLike | undefined;
  const inTransaction = top?.inTransaction ?? driver?.inTransaction;
  if (inTransaction === false && typeof query === 'string' && !READ.test(query)) return 'OUTCOME_UNKNOWN';
  return 'NOT_WRITTEN';
}

/**
 * Runs an idempotent database read, retrying it on a fresh connection when the one it was given
 * had been closed by the server. Any other error is thrown at once.
 */
export async function retryOnConnectionLoss<T>(read: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= attempts || !isConnectionLost(error)) throw error;
      // Let the pool see the other closed sockets before the next checkout.
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
