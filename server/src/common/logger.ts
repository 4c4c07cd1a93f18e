import pino, { type DestinationStream, type LogFn, type Logger } from 'pino';

/**
 * What an error line keeps: what it is and where it came from. Everything else an error may carry is
 * dropped, because drivers attach the data of the failed statement: TypeORM's QueryFailedError its
 * `parameters` (a webhook secret, a password hash were seen) and the driver error, pg errors the
 * `detail` (`Key (email)=(...)`), `where` and `hint` with values, the client with connection settings.
 */
const KEPT_FIELDS = ['code', 'severity', 'routine', 'schema', 'table', 'column', 'constraint', 'dataType'] as const;

/** SQLSTATE class 22 (data exception) messages quote the offending value: `invalid input syntax for type uuid: "..."`. */
const QUOTED_VALUE = /"(?:[^"\\]|\\.)*"/g;

/** The SQL text is kept to find the statement; a long one (a bulk statement) is cut. */
const MAX_QUERY_CHARS = 1_000;

interface ErrorFields {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
  query?: unknown;
  cause?: unknown;
  [key: string]: unknown;
}

function scrubMessage(message: string, code: unknown): string {
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) ? message.replace(QUOTED_VALUE, '"<redacted>"') : message;
}

export function serializeError(error: unknown, depth = 0): unknown {
  if (error === null || typeof error !== 'object') return error;
  const source = error as ErrorFields;
  const driver = (source.driverError ?? null) as ErrorFields | null;
  const code = source.code ?? driver?.code;
  const message = typeof source.message === 'string' ? source.message : String(source.message ?? '');
  const scrubbed = scrubMessage(message, code);
  const serialized: Record<string, unknown> = {
    type: (error as object).constructor?.name ?? 'Object',
    message: scrubbed,
  };
  if (typeof source.stack === 'string') serialized.stack = scrubbed === message ? source.stack : source.stack.split(message).join(scrubbed);
  for (const field of KEPT_FIELDS) {
    const value = source[field] ?? driver?.[field];
    if (typeof value === 'string' || typeof value === 'number') serialized[field] = value;
  }
  if (typeof source.query === 'string')
    serialized.query = source.query.length > MAX_QUERY_CHARS ? `${source.query.slice(0, MAX_QUERY_CHARS)}…` : source.query;
  if (source.cause !== undefined && depth < 3) serialized.cause = serializeError(source.cause, depth + 1);
  return serialized;
}

/**
 * Credentials wherever a log call might put them: headers, and fields named like a secret at the top
 * level or one or two levels down.
 */
const SECRET_NAMES = [
  'password',
  'passwordHash',
  'password_hash',
  'token',
  'secret',
  'secretHash',
  'apiKey',
  'authorization',
  'cookie',
  'signingSecret',
];
export const REDACTED_PATHS = [
  ...SECRET_NAMES,
  ...SECRET_NAMES.map((name) => `*.${name}`),
  ...SECRET_NAMES.map((name) => `*.*.${name}`),
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'lead-scoring' },
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: {
      // `logger.error(error)` makes the error's message the line's message: the scrubbed one.
      logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn) {
        const [first, second] = args as unknown[];
        if (first instanceof Error && typeof second !== 'string') {
          return method.call(this, { err: first }, (serializeError(first) as { message: string }).message);
        }
        return method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
