import 'reflect-metadata';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * With DATABASE_URL (a server the tests may create databases on): migrate a template database once;
 * each test file then clones it (CREATE DATABASE ... TEMPLATE) and drops its clone. Without it, each
 * test file runs on its own in-memory embedded PGlite and nothing is needed here.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) return;
  const template = `ls_test_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const { createApp } = await import('../../server/src/app');
  const { createLogger } = await import('../../server/src/common/logger');
  const templateUrl = withDatabase(adminUrl, template);
  const app = await createApp({ database: { kind: 'postgres', url: templateUrl }, logger: createLogger('warn') });
  await app.close();
  project.provide('templateDatabase', template);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.end();
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
