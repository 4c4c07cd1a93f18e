import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { BacktestService } from './backtest.service';
import type { BacktestDispatcher } from './backtest-rows';

export const BACKTEST_QUEUE = 'backtest';

/**
 * Backtests too big to run inside a request, as pg-boss jobs on the 'backtest' queue. A job only
 * carries the run id; the run row holds everything else, so a retried or re-dispatched job runs the
 * same backtest (executeRun returns a finished run as it is).
 */
export class BacktestQueue implements BacktestDispatcher {
  private workersStarted = false;

  constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {
    boss.on('error', (error) => logger.error({ err: error }, 'backtest queue error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(BACKTEST_QUEUE);
  }

  async dispatch(runId: string): Promise<void> {
    // One attempt at a time for up to an hour; a killed worker's job is retried and the run resumes.
    // singletonKey: dispatching a run again while its job is waiting or active adds no second job.
    await this.boss.send(
      BACKTEST_QUEUE,
      { runId },
      { retryLimit: 3, retryDelay: 5, expireInSeconds: 3600, singletonKey: `backtest-run-${runId}` },
    );
  }

  async startWorkers(backtests: BacktestService): Promise<void> {
    if (this.workersStarted) return;
    this.workersStarted = true;
    await this.boss.work<{ runId: string }>(BACKTEST_QUEUE, { pollingIntervalSeconds: 1 }, async ([job]) => {
      const run = await backtests.executeRun(job.data.runId);
      this.logger.info({ runId: run.id, status: run.status, ms: run.durationMs }, 'backtest finished');
    });
    // Runs a crash or restart may have left behind: queue them again.
    for (const runId of await backtests.unfinishedRunIds()) await this.dispatch(runId);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000, wait: true });
  }
}
