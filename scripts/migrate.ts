import 'reflect-metadata';
import { createDataSource } from '../server/src/db/data-source';
import { databaseConfigFromEnv, describeDatabase } from '../server/src/db/database-config';

/** `migrate up` applies pending migrations; `migrate down` reverts the latest one. */
const direction = process.argv[2] ?? 'up';
const config = databaseConfigFromEnv();
const dataSource = createDataSource(config);
await dataSource.initialize();
if (direction === 'down') {
  await dataSource.undoLastMigration({ transaction: 'each' });
  console.log(`reverted the latest migration on ${describeDatabase(config)}`);
} else {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  console.log(
    `${applied.length} migration(s) applied on ${describeDatabase(config)}: ${applied.map((m) => m.name).join(', ') || 'none pending'}`,
  );
}
await dataSource.destroy();
