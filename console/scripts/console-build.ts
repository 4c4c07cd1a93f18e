import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

export const CONSOLE_DIR = path.resolve(import.meta.dirname, '..');
export const NEXT_BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('next/package.json')), 'dist', 'bin', 'next');

const SOURCES = ['src', 'public', 'next.config.ts', 'package.json', 'tsconfig.json'];

function newestChange(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((child) => newestChange(path.join(entry, child))));
}

/** True when `.next` holds a production build newer than every console source file. */
export function buildIsFresh(dir = CONSOLE_DIR): boolean {
  const buildId = path.join(dir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.every((source) => newestChange(path.join(dir, source)) <= built);
}

export interface RunningConsole {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Runs `next build` in the console (inherits or captures output); rejects with the output when it fails. */
export function buildConsole(options: { quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
      cwd: CONSOLE_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})\n${output}`))));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`stopped before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Starts the built console (`next start`) on host:port, forwarding /graphql to apiUrl.
 * `next dev` instead when dev is set (no build needed, pages compile on first visit).
 */
export async function startConsole(options: {
  port: number;
  host?: string;
  apiUrl: string;
  dev?: boolean;
  quiet?: boolean;
}): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const child = spawn(process.execPath, [NEXT_BIN, options.dev ? 'dev' : 'start', '--hostname', host, '--port', String(options.port)], {
    cwd: CONSOLE_DIR,
    env: { ...process.env, API_URL: options.apiUrl, NEXT_TELEMETRY_DISABLED: '1', PORT: String(options.port) },
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://${host}:${options.port}`;
  try {
    await waitForHttp(`${url}/sign-in`, options.dev ? 180_000 : 60_000, () => !exited);
  } catch (error) {
    child.kill('SIGTERM');
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
