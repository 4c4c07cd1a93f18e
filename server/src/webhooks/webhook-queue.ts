import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { type DeliveryQueue, WEBHOOK_LIMITS, type WebhookService } from './webhook.service';

export const WEBHOOK_QUEUE = 'webhook-delivery';

export interface WebhookWorkerOptions {
  /** How often pending outbox events are turned into deliveries (default 500 ms). */
  outboxPollMs?: number;
}

/**
 * Webhook deliveries as pg-boss jobs on the 'webhook-delivery' queue, and the polling that turns
 * outbox events (written in the scoring transaction) into deliveries.
 */
export class WebhookQueue implements DeliveryQueue {
  private workersStarted = false;
  private timers: NodeJS.Timeout[] = [];
  /** The outbox dispatch in progress, if any: polls never overlap, and stop() waits for it. */
  private dispatching: Promise<void> | null = null;

  constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
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

  async startWorkers(webhooks: WebhookService, options: WebhookWorkerOptions = {}): Promise<void> {
    if (this.workersStarted) return;
    this.workersStarted = true;
    await this.boss.work<{ deliveryId: string }>(WEBHOOK_QUEUE, { pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
      await webhooks.deliver(job.data.deliveryId, job.retryCount >= job.retryLimit);
    });
    const pollOutbox = async () => {
      if (this.dispatching) return;
      this.dispatching = (async () => {
        while ((await webhooks.dispatchPending()) > 0);
      })()
        .catch((error: unknown) => this.logger.error({ err: error }, 'webhook outbox dispatch failed'))
        .finally(() => {
          this.dispatching = null;
        });
      await this.dispatching;
    };
    this.timers.push(setInterval(() => void pollOutbox(), options.outboxPollMs ?? 500));
    this.timers.push(
      setInterval(
        () => void webhooks.requeueStale().catch((error: unknown) => this.logger.error({ err: error }, 'webhook requeue failed')),
        60_000,
      ),
    );
  }

  /** Stops polling and waits for a dispatch in progress; the shared pg-boss is stopped after (JobQueue.stop). */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.dispatching;
  }
}
