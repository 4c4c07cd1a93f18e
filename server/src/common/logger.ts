import pino, { type Logger } from 'pino';

/** pino's error serializer, without the database client a pg error carries (a huge object with connection details). */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (serialized && typeof serialized === 'object') {
    delete serialized.client;
    delete serialized.driverError;
  }
  return serialized;
}

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'lead-scoring' }, serializers: { err: serializeError } });
}
