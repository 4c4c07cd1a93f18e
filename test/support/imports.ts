import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../server/src/common/paths';
import type { ImportOptions, ImportSummary } from '../../server/src/imports/import-summary';
import type { ImportMapping } from '../../server/src/imports/mapping-types';
import type { TestApp } from './test-app';

/* What the import tests share: the fixture mapping and CSV, the X Education files and helpers. */

export const DATASET = path.resolve(REPO_ROOT, '..', 'shared', 'datasets', 'x-education', 'Leads.csv');
export const XE_MAPPING = path.join(REPO_ROOT, 'rules', 'x-education.mapping.json');
export const XE_RULE_SET = path.join(REPO_ROOT, 'rules', 'x-education.json');

export const MAPPING: ImportMapping = {
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

export const HEADER = 'Id,Email,Created,Stage,Closed,Amount,Visits,Source,Opt Out,Tier,Tags,Last Activity,';
export const GOOD_AND_BAD = [
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

/**
 * Helpers that read and write through the app the test file created (`app` and `dir`, the test file's
 * temporary directory, are called when they run). */
export function importHelpers(app: () => TestApp, dir: () => string) {
  function writeCsv(name: string, text: string): string {
    const file = path.join(dir(), name);
    writeFileSync(file, text);
    return file;
  }

  /** The import service of the test app, as the CLI runs it. */
  function runImport(options: ImportOptions): Promise<ImportSummary> {
    return app().app.services.imports.run(options);
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await app().sql<{ n: number }>(`SELECT (${sql})::int AS n`, params);
    return row.n;
  }

  return { writeCsv, runImport, count };
}
