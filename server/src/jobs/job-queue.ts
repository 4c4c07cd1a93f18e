import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { getPGliteInstance } from 'typeorm-pglite';
import type { DatabaseConfig } from '../db/database-config';
import { embeddedLock, runOnPGlite } from '../db/embedded-pool';

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

/**
 * The pg-boss instance the domains' queues share (scoring/rescore/rescore-queue.ts,
 * webhooks/webhook-queue.ts, scoring/decay-schedule.ts): started before them, stopped after them.
 * Each queue creates its own pg-boss queue and runs its own workers.
 */
export class JobQueue {
  constructor(
    readonly boss: PgBoss,
    logger: Logger,
  ) {
    boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000, wait: true });
  }
}
