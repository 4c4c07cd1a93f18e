import path from 'node:path';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-scope';

export type DatabaseConfig =
  /** limits: statement timeouts (PostgreSQL only: PGlite does not enforce statement_timeout). */
  | { kind: 'postgres'; url: string; limits?: QueryLimits }
  /** dataDir undefined = in memory (tests). */
  | { kind: 'embedded'; dataDir?: string };

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL, limits: queryLimitsFromEnv(env) };
  return { kind: 'embedded', dataDir: env.DATA_DIR ?? path.resolve(process.cwd(), '.data', 'pglite') };
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === 'postgres') return `PostgreSQL at ${config.url.replace(/\/\/[^@/]*@/, '//***@')}`;
  return config.dataDir ? `embedded PostgreSQL (PGlite) in ${config.dataDir}` : 'embedded PostgreSQL (PGlite) in memory';
}

/** STATEMENT_TIMEOUT_MS (requests) and JOB_STATEMENT_TIMEOUT_MS (jobs, CLIs): milliseconds, 0 for none. */
export function queryLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const read = (name: string, fallback: number): number => {
    const text = env[name]?.trim();
    if (!text) return fallback;
    if (!/^[0-9]{1,9}$/.test(text)) throw new Error(`${name} must be a whole number of milliseconds (0 for no limit), got "${text}"`);
    return Number(text);
  };
  return {
    statementTimeoutMs: read('STATEMENT_TIMEOUT_MS', DEFAULT_QUERY_LIMITS.statementTimeoutMs),
    jobStatementTimeoutMs: read('JOB_STATEMENT_TIMEOUT_MS', DEFAULT_QUERY_LIMITS.jobStatementTimeoutMs),
  };
}
