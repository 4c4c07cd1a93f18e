import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { App } from '../app';
import { assertAllowed } from '../auth/auth-checker';
import { describePrincipal } from '../auth/principal';
import { BACKTEST_ROLES } from '../backtests/backtest-roles';
import { DomainError, type ErrorKind } from '../common/errors';
import { runInRequestScope } from '../db/query-scope';

const STATUS: Record<ErrorKind, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

/**
 * GET /backtests/:id/leads.csv: the run's per-lead results, streamed. Authenticated like /graphql
 * (Authorization or X-Api-Key), or by the short-lived `token` of BacktestRun.exportUrl. Its reads
 * run in the request's scope: the statement timeout applies, and they are cancelled when the client
 * goes away; the stream then stops.
 */
export function backtestExportRoute(app: App) {
  const exporter = app.services.backtestExport;
  return (req: Request, res: Response): Promise<void> => {
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    return runInRequestScope({ signal: clientGone.signal }, async () => {
      const runId = String(req.params.id);
      try {
        let actor: string;
        if (typeof req.query.token === 'string') actor = exporter.verifyLink(runId, req.query.token).actor;
        else {
          const principal = await app.services.auth.authenticate({
            authorization: req.headers.authorization,
            apiKey: req.get('x-api-key'),
          });
          // Whoever may read a backtest (backtestRun) may export it.
          assertAllowed(principal, BACKTEST_ROLES.view, 'GET /backtests/:id/leads.csv');
          actor = describePrincipal(principal!);
        }
        const plan = await exporter.plan(runId);
        res.status(200).set({
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${plan.filename}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        res.flushHeaders();
        // One chunk read ahead at most: the next is produced when the client has taken the last.
        await pipeline(Readable.from(exporter.csv(plan, clientGone.signal), { objectMode: true, highWaterMark: 1 }), res);
        app.logger.info({ runId, actor, leads: plan.leadCount }, 'backtest exported');
      } catch (error) {
        if (clientGone.signal.aborted) {
          app.logger.info({ runId }, 'backtest export stopped: the client went away');
          return;
        }
        if (res.headersSent) {
          app.logger.error({ err: error, runId }, 'backtest export failed while streaming');
          res.destroy();
          return;
        }
        if (error instanceof DomainError) {
          res
            .status(STATUS[error.kind])
            .json({ errors: [{ message: error.message, extensions: { code: error.kind, reason: error.code } }] });
          return;
        }
        const errorId = randomUUID();
        app.logger.error({ err: error, errorId, runId }, 'backtest export failed');
        res.status(500).json({ errors: [{ message: `Internal error (id ${errorId})`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      }
    });
  };
}
