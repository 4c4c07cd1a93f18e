import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { RescoreDispatcher, RescoreService } from './rescore.service';

export const RESCORE_QUEUE = 'rescore';

/**
 * Re-score jobs as pg-boss jobs on the 'rescore' queue. A job only carries the re-score job's id;
 * its chunks are claimed from the database, so several queue jobs share one re-score.
 */
export class RescoreQueue implements RescoreDispatcher {
  private workersStarted = false;

  constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.boss.createQueue(RESCORE_QUEUE);
  }

  /** Fans a re-score out to `workers` queue jobs; each claims chunks until none is left. A killed worker's job is retried. */
  async dispatch(jobId: string, workers: number): Promise<void> {
    for (let i = 0; i < workers; i += 1) {
      await this.boss.send(RESCORE_QUEUE, { jobId }, { retryLimit: 10, retryDelay: 1, expireInSeconds: 600 });
    }
  }

  async startWorkers(rescore: RescoreService): Promise<void> {
    if (this.workersStarted) return;
    this.workersStarted = true;
    await this.boss.work<{ jobId: string }>(RESCORE_QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      const { jobId } = job.data;
      try {
        const { chunks } = await rescore.runWorker(jobId);
        this.logger.info({ jobId, chunks }, 're-score worker finished');
      } catch (error) {
        await rescore.recordFailure(jobId, error as Error);
        throw error;
      }
    });
    // Jobs a crash or restart left unfinished: hand them out again (finished chunks are never redone).
    for (const jobId of await rescore.unfinishedJobIds()) await rescore.dispatch(jobId);
  }
}
