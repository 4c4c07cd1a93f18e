import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const CONSOLE_DIR = path.resolve(import.meta.dirname, '..', '..', 'console');

describe('console GraphQL types', () => {
  it('are generated from the current schema.graphql and operations (npm run console:codegen)', { timeout: 60_000 }, async () => {
    const manifest = createRequire(path.join(CONSOLE_DIR, 'package.json')).resolve('@graphql-codegen/cli/package.json');
    const cli = path.join(
      path.dirname(manifest),
      (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin['graphql-codegen'],
    );
    // --check exits 1 and lists the stale files; a schema change that breaks an operation fails validation.
    const result = await promisify(execFile)(process.execPath, [cli, '--config', 'codegen.ts', '--check'], { cwd: CONSOLE_DIR }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    expect(result.output, 'console/src/gql is stale: run npm run console:codegen').toBe('');
    expect(result.code).toBe(0);
  });
});
