import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import type { App } from '../app';
import type { Problem } from '../common/errors';
import { SerializedPGlitePool } from '../db/embedded-pool';
import type { ScoringService } from '../scoring/scoring.service';
import { LEAD_FIELD_LIMITS, type LeadService } from '../leads/lead.service';
import type { AttributeType } from '../leads/attribute-definition.entity';
import { CsvSyntaxError, csvRecords, type CsvRecordBatch } from './csv-records';
import { describeRowProblem, ImportError, ImportErrorCode, type RowProblem } from './import.errors';
import {
  checkHeader,
  compileMapping,
  parseMapping,
  planAttributes,
  type CatalogEntry,
  type CompiledMapping,
  type ImportMapping,
  type ImportRow,
} from './mapping';

export const IMPORT_DEFAULTS = {
  batchSize: 5_000,
  scoreChunkSize: 5_000,
  maxRows: 1_000_000,
  maxFileBytes: 512 * 1024 * 1024,
  /** Rejected rows kept in the summary with their reasons (all are counted and grouped). */
  maxRejectedDetails: 100_000,
} as const;

export interface ImportOptions {
  /** The CSV file. */
  file: string;
  /** A mapping file, or a parsed mapping. */
  mapping: string | ImportMapping;
  /** Read and validate everything, write nothing. */
  dryRun?: boolean;
  batchSize?: number;
  scoreChunkSize?: number;
  /** More data rows than this stops the import (nothing is written). */
  maxRows?: number;
  maxFileBytes?: number;
  /** More rejected rows than this stops the import (nothing is written). Default: no limit. */
  maxRejected?: number;
  /** A progress bar on stderr. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Writes the summary (with every rejected row) as JSON there. */
  reportFile?: string | null;
  /** Shown in the summary (the CLI passes describeDatabase()). */
  databaseLabel?: string;
  now?: Date;
}

export interface RejectedRow {
  line: number;
  externalId: string | null;
  problems: string[];
}

export interface ImportSummary {
  status: 'imported' | 'dry_run' | 'failed';
  file: string;
  mapping: string;
  database: string;
  /** Data rows read (the header not counted). */
  rowsRead: number;
  /** Leads written (in a dry run: that would be). `unchanged` leads were already exactly so. */
  imported: { total: number; created: number; updated: number; unchanged: number };
  rejected: {
    rows: number;
    byReason: Array<{ reason: string; rows: number; firstLines: number[] }>;
    /** Every rejected row with its line number (up to IMPORT_DEFAULTS.maxRejectedDetails). */
    details: RejectedRow[];
    detailsTruncated: boolean;
  };
  /** Attributes the import added to the catalog. */
  attributesDefined: string[];
  activities: { inserted: number; alreadyRecorded: number };
  scoring: { leadsScored: number; leadsChanged: number };
  timings: { loadMs: number; scoreMs: number; totalMs: number };
  /** Rows read per second of the load phase (read, validate, write). */
  rowsPerSecond: number;
  /** Why nothing was imported. */
  error?: { code: string; message: string; problems: Problem[] };
  reportFile?: string;
}

interface WriteResult {
  created: string[];
  /** Each created lead's segment: which rule set scores it. */
  createdSegments: Map<string, string | null>;
  updated: string[];
  activityLeadIds: string[];
  activitiesInserted: number;
  activitiesSkipped: number;
}

/** Batches converted and waiting to be written while the current one is. */
const WRITES_AHEAD = 2;

/** PGlite is reached through SerializedPGlitePool; everything else is a PostgreSQL server. */
export function isEmbeddedDatabase(dataSource: DataSource): boolean {
  return (dataSource.options as { driver?: { Pool?: unknown } }).driver?.Pool === SerializedPGlitePool;
}

function emptySummary(options: ImportOptions, database: string): ImportSummary {
  return {
    status: 'failed',
    file: options.file,
    mapping: typeof options.mapping === 'string' ? options.mapping : options.mapping.name,
    database,
    rowsRead: 0,
    imported: { total: 0, created: 0, updated: 0, unchanged: 0 },
    rejected: { rows: 0, byReason: [], details: [], detailsTruncated: false },
    attributesDefined: [],
    activities: { inserted: 0, alreadyRecorded: 0 },
    scoring: { leadsScored: 0, leadsChanged: 0 },
    timings: { loadMs: 0, scoreMs: 0, totalMs: 0 },
    rowsPerSecond: 0,
  };
}

/** Escapes one value for COPY ... FROM STDIN in text format (\N is NULL). */
function copyValue(value: string | number | null): string {
  if (value === null) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : text;
}

/** Columns of a staged row; COPY text lists them in this order. */
const STAGE_COLUMNS =
  'external_id text, email text, source text, segment text, created_at timestamptz, outcome text, outcome_at timestamptz, deal_value numeric, attributes jsonb';

/**
 * The set-based upsert of one batch from a relation `s` with STAGE_COLUMNS. Mapped attributes are
 * replaced (one without a value in the file is removed), others are kept; lead fields the mapping does
 * not fill are not touched. Rows that would not change are skipped, so a re-run reports them as
 * unchanged and writes nothing. `xmax = 0` tells an inserted row from an updated one.
 */
function upsertSql(sourceRelation: string, compiled: CompiledMapping, now: string, names: string): string {
  const { writes } = compiled;
  const set: string[] = [`attributes = (l.attributes - ${names}::text[]) || EXCLUDED.attributes`];
  const before: string[] = ['l.attributes'];
  const after: string[] = [`(l.attributes - ${names}::text[]) || EXCLUDED.attributes`];
  const keep = (column: string, value: string) => {
    set.push(`${column} = ${value}`);
    before.push(`l.${column}`);
    after.push(value);
  };
  const field = (column: string) => keep(column, `EXCLUDED.${column}`);
  if (writes.email) field('email');
  if (writes.source) field('source');
  if (writes.segment) field('segment');
  if (writes.createdAt) field('created_at');
  if (writes.outcome) {
    field('outcome');
    // Without a date (deal value) column the file says nothing about them: an existing lead keeps
    // its own while its outcome stays the same (e.g. set through setLeadOutcome), else loses it.
    if (writes.outcomeAt) field('outcome_at');
    else keep('outcome_at', 'CASE WHEN l.outcome = EXCLUDED.outcome THEN l.outcome_at END');
    if (writes.dealValue) field('deal_value');
    else keep('deal_value', `CASE WHEN l.outcome = 'converted' AND EXCLUDED.outcome = 'converted' THEN l.deal_value END`);
  }
  // With a createdAt column, a blank keeps an existing lead's creation time; without one, a lead
  // with an outcome date is taken to exist from that date at the latest.
  const createdAt = writes.createdAt ? `coalesce(s.created_at, e.created_at, ${now})` : `LEAST(${now}, s.outcome_at)`;
  const existing = writes.createdAt ? 'LEFT JOIN lead e ON e.external_id = s.external_id' : '';
  return `
    INSERT INTO lead AS l (external_id, email, source, segment, attributes, outcome, outcome_at, deal_value, created_at, updated_at)
    SELECT s.external_id, s.email, s.source, s.segment, s.attributes, coalesce(s.outcome, 'open'),
           s.outcome_at, s.deal_value, ${createdAt}, ${now}
      FROM ${sourceRelation} ${existing}
    ON CONFLICT (external_id) DO UPDATE SET ${set.join(', ')}, updated_at = EXCLUDED.updated_at
     WHERE (${before.join(', ')}) IS DISTINCT FROM (${after.join(', ')})
    RETURNING l.id::text AS id, (l.xmax = 0) AS created, l.segment`;
}

/** A staged row as JSON (STAGE_COLUMNS), the attributes' JSON spliced in as it is. */
function stageJson(row: ImportRow): string {
  const fields = JSON.stringify({
    external_id: row.externalId,
    email: row.email,
    source: row.source,
    segment: row.segment,
    created_at: row.createdAt,
    outcome: row.outcome,
    outcome_at: row.outcomeAt,
    deal_value: row.dealValue,
  });
  return `${fields.slice(0, -1)},"attributes":${row.attributesJson}}`;
}

/** The attributes as a COPY text value: JSON holds no raw tab or line break, so only backslashes are doubled. */
function copyAttributes(row: ImportRow): string {
  return row.attributesJsonEscapes ? row.attributesJson.replace(/\\/g, '\\\\') : row.attributesJson;
}

type Written = Array<{ id: string; created: boolean; segment: string | null }>;

/** Writes batches of rows inside the import's transaction. */
interface BatchWriter {
  /**
   * Does what needs no database as the batch is queued, while earlier batches are being written,
   * and returns the write itself (run when the batch's turn comes): the leads created or changed.
   */
  prepare(rows: ImportRow[]): () => Promise<Written>;
  /** Releases what the writer holds besides the transaction (called once, whatever happened). */
  close?(): Promise<void>;
}

/**
 * PostgreSQL. A batch of leads none of which exists yet (a first import) is streamed with COPY FROM
 * STDIN straight into the lead table, with ids taken from its sequence beforehand: no staging table,
 * no ON CONFLICT (whose speculative insertion costs about a fifth of the insert). Any other batch is
 * streamed into a temporary table (dropped at commit) and upserted from there in one statement. COPY
 * is far cheaper to send and parse than bound parameters or one JSON document per batch. (Sending
 * the attributes as one typed column each and building the jsonb in SQL was measured too: it costs
 * PostgreSQL more CPU than parsing the JSON.)
 *
 * Which kind a batch is (and its ids) is asked as the batch is queued, on a second connection (it
 * reads committed leads only, and takes ids from the sequence, which no transaction holds): not
 * behind the COPY of the batch before it on the import's own connection, so its COPY text is built
 * while that one is written and the database never waits for the text. Leads this import created
 * earlier are not seen there, and need not be: a file's duplicate externalIds are rejected before.
 * A lead created by someone else in between makes the COPY fail on the unique externalId; the import
 * then fails as a whole, and running it again updates that lead.
 */
async function copyWriter(manager: EntityManager, compiled: CompiledMapping, now: Date): Promise<BatchWriter> {
  const queryRunner = manager.queryRunner;
  if (!queryRunner) throw new Error('the import must run inside a transaction');
  const client = (await queryRunner.connect()) as pg.PoolClient;
  const lookahead = manager.connection.createQueryRunner();
  const aside = (await lookahead.connect()) as pg.PoolClient;
  const names = compiled.attributeNames;
  const nowIso = now.toISOString();
  const {
    rows: [{ sequence }],
  } = await aside.query<{ sequence: string }>(`SELECT pg_get_serial_sequence('lead', 'id') AS sequence`);
  // The ids for the batch when none of its externalIds is taken yet, else null.
  const newIdsSql = `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM lead WHERE external_id = ANY($1::text[]))
                            THEN ARRAY(SELECT nextval($2::regclass) FROM generate_series(1, cardinality($1::text[])))::text[] END AS ids`;
  const upsert = upsertSql('import_stage s', compiled, '$1::timestamptz', '$2');
  let staging = false;
  const asked = new Set<Promise<unknown>>();

  /** The batch as COPY text for the lead table, each new lead as the upsert would have inserted it. */
  const leadText = (rows: ImportRow[], ids: string[]) => {
    // Joined from an array, the text is written out once; `text +=` would leave a rope to flatten.
    const lines = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      // As in upsertSql: a blank createdAt is now, and without the column a lead with an outcome
      // date exists from that date at the latest.
      const createdAt = compiled.writes.createdAt
        ? (row.createdAt ?? nowIso)
        : row.outcomeAt !== null && Date.parse(row.outcomeAt) < now.getTime()
          ? row.outcomeAt
          : nowIso;
      lines[i] =
        `${ids[i]}\t${copyValue(row.externalId)}\t${copyValue(row.email)}\t${copyValue(row.source)}\t${copyValue(row.segment)}\t${copyAttributes(row)}\t${row.outcome ?? 'open'}\t${copyValue(row.outcomeAt)}\t${copyValue(row.dealValue)}\t${createdAt}\t${nowIso}\n`;
    }
    return lines.join('');
  };
  const stageText = (rows: ImportRow[]) =>
    rows
      .map(
        (row) =>
          `${copyValue(row.externalId)}\t${copyValue(row.email)}\t${copyValue(row.source)}\t${copyValue(row.segment)}\t${copyValue(row.createdAt)}\t${copyValue(row.outcome)}\t${copyValue(row.outcomeAt)}\t${copyValue(row.dealValue)}\t${copyAttributes(row)}\n`,
      )
      .join('');
  const copyIn = (sql: string, text: string) => pipeline(Readable.from([text]), client.query(copyFrom(sql)));

  return {
    prepare(rows) {
      // Asked now, queued behind the batches before it: the text is built while they are written.
      const ready = aside
        .query<{ ids: string[] | null }>(newIdsSql, [rows.map((row) => row.externalId), sequence])
        .then(({ rows: [{ ids }] }) => (ids ? { ids, text: leadText(rows, ids) } : { ids, text: stageText(rows) }));
      ready.catch(() => undefined); // awaited by the write, unless an earlier one failed
      asked.add(ready);
      void ready.finally(() => asked.delete(ready)).catch(() => undefined);
      return async () => {
        const { ids, text } = await ready;
        if (ids) {
          await copyIn(
            'COPY lead (id, external_id, email, source, segment, attributes, outcome, outcome_at, deal_value, created_at, updated_at) FROM STDIN',
            text,
          ).catch((error: unknown) => {
            // Taken since the check by a writer outside the import (a unique violation).
            if ((error as { code?: string }).code !== '23505') throw error;
            throw ImportError.of(
              ImportErrorCode.ConcurrentChange,
              `a lead of this file was created by another writer while the import ran (${(error as Error & { detail?: string }).detail ?? (error as Error).message}); nothing was imported: run it again`,
            );
          });
          return ids.map((id, i) => ({ id, created: true, segment: rows[i].segment }));
        }
        if (!staging) {
          await client.query(`CREATE TEMPORARY TABLE import_stage (${STAGE_COLUMNS}) ON COMMIT DROP`);
          staging = true;
        } else {
          await client.query('TRUNCATE import_stage');
        }
        await copyIn('COPY import_stage FROM STDIN', text);
        return (await client.query<{ id: string; created: boolean; segment: string | null }>(upsert, [now, names])).rows;
      };
    },
    // Questions still out (the import failed meanwhile) are answered before the connection goes back.
    close: async () => {
      await Promise.allSettled([...asked]);
      await lookahead.release();
    },
  };
}

/**
 * PGlite has no COPY FROM STDIN stream (it runs in-process, and its COPY reads only its virtual file
 * system), so each batch goes as one JSON document expanded by jsonb_to_recordset: still one
 * statement per batch, never one per row.
 */
function recordsetWriter(manager: EntityManager, compiled: CompiledMapping, now: Date): BatchWriter {
  const sql = upsertSql(`jsonb_to_recordset($3::jsonb) AS s(${STAGE_COLUMNS})`, compiled, '$1::timestamptz', '$2');
  return {
    prepare(rows) {
      const records = `[${rows.map(stageJson).join(',')}]`;
      return () => manager.query(sql, [now, compiled.attributeNames, records]);
    },
  };
}

async function writeActivities(manager: EntityManager, rows: ImportRow[]): Promise<{ leadIds: string[]; inserted: number; total: number }> {
  const activities = rows.flatMap((row) => row.activities.map((activity) => ({ externalId: row.externalId, ...activity })));
  if (activities.length === 0) return { leadIds: [], inserted: 0, total: 0 };
  const inserted: Array<{ leadId: string }> = await manager.query(
    `INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
     SELECT l.id, a.type, a."occurredAt", a."idempotencyKey", a.properties
       FROM jsonb_to_recordset($1::jsonb) AS a("externalId" text, type text, "occurredAt" timestamptz, "idempotencyKey" text, properties jsonb)
       JOIN lead l ON l.external_id = a."externalId"
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING lead_id::text AS "leadId"`,
    [JSON.stringify(activities)],
  );
  return { leadIds: [...new Set(inserted.map((row) => row.leadId))], inserted: inserted.length, total: activities.length };
}

async function readCatalog(manager: EntityManager): Promise<Map<string, CatalogEntry>> {
  const rows: Array<{ name: string; type: AttributeType; label: string; description: string; allowedValues: string[] | null }> =
    await manager.query('SELECT name, type, label, description, allowed_values AS "allowedValues" FROM attribute_definition');
  return new Map(rows.map((row) => [row.name, row]));
}

class Progress {
  private readonly multibar: MultiBar | null;
  private bar: SingleBar | null = null;

  constructor(enabled: boolean) {
    this.multibar = enabled
      ? new MultiBar(
          {
            stream: process.stderr,
            clearOnComplete: false,
            hideCursor: true,
            format: '{phase} [{bar}] {percentage}% | {detail} | ETA {eta_formatted}',
            etaBuffer: 50,
          },
          Presets.shades_classic,
        )
      : null;
  }

  start(phase: string, total: number, detail: string): void {
    this.bar?.stop();
    this.bar = this.multibar?.create(Math.max(total, 1), 0, { phase: phase.padEnd(7), detail }) ?? null;
  }

  update(value: number, detail: string): void {
    this.bar?.update(value, { detail });
  }

  stop(): void {
    this.multibar?.stop();
  }
}

/** Reads, validates and writes one CSV file; see runImport. */
export class ImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
    private readonly leads: LeadService,
  ) {}

  async run(options: ImportOptions): Promise<ImportSummary> {
    const started = Date.now();
    const embedded = isEmbeddedDatabase(this.dataSource);
    const summary = emptySummary(options, options.databaseLabel ?? (embedded ? 'embedded PostgreSQL (PGlite)' : 'PostgreSQL'));
    const progress = new Progress(options.progress ?? process.stderr.isTTY === true);
    try {
      await this.load(options, summary, progress, embedded);
      summary.status = options.dryRun ? 'dry_run' : 'imported';
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      summary.status = 'failed';
      summary.error = { code: error.code, message: error.message, problems: error.problems };
      // Everything ran in one transaction that has been rolled back.
      summary.imported = { total: 0, created: 0, updated: 0, unchanged: 0 };
      summary.attributesDefined = [];
      summary.activities = { inserted: 0, alreadyRecorded: 0 };
      summary.scoring = { leadsScored: 0, leadsChanged: 0 };
    } finally {
      progress.stop();
      summary.timings.totalMs = Date.now() - started;
    }
    if (options.reportFile) {
      await mkdir(path.dirname(options.reportFile), { recursive: true });
      await writeFile(options.reportFile, `${JSON.stringify(summary, null, 2)}\n`);
      summary.reportFile = options.reportFile;
    }
    return summary;
  }

  private async load(options: ImportOptions, summary: ImportSummary, progress: Progress, embedded: boolean): Promise<void> {
    const now = options.now ?? new Date();
    const mapping = typeof options.mapping === 'string' ? await readMapping(options.mapping) : options.mapping;
    summary.mapping = typeof options.mapping === 'string' ? `${options.mapping} (${mapping.name})` : mapping.name;
    const maxFileBytes = options.maxFileBytes ?? IMPORT_DEFAULTS.maxFileBytes;
    const size = await stat(options.file).then(
      (info) => info.size,
      (error: NodeJS.ErrnoException) => {
        throw ImportError.of(
          ImportErrorCode.InvalidFile,
          `cannot read ${options.file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        );
      },
    );
    if (size > maxFileBytes) {
      throw ImportError.of(
        ImportErrorCode.InvalidFile,
        `${options.file} is ${(size / 1048576).toFixed(1)} MB; the limit is ${(maxFileBytes / 1048576).toFixed(1)} MB (--max-file-mb)`,
      );
    }

    const fileStream = createReadStream(options.file, { encoding: 'utf8' });
    const records = new RecordReader(csvRecords(fileStream, mapping.delimiter ?? ','), options.file);
    try {
      const first = await records.next();
      if (!first) throw ImportError.of(ImportErrorCode.InvalidFile, `${options.file} is empty: no header line`);
      const header = first.record.map((name) => name.trim());
      const headerProblems = checkHeader(mapping, header);
      if (headerProblems.length)
        throw ImportError.of(ImportErrorCode.InvalidFile, `${options.file} does not fit the mapping`, headerProblems);

      const loadStarted = Date.now();
      const body = async (manager: EntityManager) => {
        const plan = planAttributes(mapping, await readCatalog(manager));
        if (plan.problems.length)
          throw ImportError.of(ImportErrorCode.CatalogConflict, 'the mapping does not fit the attribute catalog', plan.problems);
        if (!options.dryRun && plan.toDefine.length) {
          await manager.query(
            `INSERT INTO attribute_definition (name, type, label, description, allowed_values)
             SELECT d.name, d.type, d.label, d.description, d."allowedValues"
               FROM jsonb_to_recordset($1::jsonb) AS d(name text, type text, label text, description text, "allowedValues" text[])
             ON CONFLICT (name) DO NOTHING`,
            [JSON.stringify(plan.toDefine)],
          );
        }
        summary.attributesDefined = plan.toDefine.map((definition) => definition.name);
        const compiled = compileMapping(mapping, header, { catalog: plan.effective, fieldLimits: LEAD_FIELD_LIMITS, now });
        const writer = options.dryRun
          ? dryRunWriter(manager)
          : embedded
            ? recordsetWriter(manager, compiled, now)
            : await copyWriter(manager, compiled, now);
        const written = await this.readRows(
          records,
          compiled,
          writer,
          manager,
          options,
          summary,
          progress,
          () => fileStream.bytesRead,
          size,
        ).finally(() => writer.close?.());
        summary.timings.loadMs = Date.now() - loadStarted;
        summary.rowsPerSecond = Math.round(summary.rowsRead / Math.max(summary.timings.loadMs / 1000, 0.001));
        if (!options.dryRun) await this.score(manager, written, options, summary, progress, now);
      };
      if (options.dryRun) await body(this.dataSource.manager);
      else await this.dataSource.transaction(body);
    } finally {
      fileStream.destroy();
    }
    if (!options.dryRun && summary.attributesDefined.length) {
      // Re-asserts the new definitions through the lead service so that its catalog cache sees them now.
      const catalog = await readCatalog(this.dataSource.manager);
      for (const name of summary.attributesDefined) {
        const spec = catalog.get(name);
        if (spec) await this.leads.defineAttribute(spec);
      }
    }
  }

  /** Streams the rows: converts each, rejects bad ones with their line, writes good ones in batches. */
  private async readRows(
    records: RecordReader,
    compiled: CompiledMapping,
    writer: BatchWriter,
    manager: EntityManager,
    options: ImportOptions,
    summary: ImportSummary,
    progress: Progress,
    bytesRead: () => number,
    size: number,
  ): Promise<WriteResult> {
    const batchSize = options.batchSize ?? IMPORT_DEFAULTS.batchSize;
    const maxRows = options.maxRows ?? IMPORT_DEFAULTS.maxRows;
    const maxRejected = options.maxRejected ?? Number.POSITIVE_INFINITY;
    const seen = new Map<string, number>();
    const reasons = new Map<string, { rows: number; firstLines: number[] }>();
    const result: WriteResult = {
      created: [],
      createdSegments: new Map(),
      updated: [],
      activityLeadIds: [],
      activitiesInserted: 0,
      activitiesSkipped: 0,
    };
    const dryRun = options.dryRun === true;

    const reject = (line: number, externalId: string | null, problems: RowProblem[]) => {
      summary.rejected.rows += 1;
      if (summary.rejected.details.length < IMPORT_DEFAULTS.maxRejectedDetails)
        summary.rejected.details.push({ line, externalId, problems: problems.map(describeRowProblem) });
      else summary.rejected.detailsTruncated = true;
      for (const key of new Set(problems.map((p) => (p.column === null ? p.reason : `${p.column}: ${p.reason}`)))) {
        const group = reasons.get(key) ?? { rows: 0, firstLines: [] };
        group.rows += 1;
        if (group.firstLines.length < 10) group.firstLines.push(line);
        reasons.set(key, group);
      }
      if (summary.rejected.rows > maxRejected) {
        throw ImportError.of(
          ImportErrorCode.TooManyRejected,
          `more than ${maxRejected} rows rejected (--max-rejected); nothing was imported. First: line ${summary.rejected.details[0]?.line}: ${summary.rejected.details[0]?.problems.join('; ')}`,
        );
      }
    };

    const write = async (rows: ImportRow[], run: () => Promise<Written>) => {
      const written = await run();
      for (const { id, created, segment } of written) {
        if (created) {
          result.created.push(id);
          result.createdSegments.set(id, segment);
        } else {
          result.updated.push(id);
        }
      }
      summary.imported.unchanged += rows.length - written.length;
      if (!dryRun) {
        const activities = await writeActivities(manager, rows);
        result.activityLeadIds.push(...activities.leadIds);
        result.activitiesInserted += activities.inserted;
        result.activitiesSkipped += activities.total - activities.inserted;
      }
    };

    progress.start(dryRun ? 'check' : 'load', size, '0 rows');
    // Batches are written one after the other (one connection) while the next ones are read and
    // converted; up to WRITES_AHEAD wait their turn, so the database always has the next one ready.
    let tail: Promise<void> = Promise.resolve();
    let failed = false;
    const queued: Array<Promise<void>> = [];
    const enqueue = async (rows: ImportRow[]) => {
      if (queued.length >= WRITES_AHEAD) await queued.shift();
      const run = writer.prepare(rows);
      tail = tail.then(() => (failed ? undefined : write(rows, run)));
      tail.catch(() => undefined); // awaited through `queued` and at the end
      queued.push(tail);
    };
    let batch: ImportRow[] = [];
    try {
      for (let chunk = await records.nextBatch(); chunk; chunk = await records.nextBatch()) {
        for (let i = 0; i < chunk.records.length; i++) {
          const record = chunk.records[i];
          if (record.length === 1 && record[0].trim() === '') continue; // a blank line
          const line = chunk.lines[i];
          summary.rowsRead += 1;
          if (summary.rowsRead > maxRows) {
            throw ImportError.of(
              ImportErrorCode.TooManyRows,
              `${options.file} has more than ${maxRows} rows (--max-rows); nothing was imported`,
            );
          }
          const converted = compiled.convert(record, line);
          if (converted.problems) {
            reject(line, null, converted.problems);
          } else {
            const firstLine = seen.get(converted.row.externalId);
            if (firstLine !== undefined) {
              reject(line, converted.row.externalId, [
                { column: null, reason: 'duplicate externalId', value: `${converted.row.externalId}, first on line ${firstLine}` },
              ]);
            } else {
              // A copy, not a slice of the file's text: the map keeps every id to the end, and a
              // slice would keep the whole chunk of text it was cut from.
              seen.set(` ${converted.row.externalId}`.slice(1), line);
              batch.push(converted.row);
            }
          }
          if (batch.length >= batchSize) {
            await enqueue(batch);
            batch = [];
          }
          if (summary.rowsRead % 1000 === 0)
            progress.update(bytesRead(), `${summary.rowsRead.toLocaleString('en-US')} rows, ${summary.rejected.rows} rejected`);
        }
      }
      if (batch.length) await enqueue(batch);
    } catch (error) {
      // Queued writes must settle before the transaction rolls back: one still running then would
      // go on after the rollback, outside the transaction (committing on its own), on a connection
      // already handed back. Those not started yet are skipped.
      failed = true;
      await tail.catch(() => undefined);
      throw error;
    }
    await tail;
    progress.update(size, `${summary.rowsRead.toLocaleString('en-US')} rows, ${summary.rejected.rows} rejected`);

    summary.imported.created = result.created.length;
    summary.imported.updated = result.updated.length;
    summary.imported.total = result.created.length + result.updated.length + summary.imported.unchanged;
    summary.rejected.byReason = [...reasons.entries()].map(([reason, group]) => ({ reason, ...group })).sort((a, b) => b.rows - a.rows);
    summary.activities = { inserted: result.activitiesInserted, alreadyRecorded: result.activitiesSkipped };
    return result;
  }

  /**
   * Scores the created and changed leads in chunks, in the import's transaction. The leads it created
   * or updated are locked by it already, and a created lead has no cached aggregates: each of its
   * chunks is read in one statement (lead, aggregates) once its rule set is known from its segment.
   * Leads that only got activities are locked and read as any re-score does.
   */
  private async score(
    manager: EntityManager,
    written: WriteResult,
    options: ImportOptions,
    summary: ImportSummary,
    progress: Progress,
    now: Date,
  ): Promise<void> {
    const started = Date.now();
    const touched = new Set([...written.created, ...written.updated]);
    const activityOnly = written.activityLeadIds.filter((id) => !touched.has(id));
    const chunkSize = options.scoreChunkSize ?? IMPORT_DEFAULTS.scoreChunkSize;
    const total = written.created.length + written.updated.length + activityOnly.length;
    progress.start('score', total, `0 of ${total.toLocaleString('en-US')} leads`);
    // Created and updated leads are locked by the write; leads that only got activities are not.
    const passes: Array<[string[], (leadIds: string[]) => Promise<{ leadsScored: number; leadsChanged: number }>]> = [
      [
        written.created,
        (leadIds) => this.scoring.scoreAfterWrite(manager, { leadIds, cause: 'lead_created', asOf: now, segments: written.createdSegments }),
      ],
      [written.updated, (leadIds) => this.scoring.scoreAfterWrite(manager, { leadIds, cause: 'lead_updated', asOf: now })],
      [activityOnly, (leadIds) => this.scoring.scoreLeads(manager, leadIds, 'lead_updated', now)],
    ];
    for (const [ids, scoreChunk] of passes) {
      for (let start = 0; start < ids.length; start += chunkSize) {
        const result = await scoreChunk(ids.slice(start, start + chunkSize));
        summary.scoring.leadsScored += result.leadsScored;
        summary.scoring.leadsChanged += result.leadsChanged;
        progress.update(
          summary.scoring.leadsScored,
          `${summary.scoring.leadsScored.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} leads`,
        );
      }
    }
    summary.timings.scoreMs = Date.now() - started;
  }
}

/** A dry run only asks which externalIds exist, to tell creates from updates. */
function dryRunWriter(manager: EntityManager): BatchWriter {
  return {
    prepare: (rows) => async () => {
      const existing: Array<{ id: string }> = await manager.query('SELECT id::text AS id FROM lead WHERE external_id = ANY($1::text[])', [
        rows.map((row) => row.externalId),
      ]);
      return [
        ...existing.map((row) => ({ id: row.id, created: false, segment: null })),
        ...Array.from({ length: rows.length - existing.length }, () => ({ id: '', created: true, segment: null })),
      ];
    },
  };
}

/** The file's records with their lines, a chunk at a time; turns CSV syntax errors into ImportErrors. */
class RecordReader {
  private pending: CsvRecordBatch | null = null;

  constructor(
    private readonly batches: AsyncIterator<CsvRecordBatch>,
    private readonly file: string,
  ) {}

  /** The next records (blank lines among them), or null at the end of the file. */
  async nextBatch(): Promise<CsvRecordBatch | null> {
    if (this.pending) {
      const pending = this.pending;
      this.pending = null;
      return pending;
    }
    try {
      const next = await this.batches.next();
      return next.done ? null : next.value;
    } catch (error) {
      if (error instanceof CsvSyntaxError)
        throw ImportError.of(ImportErrorCode.InvalidFile, `${this.file} is not valid CSV: line ${error.line}: ${error.message}`);
      throw error;
    }
  }

  /** The next record that is not a blank line, or null at the end of the file. */
  async next(): Promise<{ record: string[]; line: number } | null> {
    for (let batch = await this.nextBatch(); batch; batch = await this.nextBatch()) {
      const i = batch.records.findIndex((record) => !(record.length === 1 && record[0].trim() === ''));
      if (i === -1) continue;
      if (i + 1 < batch.records.length) this.pending = { records: batch.records.slice(i + 1), lines: batch.lines.slice(i + 1) };
      return { record: batch.records[i], line: batch.lines[i] };
    }
    return null;
  }
}

async function readMapping(file: string): Promise<ImportMapping> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw ImportError.of(
      ImportErrorCode.InvalidMapping,
      `cannot read mapping ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  return parseMapping(text, file);
}

/**
 * Imports a CSV file into the app's database: the entry point of `npm run import` and of the tests.
 * Everything (attribute definitions, leads, activities, scores) is written in one transaction, so a
 * failed import leaves nothing behind; rejected rows are reported and do not stop the others.
 */
export function runImport(app: Pick<App, 'dataSource' | 'services'>, options: ImportOptions): Promise<ImportSummary> {
  return new ImportService(app.dataSource, app.services.scoring, app.services.leads).run(options);
}
