import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { ScorePassResult } from './stored-score';

export const DECAY_QUEUE = 'daily-decay-pass';

/** The daily decay pass as a pg-boss cron job on the 'daily-decay-pass' queue (DECAY_CRON, UTC). */
export class DecaySchedule {
  private workersStarted = false;

  constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.boss.createQueue(DECAY_QUEUE);
  }

  async startWorkers(runDecayPass: (asOf: Date) => Promise<ScorePassResult>, cron: string): Promise<void> {
    if (this.workersStarted) return;
    this.workersStarted = true;
    await this.boss.schedule(DECAY_QUEUE, cron, {}, { tz: 'UTC' });
    await this.boss.work(DECAY_QUEUE, async () => {
      const started = Date.now();
      const result = await runDecayPass(new Date());
      this.logger.info({ ...result, ms: Date.now() - started }, 'daily decay pass done');
    });
  }
}
