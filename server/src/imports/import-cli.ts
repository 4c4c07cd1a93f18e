import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DatabaseConfig } from '../db/database-config';
import { describeDatabase } from '../db/database-config';
import { ImportError, ImportErrorCode } from './import.errors';
import type { ImportService } from './import.service';
import { ImportProgressBar } from './import-progress-bar';
import { IMPORT_DEFAULTS, type ImportOptions, type ImportSummary } from './import-summary';

export const USAGE = `Usage: npm run import -- <file.csv> --mapping <mapping.json> [options]

Imports leads from a CSV file into the service's database (DATABASE_URL, else the embedded database
in DATA_DIR, default .data/pglite): creates or updates each lead by externalId, sets outcomes,
defines missing attributes from the mapping, then scores the imported leads. The whole file is one
transaction: if the import fails, nothing is written. Rows that fail validation are rejected and
reported with their line numbers; the others are imported.

Options:
  --mapping <file>       the import mapping (JSON, see rules/import-mapping.schema.json)   (required)
  --dry-run              read and validate everything, report what would happen, write nothing
  --report <file>        where to write the JSON report with every rejected row
                         (default .data/import-reports/<file>-<time>.json; "none" for no file)
  --max-rows <n>         refuse files with more data rows (default ${IMPORT_DEFAULTS.maxRows.toLocaleString('en-US')})
  --max-file-mb <n>      refuse larger files (default ${IMPORT_DEFAULTS.maxFileBytes / 1048576})
  --max-rejected <n>     import nothing if more rows than this are rejected (default: no limit)
  --batch-size <n>       rows per write (default ${IMPORT_DEFAULTS.batchSize.toLocaleString('en-US')})
  --no-progress          no progress bar (it is shown only when stderr is a terminal anyway)
  -h, --help             this text

The embedded database (PGlite) can be open in only one process at a time: stop the service
(npm start / npm run demo) before importing into it, or import into PostgreSQL (DATABASE_URL)
while the service runs.

Exit codes: 0 imported (or dry run done), 1 nothing imported (see the error), 2 usage error.`;

/** What the CLI needs of the app it builds (scripts/import.ts builds it with createApp). */
export interface ImportRuntime {
  imports: Pick<ImportService, 'run'>;
  close(): Promise<void>;
}

export interface ImportCliIo {
  database: DatabaseConfig;
  /** Builds the app on the database (the CLI's own process, so it owns the embedded database). */
  open: (database: DatabaseConfig) => Promise<ImportRuntime>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** For the default report name; tests pass a fixed time. */
  now?: Date;
  /** Progress bars on stderr. Default: when stderr is a terminal. */
  progress?: boolean;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Processes other than this one holding files of the embedded database directory open (Linux: /proc). */
export function processesUsing(dataDir: string): number[] | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return null; // no /proc (macOS, Windows): cannot tell
  }
  const prefix = `${path.resolve(dataDir)}${path.sep}`;
  const holders: number[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's process
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(prefix)) {
          holders.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return holders;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (name === '--max-rejected' ? 0 : 1))
    throw new UsageError(`${name} must be a whole number${name === '--max-rejected' ? '' : ' above 0'}, got "${value}"`);
  return n;
}

class UsageError extends Error {}

export function formatSummary(summary: ImportSummary): string[] {
  const lines: string[] = [];
  const verb = summary.status === 'dry_run' ? 'Dry run of' : summary.status === 'imported' ? 'Imported' : 'FAILED to import';
  lines.push(`${verb} ${summary.file} with ${summary.mapping}`);
  lines.push(`  database        ${summary.database}`);
  lines.push(`  rows read       ${fmt(summary.rowsRead)}`);
  const { imported } = summary;
  if (summary.status === 'dry_run') {
    lines.push(
      `  would import    ${fmt(imported.total)} (create ${fmt(imported.created)}, update or leave unchanged ${fmt(imported.updated)})`,
    );
  } else if (summary.status === 'imported') {
    lines.push(
      `  imported        ${fmt(imported.total)} (created ${fmt(imported.created)}, updated ${fmt(imported.updated)}, unchanged ${fmt(imported.unchanged)})`,
    );
  } else {
    lines.push('  imported        nothing: the import ran in one transaction, which was rolled back');
  }
  lines.push(`  rejected        ${fmt(summary.rejected.rows)}${summary.rejected.rows ? ' rows (reasons below)' : ''}`);
  if (summary.attributesDefined.length) {
    lines.push(
      `  attributes      ${summary.status === 'dry_run' ? 'would define' : 'defined'} ${summary.attributesDefined.length}: ${summary.attributesDefined.join(', ')}`,
    );
  }
  if (summary.activities.inserted || summary.activities.alreadyRecorded) {
    lines.push(`  activities      ${fmt(summary.activities.inserted)} recorded, ${fmt(summary.activities.alreadyRecorded)} already there`);
  }
  if (summary.status === 'imported')
    lines.push(`  scored          ${fmt(summary.scoring.leadsScored)} leads (${fmt(summary.scoring.leadsChanged)} scores changed)`);
  lines.push(
    `  time            load ${seconds(summary.timings.loadMs)} (${fmt(summary.rowsPerSecond)} rows/s), scoring ${seconds(summary.timings.scoreMs)}, total ${seconds(summary.timings.totalMs)}`,
  );
  if (summary.reportFile) lines.push(`  report          ${summary.reportFile}`);
  if (summary.rejected.byReason.length) {
    lines.push('Rejected rows by reason:');
    for (const group of summary.rejected.byReason) {
      const more = group.rows > group.firstLines.length ? ', ...' : '';
      lines.push(
        `  ${fmt(group.rows).padStart(7)}  ${group.reason}  (line${group.firstLines.length > 1 ? 's' : ''} ${group.firstLines.join(', ')}${more})`,
      );
    }
  }
  if (summary.error) lines.push(`Error (${summary.error.code}): ${summary.error.message}`);
  return lines;
}

/** Writes the summary (with every rejected row) as JSON to `file`. */
export async function writeImportReport(file: string, summary: ImportSummary): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
}

/** Prints each rejected row to stderr (the report file holds all of them). */
const MAX_PRINTED_REJECTIONS = 1000;

/** The command line as node:util parses it. */
function parseArgv(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mapping: { type: 'string' },
      'dry-run': { type: 'boolean' },
      report: { type: 'string' },
      'max-rows': { type: 'string' },
      'max-file-mb': { type: 'string' },
      'max-rejected': { type: 'string' },
      'batch-size': { type: 'string' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `npm run import`; returns the exit code. */
export async function runImportCli(argv: string[], io: ImportCliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv(argv);
  } catch (error) {
    io.err(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let options: ImportOptions;
  let reportFile: string | null;
  let progress: boolean;
  try {
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? `give one CSV file, got ${positionals.length}` : 'give the CSV file to import');
    if (!values.mapping) throw new UsageError('--mapping <mapping.json> is required');
    const maxFileMb = values['max-file-mb'] === undefined ? undefined : Number(values['max-file-mb']);
    if (maxFileMb !== undefined && !(maxFileMb > 0))
      throw new UsageError(`--max-file-mb must be a number above 0, got "${values['max-file-mb']}"`);
    const file = positionals[0];
    const stamp = (io.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
    reportFile =
      values.report === 'none'
        ? null
        : (values.report ?? path.resolve('.data', 'import-reports', `${path.basename(file, path.extname(file))}-${stamp}.json`));
    options = {
      file,
      mapping: values.mapping,
      dryRun: values['dry-run'] === true,
      maxRows: positiveInt(values['max-rows'], '--max-rows'),
      maxFileBytes: maxFileMb === undefined ? undefined : Math.floor(maxFileMb * 1048576),
      maxRejected: positiveInt(values['max-rejected'], '--max-rejected'),
      batchSize: positiveInt(values['batch-size'], '--batch-size'),
      databaseLabel: describeDatabase(io.database),
    };
    progress = values['no-progress'] ? false : (io.progress ?? process.stderr.isTTY === true);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  if (io.database.kind === 'embedded' && io.database.dataDir) {
    const holders = processesUsing(io.database.dataDir);
    if (holders?.length) {
      const error = ImportError.of(
        ImportErrorCode.DatabaseLocked,
        `the embedded database ${io.database.dataDir} is open in another process (pid ${holders.join(', ')}): PGlite allows one process at a time. Stop it (the service: npm start / npm run demo) and run the import again, or set DATABASE_URL to import into PostgreSQL.`,
      );
      io.err(`error: ${error.message}`);
      return 1;
    }
  }

  const runtime = await io.open(io.database);
  try {
    const bar = progress ? new ImportProgressBar() : null;
    const summary = await runtime.imports.run({ ...options, onProgress: bar?.update }).finally(() => bar?.stop());
    if (reportFile) {
      await writeImportReport(reportFile, summary);
      summary.reportFile = reportFile;
    }
    const shown = summary.rejected.details.slice(0, MAX_PRINTED_REJECTIONS);
    for (const row of shown) io.err(`line ${row.line}: ${row.problems.join('; ')}`);
    if (summary.rejected.rows > shown.length)
      io.err(
        `... and ${fmt(summary.rejected.rows - shown.length)} more rejected rows${summary.reportFile ? ` (all in ${summary.reportFile})` : ''}`,
      );
    const lines = formatSummary(summary);
    for (const line of lines) (summary.status === 'failed' ? io.err : io.out)(line);
    return summary.status === 'failed' ? 1 : 0;
  } finally {
    await runtime.close();
  }
}
