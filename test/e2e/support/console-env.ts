import 'reflect-metadata';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { buildConsole, buildIsFresh, freePort, startConsole, type RunningConsole } from '../../../console/scripts/console-build';
import { createApp, type App } from '../../../server/src/app';
import { createLogger } from '../../../server/src/common/logger';
import { seedDemoData } from '../../../server/src/demo/seed-demo';
import { startHttpServer, type HttpServer } from '../../../server/src/http/http-server';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'test-results', 'screenshots');
export const DEMO_PASSWORD = 'demo-password';

/** The real service (embedded database, demo users, a small demo data set, job workers), the built console in front of it, and Chromium. */
export interface ConsoleEnv {
  app: App;
  api: HttpServer;
  console: RunningConsole;
  browser: Browser;
  /** A fresh browser context (its own cookies and storage: one user each) at a viewport width. */
  newContext(width?: number): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startConsoleEnv(options: { leads?: number } = {}): Promise<ConsoleEnv> {
  const building = buildIsFresh() ? Promise.resolve() : buildConsole({ quiet: true });
  const app = await createApp({ database: { kind: 'embedded' }, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  await app.services.auth.ensureDemoUsers();
  await seedDemoData(app, { leads: options.leads ?? 400 });
  await app.startWorkers();
  const api = await startHttpServer(app, { port: 0, host: '127.0.0.1', production: false });
  await building;
  const consoleServer = await startConsole({ port: await freePort(), apiUrl: api.graphqlUrl, quiet: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    app,
    api,
    console: consoleServer,
    browser,
    newContext: (width = 1280) => browser.newContext({ viewport: { width, height: 900 }, baseURL: consoleServer.url }),
    async close() {
      await browser.close().catch(() => undefined);
      await consoleServer.stop();
      await api.close();
      api.server.close();
      await app.close();
    },
  };
}
