import 'reflect-metadata';
import { createApp } from './app';
import type { DemoUser } from './auth/demo-users';
import { productionReadiness } from './auth/production-readiness';
import { createLogger } from './common/logger';
import { databaseConfigFromEnv, describeDatabase } from './db/database-config';
import { seedDemoOwners } from './demo/demo-owners';
import { seedDemoData } from './demo/seed-demo';
import { startHttpServer } from './http/http-server';

/** Starts the scoring service. `--demo` seeds the demo data set into an empty database. */
async function main(): Promise<void> {
  const logger = createLogger();
  const database = databaseConfigFromEnv();
  const demo = process.argv.includes('--demo');
  const production = process.env.NODE_ENV === 'production';
  if (production && demo) {
    // The demo creates users with a published password; a production service must never have them.
    throw new StartRefusedError(
      '--demo is refused with NODE_ENV=production: the demo users have a public password. Use npm run demo:api for a demo.',
    );
  }
  logger.info({ database: describeDatabase(database) }, 'starting');

  const app = await createApp({
    database,
    logger,
    publishRoles: process.env.PUBLISH_ROLES?.split(',').map((role) => role.trim()),
    recordActivityConcurrency: wholeNumberFromEnv('RECORD_ACTIVITY_CONCURRENCY'),
  });
  if (production) {
    const readiness = await productionReadiness(app.dataSource);
    for (const warning of readiness.warnings) logger.warn(warning);
    if (readiness.refusals.length > 0) {
      await app.close();
      throw new StartRefusedError(`refusing to start in production: ${readiness.refusals.join('; ')}`);
    }
  }
  let demoUsers: DemoUser[] = [];
  if (demo) {
    demoUsers = await app.services.auth.ensureDemoUsers();
    const started = Date.now();
    const seeded = await seedDemoData(app);
    if (seeded) logger.info({ ...seeded, ms: Date.now() - started }, 'demo data seeded');
    const owned = await seedDemoOwners(app);
    if (owned) logger.info(owned, 'demo owners and routing set up');
  }
  // WORKERS=false runs an API-only process; workers then run elsewhere (npm run worker).
  if (process.env.WORKERS !== 'false') await app.startWorkers({ decayCron: process.env.DECAY_CRON });
  const http = await startHttpServer(app, {
    port: Number(process.env.PORT ?? 4000),
    host: process.env.HOST ?? '127.0.0.1',
    production,
    rateLimit: {
      points: Number(process.env.RATE_LIMIT_REQUESTS ?? 3000),
      durationSeconds: Number(process.env.RATE_LIMIT_WINDOW_SECONDS ?? 10),
    },
  });
  logger.info({ graphql: http.graphqlUrl }, 'ready');
  console.log(`\n  Lead scoring GraphQL API: ${http.graphqlUrl}\n  Database: ${describeDatabase(database)}\n`);
  if (demoUsers.length) console.log(signInHelp(http.graphqlUrl, demoUsers));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and jobs');
    await http.close();
    await app.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** A start stopped on purpose: its message is the whole story, no stack trace. */
class StartRefusedError extends Error {}

/** A positive whole number from the environment, undefined when unset; anything else stops the start with the variable named. */
function wholeNumberFromEnv(name: string): number | undefined {
  const text = process.env[name]?.trim();
  if (!text) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(text)) throw new Error(`${name} must be a whole number of at least 1, got "${text}"`);
  return Number(text);
}

/** How to sign in as a demo user and call the API with the token. */
function signInHelp(graphqlUrl: string, users: DemoUser[]): string {
  const width = Math.max(...users.map((user) => user.email.length));
  const [first] = users;
  const signIn = JSON.stringify({
    query: `mutation { signIn(email: "${first.email}", password: "${first.password}") { token expiresAt } }`,
  });
  return [
    `  Demo users (password "${first.password}"):`,
    ...users.map((user) => `    ${user.email.padEnd(width)}  ${user.role}`),
    '',
    '  Sign in, then send the token as a bearer token:',
    `    curl -s ${graphqlUrl} -H 'content-type: application/json' -d '${signIn}'`,
    `    curl -s ${graphqlUrl} -H 'content-type: application/json' -H 'Authorization: Bearer <token>' -d '{"query":"{ me { actor } }"}'`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof StartRefusedError ? error.message : error);
  process.exit(1);
});
