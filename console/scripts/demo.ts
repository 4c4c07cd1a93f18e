/**
 * `npm run demo` (repository root): the GraphQL API on its demo data and the console, together.
 * Builds the console first when its build is missing or older than its sources, then serves it
 * with `next start`, forwarding the console's /graphql to the API. `--dev` (or CONSOLE_MODE=dev)
 * runs `next dev` instead. Ctrl+C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildConsole, buildIsFresh, CONSOLE_DIR, startConsole, waitForHttp, type RunningConsole } from './console-build';

const ROOT = path.resolve(CONSOLE_DIR, '..');
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');
const apiHost = process.env.HOST ?? '127.0.0.1';
const apiPort = Number(process.env.PORT ?? 4000);
const consolePort = Number(process.env.CONSOLE_PORT ?? 3000);
const dev = process.argv.includes('--dev') || process.env.CONSOLE_MODE === 'dev';
const apiArgs = process.argv.includes('--no-demo') ? [] : ['--demo'];

let api: ChildProcess | null = null;
let consoleServer: RunningConsole | null = null;
let stopping = false;

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  const waits: Array<Promise<unknown>> = [];
  if (consoleServer) waits.push(consoleServer.stop());
  if (api && api.exitCode === null) {
    waits.push(new Promise((resolve) => api?.once('exit', resolve)));
    api.kill('SIGTERM');
  }
  void Promise.all(waits).then(() => process.exit(code));
  setTimeout(() => process.exit(code), 15_000).unref();
}

async function main(): Promise<void> {
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  api = spawn(process.execPath, [TSX_CLI, 'server/src/main.ts', ...apiArgs], { cwd: ROOT, stdio: 'inherit', env: process.env });
  api.on('exit', (code) => {
    if (!stopping) {
      console.error(`\n  The API stopped (exit ${code}); stopping the console.`);
      stopAll(code ?? 1);
    }
  });

  if (!dev && !buildIsFresh()) {
    console.log('\n  Building the console (first start, or its sources changed): about a minute…\n');
    const started = Date.now();
    await buildConsole({ quiet: true });
    console.log(`  Console built in ${Math.round((Date.now() - started) / 1000)} s.`);
  }
  if (stopping) return;
  const apiBase = `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${apiPort}`;
  consoleServer = await startConsole({ port: consolePort, apiUrl: `${apiBase}/graphql`, dev, quiet: !dev });
  consoleServer.process.on('exit', (code) => {
    if (!stopping) {
      console.error(`\n  The console stopped (exit ${code}); stopping the API.`);
      stopAll(code ?? 1);
    }
  });
  await waitForHttp(`${apiBase}/healthz`, 600_000, () => !stopping);
  console.log(
    [
      '',
      `  Console: ${consoleServer.url}${dev ? '  (next dev: pages compile on first visit)' : ''}`,
      '  Sign in as marketing@demo.local (edit rule sets), sales@demo.local (leads, reviews) or admin@demo.local (publish, audit, API keys), password "demo-password".',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  stopAll(1);
});
