import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHelpers, GOOD_AND_BAD, HEADER, MAPPING } from './support/imports';
import { writeImportReport } from '../server/src/imports/import-cli';
import type { ImportSummary } from '../server/src/imports/import-summary';
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
