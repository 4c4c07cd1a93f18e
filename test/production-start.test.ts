import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnDatabase, type OwnDatabase, runScript } from './support/own-database';

/*
 * `NODE_ENV=production npm start` on a database of its own, as an operator starts it: it refuses to
 * run with the demo's public accounts, and on a fresh database says how to create the first admin.
 */

let own: OwnDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  own = await createOwnDatabase('production-start-test');
  env = { ...own.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', WORKERS: 'false', LOG_LEVEL: 'info' };
});
afterAll(async () => {
  await own?.drop();
});

interface Started {
  /** The process's exit code when it stopped by itself (a refused start); null when it came up and was stopped. */
  code: number | null;
  output: string;
}

/** Starts the service; once it says it is listening, stops it with SIGTERM. */
function startService(args: string[] = []): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let listening = false;
    const read = (chunk: Buffer) => {
      output += chunk;
      if (!listening && output.includes('Lead scoring GraphQL API: http://')) {
        listening = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: listening ? null : code, output }));
  });
}

const users = (args: string[], stdin = '') => runScript('scripts/users.ts', args, own.env, stdin);

describe('a production start', { timeout: 300_000 }, () => {
  it('refuses --demo before touching the database', async () => {
    const started = await startService(['--demo']);
    expect(started.code).toBe(1);
    expect(started.output).toContain('--demo is refused with NODE_ENV=production');
  });

  it('on a fresh database starts and says how to create the first admin', async () => {
    const started = await startService();
    expect(started.code).toBeNull();
    expect(started.output).toContain('no active admin: nobody can sign in yet');
    expect(started.output).toContain('npm run users -- create-admin');
  });

  it('refuses to run while a demo account is active, and starts once it is disabled', async () => {
    expect((await users(['create-admin', '--email', 'admin@demo.local', '--name', 'Demo Leftover'], 'a long enough password\n')).code).toBe(
      0,
    );
    const refused = await startService();
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'refusing to start in production: demo accounts with the public password "demo-password" are active: admin@demo.local',
    );

    expect((await users(['create-admin', '--email', 'ops@acme.io', '--name', 'Ops Admin'], 'the real admin password\n')).code).toBe(0);
    expect((await users(['disable', 'admin@demo.local'])).code).toBe(0);
    const started = await startService();
    expect(started.code).toBeNull();
    expect(started.output).not.toContain('no active admin');
    expect(started.output).not.toContain('refusing');
  });
});
