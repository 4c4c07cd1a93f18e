import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { getPGliteInstance } from 'typeorm-pglite';
import type { DatabaseConfig } from '../db/database-config';
import { embeddedLock, runOnPGlite } from '../db/embedded-pool';
import type { RescoreDispatcher, RescoreService } from '../rescore/rescore.service';
import { WEBHOOK_LIMITS, type DeliveryQueue, type WebhookService } from '../webhooks/webhook.service';

export const DECAY_QUEUE = 'daily-decay-pass';
export const RESCORE_QUEUE = 'rescore';
export const WEBHOOK_QUEUE = 'webhook-delivery';

/**
 * pg-boss on the machine's PostgreSQL, or on the embedded PGlite through an adapter that takes the
 * same lock as TypeORM's queries (PGlite is a single connection; see db/embedded-pool.ts).
 */
export function createBoss(database: DatabaseConfig): PgBoss {
  if (database.kind === 'postgres') return new PgBoss({ connectionString: database.url, max: 4 });
  const db: PgBoss.Db = {
    executeSql: (text, values) => embeddedLock.runExclusive(async () => runOnPGlite(await getPGliteInstance(), text, values)),
  };
  return new PgBoss({ db });
}

export interface WorkerHandlers {
  rescore: RescoreService;
  webhooks: WebhookService;
  /** How often pending outbox events are turned into deliveries. */
  outboxPollMs?: number;
  runDecayPass: (asOf: Date) => Promise<{ leadsScored: number; leadsChanged: number }>;
  decayCron: string;
}

/** The job queue: sends work from any process; runs workers only where asked (`startWorkers`). */
export class JobQueue implements RescoreDispatcher, DeliveryQueue {
  private workersStarted = false;
  private timers: NodeJS.Timeout[] = [];
  private outboxBusy = false;

  constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {
    boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(DECAY_QUEUE);
    await this.boss.createQueue(RESCORE_QUEUE);
    await this.boss.createQueue(WEBHOOK_QUEUE);
  }

  /** Each delivery is a queue job retried with exponential backoff (1 s, 2 s, 4 s...). */
  async sendDeliveries(deliveryIds: string[]): Promise<void> {
    for (const deliveryId of deliveryIds) {
      await this.boss.send(
        WEBHOOK_QUEUE,
        { deliveryId },
        { retryLimit: WEBHOOK_LIMITS.maxAttempts - 1, retryDelay: 1, retryBackoff: true, expireInSeconds: 60 },
      );
    }
  }

  /** Fans a re-score out to `workers` queue jobs; each claims chunks until none is left. A killed worker's job is retried. */
  async dispatch(jobId: string, workers: number): Promise<void> {
    for (let i = 0; i < workers; i += 1) {
      await this.boss.send(RESCORE_QUEUE, { jobId }, { retryLimit: 10, retryDelay: 1, expireInSeconds: 600 });
    }
  }

  async startWorkers(handlers: WorkerHandlers): Promise<void> {
    if (this.workersStarted) return;
    this.workersStarted = true;
    await this.boss.schedule(DECAY_QUEUE, handlers.decayCron, {}, { tz: 'UTC' });
    await this.boss.work(DECAY_QUEUE, async () => {
      const started = Date.now();
      const result = await handlers.runDecayPass(new Date());
      this.logger.info({ ...result, ms: Date.now() - started }, 'daily decay pass done');
    });
    await this.boss.work<{ jobId: string }>(RESCORE_QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      const { jobId } = job.data;
      try {
        const { chunks } = await handlers.rescore.runWorker(jobId);
        this.logger.info({ jobId, chunks }, 're-score worker finished');
      } catch (error) {
        await handlers.rescore.recordFailure(jobId, error as Error);
        throw error;
      }
    });
    await this.boss.work<{ deliveryId: string }>(WEBHOOK_QUEUE, { pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
      await handlers.webhooks.deliver(job.data.deliveryId, job.retryCount >= job.retryLimit);
    });
    const pollOutbox = async () => {
      if (this.outboxBusy) return;
      this.outboxBusy = true;
      try {
        while ((await handlers.webhooks.dispatchPending()) > 0);
      } catch (error) {
        this.logger.error({ err: error }, 'webhook outbox dispatch failed');
      } finally {
        this.outboxBusy = false;
      }
    };
    this.timers.push(setInterval(() => void pollOutbox(), handlers.outboxPollMs ?? 500));
    this.timers.push(
      setInterval(
        () => void handlers.webhooks.requeueStale().catch((error: unknown) => this.logger.error({ err: error }, 'webhook requeue failed')),
        60_000,
      ),
    );
    // Jobs a crash or restart left unfinished: hand them out again (finished chunks are never redone).
    for (const jobId of await handlers.rescore.unfinishedJobIds()) await handlers.rescore.dispatch(jobId);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    while (this.outboxBusy) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.boss.stop({ graceful: true, timeout: 10_000, wait: true });
  }
}
