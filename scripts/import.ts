import 'reflect-metadata';
import { createApp } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import { databaseConfigFromEnv } from '../server/src/db/database-config';
import { runImportCli } from '../server/src/imports/import-cli';

/** `npm run import -- <file.csv> --mapping <mapping.json> [--dry-run]` (see USAGE in server/src/imports/import-cli.ts). */
const code = await runImportCli(process.argv.slice(2), {
  database: databaseConfigFromEnv(),
  open: async (database) => {
    const app = await createApp({ database, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
    return { imports: app.services.imports, close: () => app.close() };
  },
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);
