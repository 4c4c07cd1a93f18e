import path from 'node:path';

export type DatabaseConfig =
  | { kind: 'postgres'; url: string }
  /** dataDir undefined = in memory (tests). */
  | { kind: 'embedded'; dataDir?: string };

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  return { kind: 'embedded', dataDir: env.DATA_DIR ?? path.resolve(process.cwd(), '.data', 'pglite') };
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === 'postgres') return `PostgreSQL at ${config.url.replace(/\/\/[^@/]*@/, '//***@')}`;
  return config.dataDir ? `embedded PostgreSQL (PGlite) in ${config.dataDir}` : 'embedded PostgreSQL (PGlite) in memory';
}
