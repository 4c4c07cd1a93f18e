import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError, RateLimitedError, type ErrorKind } from '../common/errors';
import { connectionLossOutcome, isConnectionLost } from '../db/connection-loss';
import { isCancelledByClient, statementTimeoutOf } from '../db/query-scope';
import { EngineInputError } from '../engine/engine-errors';

/** The one place where domain errors become GraphQL errors. */
const EXTENSION_CODE: Record<ErrorKind, string> = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  // HTTP 429 and Retry-After come with the error itself (RateLimitedError.extensions).
  RATE_LIMITED: 'RATE_LIMITED',
};

/** Codes Apollo and graphql-js set themselves for a malformed request; their messages are safe to show. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
]);

export const DATABASE_UNAVAILABLE_MESSAGE = 'The database connection was lost (a restart or failover); retry the request shortly';
export const OUTCOME_UNKNOWN_MESSAGE =
  'The database connection was lost while the change was being committed: it may or may not have been written. Read it back, or retry with the same idempotency key';

export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof DomainError || original instanceof EngineInputError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: {
          code: EXTENSION_CODE[original.kind],
          reason: original.code,
          problems: original.problems,
          ...(original instanceof RateLimitedError ? { retryAfterSeconds: original.retryAfterSeconds } : {}),
        },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    // GraphQL argument coercion errors (wrong type, malformed DateTime) carry no original error.
    if (error instanceof GraphQLError && !error.originalError) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: code ?? 'BAD_USER_INPUT' },
      };
    }
    const timeoutMs = statementTimeoutOf(original);
    if (timeoutMs !== null) {
      return {
        message: `The query took longer than ${timeoutMs / 1000} s and was stopped; narrow the filter or ask for fewer items`,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'QUERY_TIMEOUT' },
      };
    }
    if (isCancelledByClient(original)) {
      return {
        message: 'The request was cancelled: its client closed the connection',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'CLIENT_CLOSED_REQUEST' },
      };
    }
    const errorId = randomUUID();
    if (isConnectionLost(original)) {
      logger.warn({ err: original, errorId, path: formatted.path }, 'database connection lost while executing GraphQL');
      // Before COMMIT the server rolls the transaction back; at COMMIT it may have committed first.
      const reason = connectionLossOutcome(original);
      const message = reason === 'OUTCOME_UNKNOWN' ? OUTCOME_UNKNOWN_MESSAGE : DATABASE_UNAVAILABLE_MESSAGE;
      return {
        message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'SERVICE_UNAVAILABLE', reason, errorId },
      };
    }
    logger.error({ err: original, errorId, path: formatted.path }, 'internal error while executing GraphQL');
    return {
      message: `Internal error (id ${errorId}); it has been logged.`,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    };
  };
}
