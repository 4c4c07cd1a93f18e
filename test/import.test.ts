import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { runImportCli, writeImportReport } from '../server/src/imports/import-cli';
import type { ImportOptions, ImportSummary } from '../server/src/imports/import-summary';
import { attributeCatalogFromMapping, parseMapping } from '../server/src/imports/mapping';
import type { ImportMapping } from '../server/src/imports/mapping-types';
import type { Actor } from '../server/src/auth/actor';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

const DATASET = path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'x-education', 'Leads.csv');
const XE_MAPPING = path.join(REPO_ROOT, 'rules', 'x-education.mapping.json');
const XE_RULE_SET = path.join(REPO_ROOT, 'rules', 'x-education.json');

const MAPPING: ImportMapping = {
  formatVersion: 1,
  name: 'Fixture CRM export',
  defaults: { nullValues: ['Select'] },
  externalId: 'Id',
  email: 'Email',
  source: { column: 'Source', normalise: { case: 'lower' } },
  segment: { value: 'fixture' },
  createdAt: 'Created',
  outcome: { column: 'Stage', converted: ['Won'], lost: ['Lost'], open: ['Open'], dateColumn: 'Closed', dealValueColumn: 'Amount' },
  attributes: {
    Visits: { attribute: 'fxVisits', type: 'number', define: { label: 'Visits', description: 'Website visits' } },
    Source: {
      attribute: 'fxChannel',
      type: 'string',
      normalise: { case: 'lower' },
      define: { label: 'Channel', description: 'Channel, lower case' },
    },
    'Opt Out': { attribute: 'fxOptOut', type: 'boolean', define: { label: 'Opt-out', description: 'Asked not to be e-mailed' } },
    Tier: {
      attribute: 'fxTier',
      type: 'string',
      normalise: { case: 'lower' },
      define: { label: 'Tier', description: 'Customer tier', values: ['gold', 'silver'] },
    },
  },
  ignore: ['Tags'],
  activities: [{ column: 'Last Activity', types: { 'Email Opened': 'email_open', 'SMS Sent': 'sms' } }],
};

const HEADER = 'Id,Email,Created,Stage,Closed,Amount,Visits,Source,Opt Out,Tier,Tags,Last Activity,';
const GOOD_AND_BAD = [
  HEADER,
  'L-1,Ana@Acme.io,2026-01-05,Won,2026-02-01,990.50,7,Google,No,Select,"hot,\nvery hot",Email Opened,', // lines 2-3
  'L-2,bo@acme.io,2026-01-06,Lost,2026-01-20,,3,google,Yes,Gold,,SMS Sent,', // line 4
  'L-3,,2026-01-07,Open,,,,Olark Chat,No,,,,', // line 5
  'L-4,not-an-email,2026-01-08,Won,,,abc,Google,maybe,,,,', // line 6: three problems
  ',x@y.io,2026-01-08,Won,,,1,Google,No,,,,', // line 7: no externalId
  'L-1,dup@acme.io,2026-01-05,Won,,,1,Google,No,,,,', // line 8: duplicate of line 2
  'L-5,e@x.io,2026-01-09,Won,2026-01-10,12.5,2,Direct,no,silver,,,', // line 9
  'L-6,f@x.io,2026-01-09,Pending,,,2,Direct,no,,,,', // line 10: unknown outcome
  'L-7,g@x.io,2026-01-09,Won', // line 11: too few fields
  'L-8,h@x.io,2026-01-09,Won,,,2,Direct,no,platinum,,,', // line 12: not an allowed tier
  '',
].join('\n');

let t: TestApp;
let dir: string;
let mappingFile: string;

function writeCsv(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The import service of the test app, as the CLI runs it. */
function runImport(options: ImportOptions): Promise<ImportSummary> {
  return t.app.services.imports.run(options);
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await t.sql<{ n: number }>(`SELECT (${sql})::int AS n`, params);
  return row.n;
}

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

describe('importing a CSV file', () => {
  let first: ImportSummary;
  let file: string;

  beforeAll(async () => {
    file = writeCsv('crm.csv', GOOD_AND_BAD);
    first = await runImport({
      file,
      mapping: mappingFile,
      now: new Date('2026-03-01T00:00:00Z'),
    });
    // The CLI writes the report file (--report) from the summary.
    await writeImportReport(path.join(dir, 'report.json'), first);
  });

  it('imports the good rows and reports every bad row with its line number and reasons', () => {
    expect(first.status).toBe('imported');
    expect(first.rowsRead).toBe(10);
    expect(first.imported).toEqual({ total: 4, created: 4, updated: 0, unchanged: 0 });
    expect(first.rejected.rows).toBe(6);
    expect(first.rejected.details).toEqual([
      {
        line: 6,
        externalId: null,
        problems: ['Email: not an e-mail address ("not-an-email")', 'Visits: not a number ("abc")', 'Opt Out: not yes/no ("maybe")'],
      },
      { line: 7, externalId: null, problems: ['Id: blank externalId'] },
      { line: 8, externalId: 'L-1', problems: ['duplicate externalId ("L-1, first on line 2")'] },
      { line: 10, externalId: null, problems: ['Stage: not a known outcome value (outcome.converted / lost / open) ("Pending")'] },
      { line: 11, externalId: null, problems: ['has 4 fields, the header has 13'] },
      { line: 12, externalId: null, problems: ['Tier: not an allowed value ("platinum")'] },
    ]);
    expect(first.rejected.byReason).toEqual(
      expect.arrayContaining([
        { reason: 'Visits: not a number', rows: 1, firstLines: [6] },
        { reason: 'duplicate externalId', rows: 1, firstLines: [8] },
        { reason: 'Tier: not an allowed value', rows: 1, firstLines: [12] },
      ]),
    );
  });

  it('writes the report file with every rejected row', () => {
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as ImportSummary;
    expect(report.rejected.details.map((d) => d.line)).toEqual([6, 7, 8, 10, 11, 12]);
    expect(report.imported.created).toBe(4);
  });

  it('defines the missing attributes in the catalog', async () => {
    expect(first.attributesDefined.sort()).toEqual(['fxChannel', 'fxOptOut', 'fxTier', 'fxVisits']);
    const { data } = await t.gql<{ attributeDefinitions: Array<{ name: string; type: string; allowedValues: string[] | null }> }>(
      '{ attributeDefinitions { name type allowedValues } }',
    );
    expect(data?.attributeDefinitions.filter((a) => a.name.startsWith('fx'))).toEqual([
      { name: 'fxChannel', type: 'string', allowedValues: null },
      { name: 'fxOptOut', type: 'boolean', allowedValues: null },
      { name: 'fxTier', type: 'string', allowedValues: ['gold', 'silver'] },
      { name: 'fxVisits', type: 'number', allowedValues: null },
    ]);
  });

  it('stores typed attributes, outcomes, fields and activities, and scores every imported lead', async () => {
    const query = `query($id: String!) { lead(externalId: $id) {
      externalId email source segment attributes outcome outcomeAt dealValue createdAt
      score { total ruleSetKey } scoreHistory(first: 5) { edges { node { cause } } }
      activities(first: 5) { totalCount edges { node { type occurredAt properties } } } } }`;
    type LeadView = {
      lead: {
        email: string | null;
        source: string | null;
        segment: string | null;
        attributes: Record<string, unknown>;
        outcome: string;
        outcomeAt: string | null;
        dealValue: string | null;
        createdAt: string;
        score: { total: number; ruleSetKey: string } | null;
        scoreHistory: { edges: Array<{ node: { cause: string } }> };
        activities: {
          totalCount: number;
          edges: Array<{ node: { type: string; occurredAt: string; properties: Record<string, unknown> } }>;
        };
      };
    };
    const one = (await t.gql<LeadView>(query, { id: 'L-1' })).data?.lead;
    expect(one).toMatchObject({
      email: 'ana@acme.io',
      source: 'google',
      segment: 'fixture',
      attributes: { fxVisits: 7, fxChannel: 'google', fxOptOut: false },
      outcome: 'CONVERTED',
      outcomeAt: '2026-02-01T00:00:00.000Z',
      dealValue: '990.50',
      createdAt: '2026-01-05T00:00:00.000Z',
    });
    expect(one?.attributes).not.toHaveProperty('fxTier'); // "Select" is no value
    expect(one?.score).toMatchObject({ ruleSetKey: 'default-b2b' });
    expect(one?.scoreHistory.edges.map((e) => e.node.cause)).toEqual(['lead_created']);
    expect(one?.activities.edges.map((e) => e.node)).toEqual([
      { type: 'EMAIL_OPEN', occurredAt: '2026-01-05T00:00:00.000Z', properties: { importedFrom: 'Last Activity', value: 'Email Opened' } },
    ]);

    const two = (await t.gql<LeadView>(query, { id: 'L-2' })).data?.lead;
    expect(two).toMatchObject({
      attributes: { fxVisits: 3, fxChannel: 'google', fxOptOut: true, fxTier: 'gold' },
      outcome: 'LOST',
      outcomeAt: '2026-01-20T00:00:00.000Z',
      dealValue: null,
    });
    expect(two?.activities.edges.map((e) => e.node.type)).toEqual(['SMS']);
    const three = (await t.gql<LeadView>(query, { id: 'L-3' })).data?.lead;
    expect(three).toMatchObject({
      email: null,
      attributes: { fxChannel: 'olark chat', fxOptOut: false },
      outcome: 'OPEN',
      outcomeAt: null,
    });

    expect(await count(`SELECT count(*) FROM lead WHERE segment = 'fixture'`)).toBe(4);
    expect(await count(`SELECT count(*) FROM lead_score s JOIN lead l ON l.id = s.lead_id WHERE l.segment = 'fixture'`)).toBe(4);
    expect(first.scoring.leadsScored).toBe(4);
  });

  it('re-running the same file changes nothing and duplicates nothing', async () => {
    const historyBefore = await count('SELECT count(*) FROM score_history');
    const again = await runImport({ file, mapping: mappingFile, now: new Date('2026-03-01T00:00:00Z') });
    expect(again.status).toBe('imported');
    expect(again.imported).toEqual({ total: 4, created: 0, updated: 0, unchanged: 4 });
    expect(again.rejected.rows).toBe(6);
    expect(again.activities).toEqual({ inserted: 0, alreadyRecorded: 2 });
    expect(again.attributesDefined).toEqual([]);
    expect(await count(`SELECT count(*) FROM lead WHERE segment = 'fixture'`)).toBe(4);
    expect(await count(`SELECT count(*) FROM activity a JOIN lead l ON l.id = a.lead_id WHERE l.segment = 'fixture'`)).toBe(2);
    expect(await count('SELECT count(*) FROM score_history')).toBe(historyBefore);
  });

  it('an updated file replaces the mapped values of existing leads (a blank removes one) and keeps the rest', async () => {
    await t.gql('mutation { upsertLead(input: { externalId: "L-2", attributes: { companySize: 250 } }) { id } }');
    const updated = writeCsv(
      'crm-v2.csv',
      [
        HEADER,
        'L-2,bo@acme.io,2026-01-06,Won,2026-02-10,100,9,google,Yes,Select,,SMS Sent,',
        'L-9,new@x.io,2026-02-01,Open,,,1,Direct,No,,,,',
        '',
      ].join('\n'),
    );
    const summary = await runImport({ file: updated, mapping: mappingFile, now: new Date('2026-03-01T00:00:00Z') });
    expect(summary.imported).toEqual({ total: 2, created: 1, updated: 1, unchanged: 0 });
    const [lead] = await t.sql<{ attributes: Record<string, unknown>; outcome: string; deal_value: string }>(
      `SELECT attributes, outcome, deal_value::text FROM lead WHERE external_id = 'L-2'`,
    );
    expect(lead).toEqual({
      attributes: { fxVisits: 9, fxChannel: 'google', fxOptOut: true, companySize: 250 },
      outcome: 'converted',
      deal_value: '100.00',
    });
    expect(summary.scoring.leadsScored).toBe(2);
  });

  it('a dry run reports what would happen and writes nothing', async () => {
    const before = await count('SELECT count(*) FROM lead');
    const fresh = writeCsv(
      'dry.csv',
      [
        HEADER,
        'D-1,d@x.io,2026-01-05,Won,,,1,Google,No,,,,',
        'L-1,ana@acme.io,2026-01-05,Won,2026-02-01,990.50,7,Google,No,Select,,Email Opened,',
        'D-2,,2026-01-05,Won,,,x,Google,No,,,,',
        '',
      ].join('\n'),
    );
    const summary = await runImport({ file: fresh, mapping: mappingFile, dryRun: true });
    expect(summary.status).toBe('dry_run');
    expect(summary.imported).toMatchObject({ total: 2, created: 1, updated: 1 });
    expect(summary.rejected.details.map((d) => d.line)).toEqual([4]);
    expect(await count('SELECT count(*) FROM lead')).toBe(before);
  });
});

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

describe('values', () => {
  it('keeps backslashes, quotes, tabs and non-ASCII characters as they are', async () => {
    const file = writeCsv('odd-values.csv', [HEADER, 'V\\1,,2026-01-05,Open,,,1,"Back\\slash ""quoted""\ttab é",No,,,,', ''].join('\n'));
    const summary = await runImport({ file, mapping: MAPPING });
    expect(summary.imported.created).toBe(1);
    const rows = await t.sql<{ source: string; channel: string }>(
      `SELECT source, attributes->>'fxChannel' AS channel FROM lead WHERE external_id = 'V\\1'`,
    );
    expect(rows).toEqual([{ source: 'back\\slash "quoted"\ttab é', channel: 'back\\slash "quoted"\ttab é' }]);
  });

  it('writes new leads alike whether their batch holds existing leads or not (creation time, outcome, values)', async () => {
    // On PostgreSQL a batch of new leads only is copied straight into the lead table, any other one
    // is upserted: the same rows must come out the same. Without a createdAt column, a lead exists
    // from its outcome date at the latest.
    const noCreated = { ...MAPPING, createdAt: undefined, ignore: [...MAPPING.ignore, 'Created'] };
    const rows = (prefix: string) => [
      `${prefix}1,a@x.io,2026-01-05,Won,2026-02-01,10,1,Google,No,gold,,,`,
      `${prefix}2,,,Won,,,2,Google,Yes,,,,`,
      `${prefix}3,c@x.io,,Lost,2026-02-15,,,Direct,No,,,,`,
      `${prefix}4,d@x.io,2026-01-07,Open,2026-01-09,5,3,,,silver,,,`,
      `${prefix}5,e@x.io,,Won,2026-03-01T00:04:00Z,,4,Google,No,,,,`,
    ];
    const now = new Date('2026-03-01T00:00:00Z');
    for (const mapping of [MAPPING, noCreated]) {
      const tag = mapping === MAPPING ? 'A' : 'B';
      const alone = writeCsv('new-only.csv', [HEADER, ...rows(`N${tag}-`), ''].join('\n'));
      expect((await runImport({ file: alone, mapping, now })).imported.created).toBe(5);
      const mixed = writeCsv('new-and-existing.csv', [HEADER, rows(`N${tag}-`)[0], ...rows(`M${tag}-`), ''].join('\n'));
      expect((await runImport({ file: mixed, mapping, now })).imported.created).toBe(5);
      const leads = (prefix: string) =>
        t.sql(
          `SELECT substr(external_id, 4) AS n, email, source, segment, attributes, outcome, outcome_at, deal_value::text, created_at, updated_at
             FROM lead WHERE external_id LIKE $1 ORDER BY external_id`,
          [`${prefix}%`],
        );
      const copied = await leads(`N${tag}-`);
      expect(copied).toHaveLength(5);
      expect(await leads(`M${tag}-`)).toEqual(copied);
      const createdAt = copied.map((lead) => (lead.created_at as Date).toISOString());
      expect(createdAt).toEqual(
        mapping === MAPPING
          ? ['2026-01-05T00:00:00.000Z', now.toISOString(), now.toISOString(), '2026-01-07T00:00:00.000Z', now.toISOString()]
          : ['2026-02-01T00:00:00.000Z', now.toISOString(), '2026-02-15T00:00:00.000Z', now.toISOString(), now.toISOString()],
      );
    }
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

describe('the X Education dataset (real, 9,240 leads)', () => {
  let summary: ImportSummary;

  beforeAll(async () => {
    // As a customer would: define the attributes, publish the rule set for the segment, then import.
    const mapping = parseMapping(readFileSync(XE_MAPPING, 'utf8'));
    for (const spec of attributeCatalogFromMapping(mapping).values()) {
      if (spec.name !== 'country') await t.app.services.leads.defineAttribute(spec);
    }
    const { workflow } = t.app.services;
    const admin: Actor = { name: 'user:admin@test.local', role: 'admin' };
    const { draft } = await workflow.createRuleSet(admin, {
      key: 'x-education',
      name: 'X Education',
      segments: ['x-education'],
      definition: JSON.parse(readFileSync(XE_RULE_SET, 'utf8')),
    });
    await workflow.submitForReview(admin, draft.id);
    await workflow.review({ name: 'user:m@test.local', role: 'marketing' }, { versionId: draft.id, approve: true });
    await workflow.review({ name: 'user:s@test.local', role: 'sales' }, { versionId: draft.id, approve: true });
    await workflow.publish(admin, draft.id);
    summary = await runImport({ file: DATASET, mapping: XE_MAPPING });
  });

  it('imports every lead with its outcome (3,561 converted)', async () => {
    expect(summary.status).toBe('imported');
    expect(summary.rowsRead).toBe(9240);
    expect(summary.rejected.rows).toBe(0);
    expect(summary.imported).toEqual({ total: 9240, created: 9240, updated: 0, unchanged: 0 });
    const outcomes = await t.sql<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM lead WHERE segment = 'x-education' GROUP BY outcome ORDER BY outcome`,
    );
    expect(outcomes).toEqual([
      { outcome: 'converted', n: 3561 },
      { outcome: 'lost', n: 5679 },
    ]);
  });

  it('types and normalises the values (Select is no value, case folded, yes/no, numbers, ISO countries), leaves the leaking columns out', async () => {
    const [lead] = await t.sql<{ attributes: Record<string, unknown>; source: string }>(
      `SELECT attributes, source FROM lead WHERE external_id = '2a272436-5132-4136-86fa-dcc88c88f482'`,
    );
    expect(lead.source).toBe('organic search');
    expect(lead.attributes).toMatchObject({
      leadOrigin: 'api',
      leadChannel: 'organic search',
      doNotEmail: false,
      totalVisits: 5,
      timeOnWebsiteSeconds: 674,
      pageViewsPerVisit: 2.5,
      lastActivity: 'email opened',
      country: 'IN',
      occupation: 'unemployed',
      asymmetriqueActivityIndex: 'medium',
      asymmetriqueProfileScore: 15,
    });
    expect(lead.attributes).not.toHaveProperty('specialization'); // "Select"
    expect(await count(`SELECT count(*) FROM lead WHERE attributes ?| ARRAY['tags', 'leadQuality', 'leadProfile', 'leadNumber']`)).toBe(0);
    expect(await count(`SELECT count(DISTINCT attributes->>'leadChannel') FROM lead WHERE attributes->>'leadChannel' ILIKE 'google'`)).toBe(
      1,
    );
  });

  it('re-importing changes nothing and keeps an outcome date and deal value set since (the file has neither)', async () => {
    const [lead] = await t.sql<{ external_id: string }>(
      `SELECT external_id FROM lead WHERE segment = 'x-education' AND outcome = 'converted' ORDER BY id LIMIT 1`,
    );
    const set = await t.gql<{ setLeadOutcome: { dealValue: string } }>(
      'mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { dealValue } }',
      { input: { externalId: lead.external_id, outcome: 'CONVERTED', dealValue: 499 } },
    );
    expect(set.data?.setLeadOutcome.dealValue).toBe('499.00');
    const again = await runImport({ file: DATASET, mapping: XE_MAPPING });
    expect(again.imported).toEqual({ total: 9240, created: 0, updated: 0, unchanged: 9240 });
    expect(await count('SELECT count(*) FROM lead WHERE segment = $1', ['x-education'])).toBe(9240);
    const [after] = await t.sql<{ deal_value: string; outcome_at: Date | null }>(
      'SELECT deal_value::text, outcome_at FROM lead WHERE external_id = $1',
      [lead.external_id],
    );
    expect(after.deal_value).toBe('499.00');
    expect(after.outcome_at).not.toBeNull();
  });

  it('scores every lead with the x-education rule set, and the score separates converted from lost leads', async () => {
    expect(summary.scoring.leadsScored).toBe(9240);
    const byQualified = await t.sql<{ qualified: boolean; n: number; rate: number }>(
      `SELECT s.qualified, count(*)::int AS n, avg((l.outcome = 'converted')::int)::float8 AS rate
         FROM lead l JOIN lead_score s ON s.lead_id = l.id
        WHERE l.segment = 'x-education' AND s.rule_set_key = 'x-education'
        GROUP BY s.qualified`,
    );
    expect(byQualified.reduce((n, row) => n + row.n, 0)).toBe(9240);
    const rate = (qualified: boolean) => byQualified.find((row) => row.qualified === qualified)?.rate ?? Number.NaN;
    expect(rate(true)).toBeGreaterThan(0.7);
    expect(rate(false)).toBeLessThan(0.25);
    // What the import stored is what scoring each lead from scratch gives (a sample across the file).
    const sample = await t.sql<{ leadId: string; total: number; cell: string; ruleSetKey: string; scoredAt: Date }>(
      `SELECT lead_id::text AS "leadId", total, cell, rule_set_key AS "ruleSetKey", scored_at AS "scoredAt" FROM lead_score s JOIN lead l ON l.id = s.lead_id
        WHERE l.segment = 'x-education' AND l.id % 463 = 0 ORDER BY l.id`,
    );
    expect(sample.length).toBeGreaterThan(10);
    for (const stored of sample) {
      const [fromScratch] = await t.app.services.scoreReader.computeScores(t.app.dataSource.manager, [stored.leadId], stored.scoredAt);
      expect({ total: fromScratch.total, cell: fromScratch.cell, ruleSetKey: fromScratch.ruleSetKey }, stored.leadId).toEqual({
        total: stored.total,
        cell: stored.cell,
        ruleSetKey: stored.ruleSetKey,
      });
    }
  });
});
