import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth.service';
import { DomainError, type Problem, RateLimitedError } from '../common/errors';
import { isConnectionLost } from '../db/connection-loss';
import { runInRequestScope } from '../db/query-scope';
import { IngestionErrorCode } from './ingestion.errors';
import { ingestionMetrics } from './ingestion-metrics';
import { WRITE_KEY_SCOPE } from './ingestion-roles';
import type { IngestionService } from './ingestion.service';
import { INGESTION_LIMITS, type MessageType, parseBatch, parseSingle } from './segment-message';

/**
 * The Segment HTTP tracking API's routes: POST /v1/batch, /v1/track, /v1/identify, /v1/page (and
 * /v1/screen, /v1/group, /v1/alias, accepted and ignored). The write key is HTTP basic auth's user
 * name (empty password), or the body's `writeKey`; it is an API key of this service with the
 * leads:write scope. Bodies are read up to 1 MB; over 500 KB (a batch) or 32 KB (a message) is a 400.
 */
const READ_LIMIT_BYTES = 1024 * 1024;

interface ErrorBody {
  success: false;
  code: string;
  message: string;
  errors: Problem[];
}

function send(res: Response, status: number, code: string, problems: Problem[], headers: Record<string, string> = {}): void {
  ingestionMetrics.refused(status);
  const body: ErrorBody = { success: false, code, message: problems.map((p) => `${p.path}: ${p.message}`).join('; '), errors: problems };
  res.status(status).set(headers).json(body);
}

function writeKeyOf(req: Request, body: unknown): string | null {
  const header = req.headers.authorization?.trim();
  if (header) {
    const match = /^Basic\s+(\S+)$/i.exec(header);
    if (!match) return null;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return (colon === -1 ? decoded : decoded.slice(0, colon)).trim() || null;
  }
  const fromBody = typeof body === 'object' && body !== null ? (body as { writeKey?: unknown }).writeKey : undefined;
  return typeof fromBody === 'string' && fromBody.trim() ? fromBody.trim() : null;
}

export function trackingRoutes(ingestion: IngestionService, auth: AuthService, logger: Logger): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: READ_LIMIT_BYTES });

  const handle = (routeType: MessageType | null) => async (req: Request, res: Response) => {
    const receivedAt = new Date();
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const limit = routeType === null ? INGESTION_LIMITS.maxBatchBytes : INGESTION_LIMITS.maxMessageBytes;
    if (bytes.length > limit) {
      const what = routeType === null ? 'a batch may be at most 500 KB' : 'a message may be at most 32 KB';
      return send(res, 400, IngestionErrorCode.InvalidMessage, [{ path: 'body', message: `is ${bytes.length} bytes; ${what}` }]);
    }
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      return send(res, 400, IngestionErrorCode.InvalidMessage, [{ path: 'body', message: 'is not valid JSON' }]);
    }
    const writeKey = writeKeyOf(req, body);
    const challenge = { 'www-authenticate': 'Basic realm="tracking"' };
    if (!writeKey)
      return send(
        res,
        401,
        IngestionErrorCode.InvalidWriteKey,
        [{ path: 'writeKey', message: 'send the write key as the basic auth user name' }],
        challenge,
      );
    try {
      await runInRequestScope({}, async () => {
        const principal = await auth.authenticate({ apiKey: writeKey });
        if (principal?.kind !== 'apiKey') {
          return send(
            res,
            401,
            IngestionErrorCode.InvalidWriteKey,
            [{ path: 'writeKey', message: 'not an API key of this service' }],
            challenge,
          );
        }
        if (!principal.scopes.includes(WRITE_KEY_SCOPE)) {
          return send(res, 403, IngestionErrorCode.MissingScope, [
            { path: 'writeKey', message: `API key "${principal.name}" lacks the ${WRITE_KEY_SCOPE} scope` },
          ]);
        }
        const parsed = routeType === null ? parseBatch(body, receivedAt) : parseSingle(body, routeType, receivedAt);
        const result = await ingestion.ingest(principal.keyId, parsed);
        res.json({ success: true, ...result });
      });
    } catch (error) {
      if (error instanceof DomainError) {
        const status = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 }[
          error.kind
        ];
        const problems = error.problems.length ? error.problems : [{ path: 'body', message: error.message }];
        const headers: Record<string, string> =
          error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : status === 401 ? challenge : {};
        return send(res, status, error.code, problems, headers);
      }
      if (isConnectionLost(error))
        return send(res, 503, 'SERVICE_UNAVAILABLE', [{ path: 'body', message: 'the database connection was lost; retry shortly' }], {
          'retry-after': '1',
        });
      const errorId = randomUUID();
      logger.error({ err: error, errorId }, 'tracking API request failed');
      return send(res, 500, 'INTERNAL_SERVER_ERROR', [{ path: 'body', message: `internal error (id ${errorId}); retry the request` }]);
    }
  };

  router.post('/v1/batch', raw, handle(null));
  router.post('/v1/import', raw, handle(null)); // the older name of /v1/batch some senders still use
  for (const type of ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const) router.post(`/v1/${type}`, raw, handle(type));

  // Bodies over the read limit, or unreadable: a 400 as Segment answers (clients do not retry a 400).
  router.use((error: Error & { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large')
      return send(res, 400, IngestionErrorCode.InvalidMessage, [
        { path: 'body', message: 'is larger than 500 KB (a batch) or 32 KB (a message)' },
      ]);
    return send(res, 400, IngestionErrorCode.InvalidMessage, [{ path: 'body', message: `could not be read (${error.message})` }]);
  });
  return router;
}
