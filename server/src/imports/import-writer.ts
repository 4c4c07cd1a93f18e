import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import { SerializedPGlitePool } from '../db/embedded-pool';
import { ImportError, ImportErrorCode } from './import.errors';
import type { CompiledMapping } from './mapping-compile';
import type { ImportRow } from './mapping-types';

/*
 * Writing an import's rows inside its transaction: leads by COPY and a set-based upsert on
 * PostgreSQL, one JSON document per batch on PGlite (which has no COPY FROM STDIN), and activities.
 */

/** PGlite is reached through SerializedPGlitePool; everything else is a PostgreSQL server. */
export function isEmbeddedDatabase(dataSource: DataSource): boolean {
  return (dataSource.options as { driver?: { Pool?: unknown } }).driver?.Pool === SerializedPGlitePool;
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

export type Written = Array<{ id: string; created: boolean; segment: string | null }>;

/** Writes batches of rows inside the import's transaction. */
export interface BatchWriter {
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

export async function writeActivities(
  manager: EntityManager,
  rows: ImportRow[],
): Promise<{ leadIds: string[]; inserted: number; total: number }> {
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

/** The writer for this import: a dry run's, PGlite's (one JSON document per batch) or PostgreSQL's (COPY). */
export function createBatchWriter(
  manager: EntityManager,
  compiled: CompiledMapping,
  now: Date,
  { dryRun, embedded }: { dryRun: boolean; embedded: boolean },
): Promise<BatchWriter> {
  if (dryRun) return Promise.resolve(dryRunWriter(manager));
  return embedded ? Promise.resolve(recordsetWriter(manager, compiled, now)) : copyWriter(manager, compiled, now);
}
