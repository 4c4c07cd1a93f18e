import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../server/src/db/database-config';
import { withDatabase } from './global-setup';

/** A database for child processes (a CLI, the service itself) and the test that checks their work. */
export interface OwnDatabase {
  database: DatabaseConfig;
  /** The environment a child process needs to open it. */
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

/** A clone of the migrated template database on the PostgreSQL server of `adminUrl`, dropped by `drop`. */
export async function cloneTemplateDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ls_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  await admin.end();
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A clone of the migrated template on PostgreSQL (DATABASE_URL), a temporary DATA_DIR for PGlite. */
export async function createOwnDatabase(prefix: string): Promise<OwnDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const clone = await cloneTemplateDatabase(adminUrl);
    return { database: { kind: 'postgres', url: clone.url }, env: { ...process.env, DATABASE_URL: clone.url }, drop: clone.drop };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return { database: { kind: 'embedded', dataDir }, env, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point of the repository (`scripts/users.ts`...) as a child process, `stdin` piped in. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
