import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHelpers, HEADER, MAPPING } from './support/imports';
import { until } from './support/wait';
import type { ImportMapping } from '../server/src/imports/mapping-types';
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
const { writeCsv, runImport, count } = importHelpers(
  () => t,
  () => dir,
);

describe('imports that fail write nothing', () => {
  it('a file without the externalId column', async () => {
    const leadsBefore = await count('SELECT count(*) FROM lead');
    const file = writeCsv(
      'no-id.csv',
      [
        'Email,Created,Stage,Closed,Amount,Visits,Source,Opt Out,Tier,Tags,Last Activity',
        'a@b.io,2026-01-05,Won,,,1,Google,No,,,',
        '',
      ].join('\n'),
    );
    const summary = await runImport({
      file,
      mapping: {
        ...MAPPING,
        attributes: {
          ...MAPPING.attributes,
          Visits: { attribute: 'fxNewVisits', type: 'number', define: { label: 'V', description: 'V' } },
        },
      },
    });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatchObject({
      code: 'INVALID_FILE',
      problems: [{ path: 'externalId', message: expect.stringContaining('column "Id" is not in the file') }],
    });
    expect(summary.imported.total).toBe(0);
    expect(await count('SELECT count(*) FROM lead')).toBe(leadsBefore);
    expect(await count(`SELECT count(*) FROM attribute_definition WHERE name = 'fxNewVisits'`)).toBe(0);
  });

  it('a failure after some batches were written rolls all of them back (one transaction per file)', async () => {
    const leadsBefore = await count('SELECT count(*) FROM lead');
    const rows = Array.from({ length: 30 }, (_, i) => `T-${i},t${i}@x.io,2026-01-05,Won,,,${i},Google,No,,,,`);
    const file = writeCsv('late-failure.csv', [HEADER, ...rows, 'T-bad,bad,2026-01-05,Won,,,1,Google,No,,,,', ''].join('\n'));
    const mapping = {
      ...MAPPING,
      attributes: {
        ...MAPPING.attributes,
        Visits: { attribute: 'fxLateVisits', type: 'number' as const, define: { label: 'V', description: 'V' } },
      },
    };
    const summary = await runImport({ file, mapping, batchSize: 7, maxRejected: 0 });
    expect(summary.status).toBe('failed');
    expect(summary.error?.code).toBe('TOO_MANY_REJECTED');
    expect(summary.rowsRead).toBe(31);
    expect(summary.rejected.details).toEqual([{ line: 32, externalId: null, problems: ['Email: not an e-mail address ("bad")'] }]);
    expect(await count('SELECT count(*) FROM lead')).toBe(leadsBefore);
    expect(await count(`SELECT count(*) FROM attribute_definition WHERE name = 'fxLateVisits'`)).toBe(0);
  });

  it('a failure while batches are still being written waits for them, then rolls them back', async () => {
    const lines = (visits: (i: number) => number, activity: string) =>
      Array.from({ length: 10 }, (_, i) => `W-${i},w${i}@x.io,2026-01-05,Won,,,${visits(i)},Google,No,,,${activity},`);
    const existing = writeCsv('existing.csv', [HEADER, ...lines((i) => i, ''), ''].join('\n'));
    expect((await runImport({ file: existing, mapping: MAPPING })).imported.created).toBe(10);
    // The same leads with new values and an activity each, in batches of five, then a row that fails
    // the import while the last batches are still queued or being written.
    const changed = writeCsv(
      'in-flight.csv',
      [HEADER, ...lines((i) => i + 1, 'Email Opened'), 'W-bad,bad,2026-01-05,Won,,,1,Google,No,,,,', ''].join('\n'),
    );
    for (let run = 0; run < 5; run++) {
      const summary = await runImport({ file: changed, mapping: MAPPING, batchSize: 5, maxRejected: 0 });
      expect(summary.error?.code).toBe('TOO_MANY_REJECTED');
      expect(summary.imported.unchanged).toBe(0);
    }
    // A write left running would land after runImport returned: wait until no other session of the
    // database is busy (none ever is on PGlite), then look.
    await until(
      async () =>
        (await count(
          `SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
        )) === 0,
      'no write of the import is left running',
    );
    expect(await count(`SELECT count(*) FROM activity a JOIN lead l ON l.id = a.lead_id WHERE l.external_id LIKE 'W-%'`)).toBe(0);
    expect(
      await count(
        `SELECT count(*) FROM lead WHERE external_id LIKE 'W-%' AND (attributes->>'fxVisits')::int = substr(external_id, 3)::int`,
      ),
    ).toBe(10);
  });

  it('too many rows, a file too big, a mapping that contradicts the catalog, a broken CSV', async () => {
    const file = writeCsv(
      'three.csv',
      [HEADER, 'M-1,a@x.io,,Open,,,,,,,,,', 'M-2,b@x.io,,Open,,,,,,,,,', 'M-3,c@x.io,,Open,,,,,,,,,', ''].join('\n'),
    );
    expect((await runImport({ file, mapping: MAPPING, maxRows: 2 })).error?.code).toBe('TOO_MANY_ROWS');
    expect((await runImport({ file, mapping: MAPPING, maxFileBytes: 100 })).error?.message).toMatch(/the limit is 0\.0 MB/);
    const conflicting = {
      ...MAPPING,
      attributes: { ...MAPPING.attributes, Visits: { attribute: 'companySize', type: 'string' as const } },
    };
    expect((await runImport({ file, mapping: conflicting })).error).toMatchObject({
      code: 'CATALOG_CONFLICT',
      problems: [
        { path: 'attributes.Visits.type', message: expect.stringContaining('"companySize" is a number in the attribute catalog') },
      ],
    });
    const broken = writeCsv('broken.csv', [HEADER, 'B-1,"unclosed,2026-01-05,Open,,,,,,,,,', ''].join('\n'));
    expect((await runImport({ file: broken, mapping: MAPPING })).error).toMatchObject({
      code: 'INVALID_FILE',
      message: expect.stringContaining('line 2: Quoted field unterminated'),
    });
    expect(await count(`SELECT count(*) FROM lead WHERE external_id LIKE 'M-%' OR external_id LIKE 'B-%'`)).toBe(0);
  });
});

describe('NUL characters and unpaired surrogates', () => {
  it('a row with a NUL in any column it reads is rejected with its line and column; the other rows are imported', async () => {
    const file = writeCsv(
      'nul.csv',
      [
        HEADER,
        'Z-1\0,a@x.io,2026-01-05,Open,,,1,Google,No,,,,', // line 2: externalId
        'Z-2,b@x.io,2026-01-05,Open,,,1,Goo\0gle,No,,,,', // line 3: an attribute (and the source)
        'Z-3,c@x.io,2026-01-05,Open,,,1,Google,No,,,Email\0Opened,', // line 4: an activity
        'Z-4,d@x.io,2026-01\0-05,Won,,,1,Google,No,,,,', // line 5: a date
        'Z-5,e@x.io,2026-01-05,Won,2026-02-01,1\0,1,Google,No,,,,', // line 6: a deal value
        'Z-6,f@x.io,2026-01-05,Open,,,1,Google,No,,,Email Opened,', // line 7: fine
        '',
      ].join('\n'),
    );
    const summary = await runImport({ file, mapping: mappingFile, now: new Date('2026-03-01T00:00:00Z') });
    expect(summary.status).toBe('imported');
    expect(summary.imported.created).toBe(1);
    expect(summary.rejected.details).toEqual([
      { line: 2, externalId: null, problems: ['Id: contains a NUL character ("Z-1\\u0000")'] },
      {
        line: 3,
        externalId: null,
        problems: ['Source: contains a NUL character ("Goo\\u0000gle")', 'Source: contains a NUL character ("Goo\\u0000gle")'],
      },
      { line: 4, externalId: null, problems: ['Last Activity: contains a NUL character ("Email\\u0000Opened")'] },
      { line: 5, externalId: null, problems: ['Created: contains a NUL character ("2026-01\\u0000-05")'] },
      { line: 6, externalId: null, problems: ['Amount: contains a NUL character ("1\\u0000")'] },
    ]);
    expect(await t.sql(`SELECT external_id FROM lead WHERE external_id LIKE 'Z-%'`)).toEqual([{ external_id: 'Z-6' }]);
  });

  it('a mapping with a NUL or a lone surrogate anywhere is refused naming the place, and nothing is written', async () => {
    const file = writeCsv('clean.csv', [HEADER, 'Q-1,a@x.io,2026-01-05,Open,,,1,Google,No,,,,', ''].join('\n'));
    const cases: Array<[ImportMapping, string]> = [
      [{ ...MAPPING, segment: { value: 'fixture\ud800' } }, 'segment.value'],
      [{ ...MAPPING, defaults: { nullValues: ['Select', 'n/a\0'] } }, 'defaults.nullValues[1]'],
      [
        { ...MAPPING, activities: [{ column: 'Last Activity', types: { 'Email\0Opened': 'email_open' } }] },
        'activities[0].types["Email\\u0000Opened"]',
      ],
    ];
    for (const [mapping, path] of cases) {
      const mappingPath = writeCsv('bad.mapping.json', JSON.stringify(mapping));
      const summary = await runImport({ file, mapping: mappingPath });
      expect(summary.error, path).toMatchObject({
        code: 'INVALID_MAPPING',
        problems: [{ path, message: expect.stringMatching(/NUL|surrogate/) }],
      });
    }
    expect(await count(`SELECT count(*) FROM lead WHERE external_id = 'Q-1'`)).toBe(0);
  });
});
