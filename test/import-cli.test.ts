import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHelpers, HEADER, MAPPING } from './support/imports';
import { runImportCli } from '../server/src/imports/import-cli';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let dir: string;
let mappingFile: string;

beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ls-import-test-'));
  mappingFile = path.join(dir, 'fixture.mapping.json');
  writeFileSync(mappingFile, JSON.stringify(MAPPING));
});

afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const { writeCsv } = importHelpers(
  () => t,
  () => dir,
);

describe('the CLI', () => {
  const run = async (argv: string[], database: { kind: 'embedded'; dataDir?: string } | null = null) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runImportCli(argv, {
      database: database ?? { kind: 'embedded' },
      // The CLI closes the app it built; here it borrows the test app.
      open: async () => ({ imports: t.app.services.imports, close: async () => undefined }),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      progress: false,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints usage on --help and on a usage error (exit 2)', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('one process at a time') });
    expect(await run(['x.csv'])).toMatchObject({ code: 2, err: expect.stringContaining('--mapping <mapping.json> is required') });
    expect(await run(['x.csv', '--mapping', 'm.json', '--max-rows', 'lots'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--max-rows must be a whole number'),
    });
  });

  it('imports, prints each rejected row to stderr and the summary to stdout', async () => {
    const file = writeCsv(
      'cli.csv',
      [HEADER, 'C-1,c1@x.io,2026-01-05,Open,,,1,Google,No,,,,', 'C-2,c2@x.io,2026-01-05,Open,,,many,Google,No,,,,', ''].join('\n'),
    );
    const report = path.join(dir, 'cli-report.json');
    const result = await run([file, '--mapping', mappingFile, '--report', report]);
    expect(result.code).toBe(0);
    expect(result.err).toContain('line 3: Visits: not a number ("many")');
    expect(result.out).toMatch(/imported +1 \(created 1, updated 0, unchanged 0\)/);
    expect(result.out).toMatch(/rejected +1 rows/);
    expect(result.out).toMatch(/1 +Visits: not a number +\(line 3\)/);
    expect(existsSync(report)).toBe(true);
    const failed = await run([writeCsv('cli-bad.csv', 'Nope\n1\n'), '--mapping', mappingFile, '--report', 'none']);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('nothing: the import ran in one transaction, which was rolled back');
  });

  it.runIf(existsSync('/proc/self/fd'))('refuses an embedded database directory that another process has open', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ls-import-locked-'));
    writeFileSync(path.join(dataDir, 'PG_VERSION'), '17');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').openSync(${JSON.stringify(path.join(dataDir, 'PG_VERSION'))}, 'r'); console.log('open'); setTimeout(() => {}, 30000)`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      await new Promise((resolve) => holder.stdout?.once('data', resolve));
      const result = await run([path.join(dir, 'cli.csv'), '--mapping', mappingFile], { kind: 'embedded', dataDir });
      expect(result.code).toBe(1);
      expect(result.err).toContain(`is open in another process (pid ${holder.pid})`);
    } finally {
      holder.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
