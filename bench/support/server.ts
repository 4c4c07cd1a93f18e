/** The service and its workers as child processes, started the way `npm start` / `npm run worker` start them. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { REPO_ROOT } from '../../server/src/common/paths';
import { peakRssOf, printPeakRss } from './memory';

/** What each process started here is, for the peak RSS stopChild prints. */
const roles = new WeakMap<ChildProcess, string>();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `npm start` in a child process (NODE_ENV=production, workers on, rate limit out of the way), with
 * `env` (the database) added; resolves once /readyz answers.
 */
export async function startServer(port: number, env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeFlags, 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      RATE_LIMIT_REQUESTS: '1000000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  roles.set(child, 'API');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not become ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `npm run worker` processes on the database of `databaseUrl`. */
export function spawnWorkers(count: number, databaseUrl: string, nodeFlags: readonly string[] = []): ChildProcess[] {
  return Array.from({ length: count }, () => {
    // As `npm run worker` starts them (package.json): a larger young generation, so that a chunk's
    // objects, alive for the chunk's few statements, are less often copied and promoted.
    const child = spawn(process.execPath, ['--max-semi-space-size=64', ...nodeFlags, '--import', 'tsx', 'server/src/worker.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    roles.set(child, 'worker');
    return child;
  });
}

/**
 * SIGTERM (a profile asked for is written at exit), SIGKILL if it lingers. Prints the process's peak
 * RSS over its life first (bench/support/memory.ts), for the API and worker processes started here.
 */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const role = roles.get(child);
  const peakMB = child.pid === undefined ? null : peakRssOf(child.pid);
  if (role && child.pid !== undefined && peakMB !== null) printPeakRss({ process: role, pid: child.pid, peakMB });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
