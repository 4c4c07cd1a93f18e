import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { matchByDomain } from '../accounts/account-matching';
import type { AttributeType } from '../leads/attribute-definition.entity';
import { LEAD_FIELD_LIMITS, type LeadService } from '../leads/lead.service';
import type { ScoringService } from '../scoring/scoring.service';
import { csvRecords } from './csv-records';
import { ImportError, ImportErrorCode } from './import.errors';
import { readRows, RecordReader, type WriteResult } from './import-rows';
import { emptySummary, IMPORT_DEFAULTS, type ImportOptions, type ImportSummary } from './import-summary';
import { createBatchWriter, isEmbeddedDatabase } from './import-writer';
import { checkHeader, parseMapping, planAttributes } from './mapping';
import { activityTypeProblems } from './mapping-activity-types';
import { compileMapping } from './mapping-compile';
import type { CatalogEntry, ImportMapping } from './mapping-types';

/**
 * Imports a CSV file into the database: the service behind `npm run import` (import-cli.ts), built
 * in app.ts. Everything (attribute definitions, leads, activities, scores) is written in one
 * transaction, so a failed import leaves nothing behind; rejected rows are reported and do not stop
 * the others. Progress goes to `options.onProgress`; bars and report files are the CLI's.
 */
export class ImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
    private readonly leads: LeadService,
  ) {}

  /** Reads, validates and writes the file; a failure that stops the import is reported in the summary, not thrown. */
  async run(options: ImportOptions): Promise<ImportSummary> {
    const started = Date.now();
    const embedded = isEmbeddedDatabase(this.dataSource);
    const summary = emptySummary(options, options.databaseLabel ?? (embedded ? 'embedded PostgreSQL (PGlite)' : 'PostgreSQL'));
    try {
      await this.load(options, summary, embedded);
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
      summary.timings.totalMs = Date.now() - started;
    }
    return summary;
  }

  private async load(options: ImportOptions, summary: ImportSummary, embedded: boolean): Promise<void> {
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
             ON CONFLICT (scope, name) DO NOTHING`,
            [JSON.stringify(plan.toDefine)],
          );
        }
        const typeProblems = await activityTypeProblems(manager, mapping);
        if (typeProblems.length)
          throw ImportError.of(ImportErrorCode.CatalogConflict, 'the mapping does not fit the activity catalog', typeProblems);
        summary.attributesDefined = plan.toDefine.map((definition) => definition.name);
        const compiled = compileMapping(mapping, header, { catalog: plan.effective, fieldLimits: LEAD_FIELD_LIMITS, now });
        const writer = await createBatchWriter(manager, compiled, now, { dryRun: options.dryRun === true, embedded });
        const written = await readRows({
          records,
          compiled,
          writer,
          manager,
          options,
          summary,
          bytesRead: () => fileStream.bytesRead,
          size,
        }).finally(() => writer.close?.());
        summary.timings.loadMs = Date.now() - loadStarted;
        summary.rowsPerSecond = Math.round(summary.rowsRead / Math.max(summary.timings.loadMs / 1000, 0.001));
        if (!options.dryRun) await this.score(manager, written, options, summary, now);
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
    now: Date,
  ): Promise<void> {
    const started = Date.now();
    const touched = new Set([...written.created, ...written.updated]);
    const activityOnly = written.activityLeadIds.filter((id) => !touched.has(id));
    const chunkSize = options.scoreChunkSize ?? IMPORT_DEFAULTS.scoreChunkSize;
    const total = written.created.length + written.updated.length + activityOnly.length;
    const report = () =>
      options.onProgress?.({
        phase: 'score',
        done: summary.scoring.leadsScored,
        total,
        rows: summary.rowsRead,
        rejected: summary.rejected.rows,
      });
    report();
    // Created and updated leads are locked by the write; leads that only got activities are not.
    const passes: Array<[string[], (leadIds: string[]) => Promise<{ leadsScored: number; leadsChanged: number }>]> = [
      [
        written.created,
        (leadIds) =>
          this.scoring.scoreAfterWrite(manager, { leadIds, cause: 'lead_created', asOf: now, segments: written.createdSegments }),
      ],
      [written.updated, (leadIds) => this.scoring.scoreAfterWrite(manager, { leadIds, cause: 'lead_updated', asOf: now })],
      [activityOnly, (leadIds) => this.scoring.scoreLeads(manager, leadIds, 'lead_updated', now)],
    ];
    for (const [ids, scoreChunk] of passes) {
      for (let start = 0; start < ids.length; start += chunkSize) {
        const chunk = ids.slice(start, start + chunkSize);
        // Written leads join their email domain's account before scoring, as upsertLeads' do (activity-only ones are unchanged).
        if (ids !== activityOnly) await matchByDomain(manager, chunk);
        const result = await scoreChunk(chunk);
        summary.scoring.leadsScored += result.leadsScored;
        summary.scoring.leadsChanged += result.leadsChanged;
        report();
      }
    }
    summary.timings.scoreMs = Date.now() - started;
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

async function readCatalog(manager: EntityManager): Promise<Map<string, CatalogEntry>> {
  const rows: Array<{ name: string; type: AttributeType; label: string; description: string; allowedValues: string[] | null }> =
    await manager.query(
      `SELECT name, type, label, description, allowed_values AS "allowedValues" FROM attribute_definition WHERE scope = 'lead'`,
    );
  return new Map(rows.map((row) => [row.name, row]));
}
