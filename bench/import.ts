/**
 * CSV import, end to end, on real PostgreSQL.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/import.ts [--rows 200000] [--batch-size 5000] [--keep]
 *
 * Writes a seeded (deterministic) CSV shaped like the X Education export (same 37 columns, values
 * drawn from its distributions) to os.tmpdir(), creates a scratch database, publishes the
 * x-education rule set for its segment, and imports the file with rules/x-education.mapping.json
 * through the import service, as the CLI does. Prints the load (read, validate, COPY, upsert) and the
 * scoring separately, then re-imports the same file (every lead unchanged).
 */
import 'reflect-metadata';
import { createWriteStream, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../server/src/app';
import { createLogger } from '../server/src/common/logger';
import { REPO_ROOT } from '../server/src/common/paths';
import { ImportProgressBar } from '../server/src/imports/import-progress-bar';
import type { ImportSummary } from '../server/src/imports/import-summary';
import { copyFloor } from './support/floors';
import { processCpuMs } from './support/process-cpu';
import { printFigure } from './support/report';
import { attributeCatalogFromMapping, parseMapping } from '../server/src/imports/mapping';
import type { Actor } from '../server/src/auth/actor';
import { mulberry32 } from '../server/src/common/random';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    'batch-size': { type: 'string', default: '5000' },
    keep: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values['batch-size']);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const dbName = `ls_bench_import_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const MAPPING_FILE = path.join(REPO_ROOT, 'rules', 'x-education.mapping.json');
const RULE_SET_FILE = path.join(REPO_ROOT, 'rules', 'x-education.json');
const csvFile = path.join(os.tmpdir(), `ls_bench_import_${process.pid}.csv`);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const random = mulberry32;

async function generateCsv(file: string, rows: number): Promise<void> {
  const rnd = random(42);
  const pick = <T>(weighted: Array<[T, number]>): T => {
    let r = rnd() * weighted.reduce((sum, [, w]) => sum + w, 0);
    for (const [value, weight] of weighted) {
      r -= weight;
      if (r < 0) return value;
    }
    return weighted[weighted.length - 1][0];
  };
  const yesNo = (p: number) => (rnd() < p ? 'Yes' : 'No');
  const header = readFileSync(path.join(REPO_ROOT, '..', 'shared', 'datasets', 'x-education', 'Leads.csv'), 'utf8').split(/\r?\n/, 1)[0];
  const out = createWriteStream(file);
  const write = (text: string) => (out.write(text) ? null : once(out, 'drain'));
  write(`${header}\n`);
  for (let i = 0; i < rows; i += 1) {
    const converted = rnd() < 0.385;
    const visits = pick([
      ['0', 24],
      ['2', 18],
      ['3', 14],
      ['4', 12],
      ['5', 8],
      ['8', 6],
      ['12', 3],
      ['', 1.5],
      ['1', 4],
    ]);
    const time = visits === '0' ? '0' : String(Math.floor(rnd() * (converted ? 2200 : 900)));
    const fields = [
      `bench-${i.toString(36)}-${Math.floor(rnd() * 1e9).toString(36)}`,
      String(600000 + i),
      pick([
        ['Landing Page Submission', 53],
        ['API', 39],
        ['Lead Add Form', 8],
        ['Lead Import', 0.6],
      ]),
      pick([
        ['Google', 31],
        ['Direct Traffic', 28],
        ['Olark Chat', 19],
        ['Organic Search', 12],
        ['Reference', 6],
        ['Welingak Website', 1.5],
        ['google', 0.1],
        ['', 0.4],
      ]),
      yesNo(0.08),
      yesNo(0.001),
      converted ? '1' : '0',
      visits,
      time,
      visits === '0' ? '0' : visits === '' ? '' : (1 + rnd() * 5).toFixed(2).replace(/\.?0+$/, ''),
      pick([
        ['Email Opened', 37],
        ['SMS Sent', 30],
        ['Olark Chat Conversation', 10],
        ['Page Visited on Website', 7],
        ['Converted to Lead', 5],
        ['Email Bounced', 3.5],
        ['', 1],
      ]),
      pick([
        ['India', 70],
        ['', 27],
        ['United States', 1],
        ['United Arab Emirates', 0.6],
        ['Singapore', 0.3],
        ['unknown', 0.1],
      ]),
      pick([
        ['Select', 21],
        ['', 16],
        ['Finance Management', 11],
        ['Human Resource Management', 9],
        ['Marketing Management', 9],
        ['Operations Management', 5],
      ]),
      pick([
        ['Select', 55],
        ['', 24],
        ['Online Search', 9],
        ['Word Of Mouth', 4],
        ['Student of SomeSchool', 3],
      ]),
      pick([
        ['Unemployed', 61],
        ['', 29],
        ['Working Professional', 7.6],
        ['Student', 2.3],
        ['Other', 0.2],
      ]),
      pick([
        ['Better Career Prospects', 71],
        ['', 29],
      ]),
      yesNo(0.0015),
      'No',
      yesNo(0.0002),
      'No',
      'No',
      yesNo(0.0005),
      yesNo(0.0008),
      'No',
      pick([
        ['', 36],
        ['Will revert after reading the email', 22],
        ['Ringing', 13],
        ['Interested in other courses', 6],
      ]),
      pick([
        ['', 52],
        ['Might be', 17],
        ['Not Sure', 12],
        ['High in Relevance', 7],
        ['Worst', 6.5],
      ]),
      'No',
      'No',
      pick([
        ['Select', 45],
        ['', 29],
        ['Potential Lead', 17],
        ['Other Leads', 5],
      ]),
      pick([
        ['Mumbai', 35],
        ['Select', 24],
        ['', 15],
        ['Thane & Outskirts', 8],
        ['Other Cities', 7],
        ['Tier II Cities', 1],
      ]),
      pick([
        ['', 46],
        ['02.Medium', 41],
        ['01.High', 9],
        ['03.Low', 4],
      ]),
      pick([
        ['', 46],
        ['02.Medium', 30],
        ['01.High', 24],
      ]),
      pick([
        ['', 46],
        ['14', 19],
        ['15', 14],
        ['13', 8],
        ['16', 5],
        ['17', 4],
      ]),
      pick([
        ['', 46],
        ['15', 19],
        ['18', 12],
        ['16', 6],
        ['17', 6],
        ['20', 3],
        ['19', 3],
      ]),
      'No',
      yesNo(0.31),
      pick([
        ['Modified', 37],
        ['Email Opened', 31],
        ['SMS Sent', 24],
        ['Page Visited on Website', 3],
        ['Olark Chat Conversation', 2],
      ]),
      '',
    ];
    const pending = write(`${fields.join(',')}\n`);
    if (pending) await pending;
  }
  out.end();
  await once(out, 'finish');
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** CPU milliseconds used so far by this database's server processes (local server); null when unreadable. */
async function serverCpuMs(client: pg.Client, database: string): Promise<number | null> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return processCpuMs(rows.map((row) => row.pid));
}

/** Runs one import and reports wall time per phase, plus CPU time of this process and of the database server. */
async function timedImport(label: string, app: Awaited<ReturnType<typeof createApp>>, monitor: pg.Client): Promise<ImportSummary> {
  const cpuBefore = process.cpuUsage();
  const serverBefore = await serverCpuMs(monitor, dbName);
  const bar = process.stderr.isTTY ? new ImportProgressBar() : null;
  const summary = await app.services.imports
    .run({ file: csvFile, mapping: MAPPING_FILE, batchSize: BATCH, onProgress: bar?.update })
    .finally(() => bar?.stop());
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = await serverCpuMs(monitor, dbName);
  report(label, summary);
  const server = serverBefore === null || serverAfter === null ? 'n/a' : secs(serverAfter - serverBefore);
  console.log(`  CPU time (load + scoring):             node ${secs((cpu.user + cpu.system) / 1000)}, PostgreSQL ${server}`);
  return summary;
}

function report(label: string, summary: ImportSummary): void {
  const loadRate = summary.rowsRead / (summary.timings.loadMs / 1000);
  console.log(
    `${label}: ${summary.status}, ${fmt(summary.rowsRead)} rows read, created ${fmt(summary.imported.created)}, updated ${fmt(summary.imported.updated)}, unchanged ${fmt(summary.imported.unchanged)}, rejected ${fmt(summary.rejected.rows)}`,
  );
  console.log(`  load (read + validate + COPY + upsert): ${secs(summary.timings.loadMs)} = ${fmt(loadRate)} rows/s`);
  console.log(
    `  scoring:                               ${secs(summary.timings.scoreMs)} = ${summary.scoring.leadsScored ? fmt(summary.scoring.leadsScored / (summary.timings.scoreMs / 1000)) : 0} leads/s (${fmt(summary.scoring.leadsScored)} leads)`,
  );
  console.log(`  total (one transaction, with commit):  ${secs(summary.timings.totalMs)}`);
}

const t = Date.now();
await generateCsv(csvFile, ROWS);
console.log(`generated ${csvFile}: ${fmt(ROWS)} rows, ${(statSync(csvFile).size / 1048576).toFixed(1)} MB in ${secs(Date.now() - t)}`);

await admin(`CREATE DATABASE ${dbName}`);
let closeApp = async () => {};
try {
  const app = await createApp({ database: { kind: 'postgres', url: url.toString() }, logger: createLogger('warn') });
  closeApp = () => app.close();
  // The rule set the imported leads are scored with, published for their segment.
  const mapping = parseMapping(readFileSync(MAPPING_FILE, 'utf8'));
  for (const spec of attributeCatalogFromMapping(mapping).values())
    if (spec.name !== 'country') await app.services.leads.defineAttribute(spec);
  const actor: Actor = { name: 'user:bench@local', role: 'admin' };
  const { workflow } = app.services;
  const { draft } = await workflow.createRuleSet(actor, {
    key: 'x-education',
    name: 'X Education',
    segments: ['x-education'],
    definition: JSON.parse(readFileSync(RULE_SET_FILE, 'utf8')),
  });
  await workflow.submitForReview(actor, draft.id);
  await workflow.review({ name: 'user:m@local', role: 'marketing' }, { versionId: draft.id, approve: true });
  await workflow.review({ name: 'user:s@local', role: 'sales' }, { versionId: draft.id, approve: true });
  await workflow.publish(actor, draft.id);
  console.log(`scratch database ${dbName}, batches of ${fmt(BATCH)} rows, mapping ${path.basename(MAPPING_FILE)}\n`);

  const monitor = new pg.Client({ connectionString: adminUrl });
  await monitor.connect();
  try {
    console.log(
      `machine: ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')} (other processes compete for the CPUs)\n`,
    );
    const first = await timedImport('first import', app, monitor);
    console.log('');
    const again = await timedImport('same file again', app, monitor);
    // The floor a moment later: the same file loaded by one plain COPY into a table of text columns.
    const floorClient = new pg.Client({ connectionString: url.toString() });
    await floorClient.connect();
    const copySeconds = await copyFloor(floorClient, csvFile).finally(() => floorClient.end());
    const floor = { label: 'plain SQL: one COPY of the file into text columns', value: ROWS / copySeconds };
    console.log('');
    for (const [name, summary] of [
      ['first import', first],
      ['re-import', again],
    ] as const) {
      printFigure({
        figure: `CSV import of ${fmt(ROWS)} rows, ${name} (load)`,
        value: summary.rowsRead / (summary.timings.loadMs / 1000),
        unit: 'rows/s',
        floor,
      });
    }
  } finally {
    await monitor.end();
  }
} finally {
  await closeApp();
  if (values.keep) console.log(`kept the scratch database ${dbName} and ${csvFile} (--keep)`);
  else await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  if (!process.env.KEEP_CSV && !values.keep) rmSync(csvFile, { force: true });
}
