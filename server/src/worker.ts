import 'reflect-metadata';
import { createApp } from './app';
import { createLogger } from './common/logger';
import { databaseConfigFromEnv, describeDatabase } from './db/database-config';

/**
 * A worker process without the HTTP API: claims re-score chunks and runs the daily decay pass.
 * Start as many as you like against one PostgreSQL (DATABASE_URL); they share every job.
 */
const logger = createLogger();
const database = databaseConfigFromEnv();
const app = await createApp({ database, logger });
await app.startWorkers({ decayCron: process.env.DECAY_CRON });
logger.info({ database: describeDatabase(database), pid: process.pid }, 'worker ready');
const stop = async () => {
  logger.info('worker stopping: finishing the current chunk');
  await app.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
