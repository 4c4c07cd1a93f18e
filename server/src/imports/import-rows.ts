import type { EntityManager } from 'typeorm';
import { CsvSyntaxError, type CsvRecordBatch } from './csv-records';
import { describeRowProblem, ImportError, ImportErrorCode, type RowProblem } from './import.errors';
import { IMPORT_DEFAULTS, type ImportOptions, type ImportSummary } from './import-summary';
import { type BatchWriter, type Written, writeActivities } from './import-writer';
import type { CompiledMapping } from './mapping-compile';
import type { ImportRow } from './mapping-types';

/* Reading an import's rows: CSV records to converted rows or rejections, written in batches as they come. */

/** What readRows wrote: the leads to score. */
export interface WriteResult {
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

export interface RowReading {
  records: RecordReader;
  compiled: CompiledMapping;
  writer: BatchWriter;
  /** The import's transaction (activities are written there). */
  manager: EntityManager;
  options: ImportOptions;
  /** Counts and rejections are added to it as rows are read. */
  summary: ImportSummary;
  /** Bytes of the file read so far, and its size: the progress of the phase. */
  bytesRead: () => number;
  size: number;
}

export /** The file's records with their lines, a chunk at a time; turns CSV syntax errors into ImportErrors. */
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

/** Streams the rows: converts each, rejects bad ones with their line, writes good ones in batches. */
export async function readRows({
  records,
  compiled,
  writer,
  manager,
  options,
  summary,
  bytesRead,
  size,
}: RowReading): Promise<WriteResult> {
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

  const phase = dryRun ? 'check' : 'load';
  const report = (done: number) =>
    options.onProgress?.({ phase, done, total: size, rows: summary.rowsRead, rejected: summary.rejected.rows });
  report(0);
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
        if (summary.rowsRead % 1000 === 0) report(bytesRead());
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
  report(size);

  summary.imported.created = result.created.length;
  summary.imported.updated = result.updated.length;
  summary.imported.total = result.created.length + result.updated.length + summary.imported.unchanged;
  summary.rejected.byReason = [...reasons.entries()].map(([reason, group]) => ({ reason, ...group })).sort((a, b) => b.rows - a.rows);
  summary.activities = { inserted: result.activitiesInserted, alreadyRecorded: result.activitiesSkipped };
  return result;
}
