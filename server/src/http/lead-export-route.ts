import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { App } from '../app';
import { assertAllowed } from '../auth/auth-checker';
import { describePrincipal } from '../auth/principal';
import { DomainError, type ErrorKind } from '../common/errors';
import { isConnectionLost } from '../db/connection-loss';
import { runInRequestScope } from '../db/query-scope';
import { LeadListErrorCode } from '../lists/lead-list.errors';
import { LIST_ROLES } from '../lists/lists-roles';

const STATUS: Record<ErrorKind, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

/** The first value of a query parameter, as given (undefined when absent). */
function param(req: Request, name: string): unknown {
  const value = req.query[name];
  return Array.isArray(value) ? value : (value ?? undefined);
}

function errorBody(message: string, code: string, reason?: string, problems?: unknown) {
  return { errors: [{ message, extensions: { code, ...(reason ? { reason } : {}), ...(problems ? { problems } : {}) } }] };
}

/**
 * GET /export/leads.csv?list=<id> or ?filter=<URL-encoded JSON LeadFilter>[&order=SCORE_DESC]: the
 * leads as CSV, streamed (lists/lead-export.ts). Authenticated like /graphql (Authorization or
 * X-Api-Key), for whoever may read leads. Everything is checked before the first byte; then rows are
 * read as the client takes them, and when the client goes away the read in progress is cancelled.
 */
export function leadExportRoute(app: App) {
  const exporter = app.services.leadExport;
  return (req: Request, res: Response): Promise<void> => {
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const scope = { signal: clientGone.signal };
    return runInRequestScope(scope, async () => {
      let release: (() => void) | null = null;
      try {
        const principal = await app.services.auth.authenticate({
          authorization: req.headers.authorization,
          apiKey: req.get('x-api-key'),
        });
        assertAllowed(principal, LIST_ROLES.read, 'GET /export/leads.csv');
        release = exporter.acquire();
        if (!release) {
          res
            .status(429)
            .set('retry-after', '5')
            .json(errorBody('Too many exports are running; retry in a few seconds', 'RATE_LIMITED', LeadListErrorCode.TooManyExports));
          return;
        }
        const plan = await exporter.plan(
          { list: param(req, 'list'), filter: param(req, 'filter'), order: param(req, 'order') },
          app.schema,
          principal!,
        );
        res.status(200).set({
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${plan.filename}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'x-lead-count': String(plan.leadCount),
        });
        if (req.method === 'HEAD') {
          // Express answers HEAD with the GET route: the headers say it all, no rows are read.
          res.end();
          return;
        }
        res.flushHeaders();
        await pipeline(exporter.csv(plan, scope), res);
        app.logger.info({ actor: describePrincipal(principal!), leads: plan.leadCount }, 'leads exported');
      } catch (error) {
        if (clientGone.signal.aborted) {
          app.logger.info('lead export stopped: the client went away');
          return;
        }
        if (res.headersSent) {
          // The client sees a cut-off download (no final chunk), never a complete-looking file.
          app.logger.error({ err: error }, 'lead export failed while streaming');
          res.destroy();
          return;
        }
        if (error instanceof DomainError) {
          res.status(STATUS[error.kind]).json(errorBody(error.message, error.kind, error.code, error.problems));
          return;
        }
        if (isConnectionLost(error)) {
          res.status(503).set('retry-after', '1').json(errorBody('The database connection was lost; retry shortly', 'SERVICE_UNAVAILABLE'));
          return;
        }
        const errorId = randomUUID();
        app.logger.error({ err: error, errorId }, 'lead export failed');
        res.status(500).json(errorBody(`Internal error (id ${errorId})`, 'INTERNAL_SERVER_ERROR'));
      } finally {
        release?.();
      }
    });
  };
}
