import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Stringifier, stringify } from 'csv-stringify';
import type { GraphQLSchema } from 'graphql';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { conversionProbability, latestCalibrations, type VersionCalibration } from '../backtests/conversion-probability';
import { InvalidInputError, type Problem } from '../common/errors';
import { runInRequestScope, type RequestScope } from '../db/query-scope';
import type { Principal } from '../auth/principal';
import { type LeadFilterData, withViewer } from '../leads/lead-filter';
import { LEAD_ORDERS, type LeadOrder, type LeadService } from '../leads/lead.service';
import { registry } from '../observability/metrics';
import type { StoredScore } from '../scoring/stored-score';
import type { ScoreReader } from '../scoring/score-reader';
import { type ExportLeadRow, type ExportPosition, readExportPage } from './export-pages';
import { filterFromJson } from './filter-json';
import { LeadListErrorCode } from './lead-list.errors';
import type { LeadListService } from './lead-list.service';

const exportsTotal = new Counter({
  name: 'lead_exports_total',
  help: 'Lead CSV exports by outcome (completed, aborted, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const exportRows = new Counter({ name: 'lead_export_rows_total', help: 'Lead rows written by CSV exports', registers: [registry] });

/**
 * Bounds of one export. Rows are read `pageRows` at a time, each page its own short statement (with
 * the request statement timeout), so a long export is never stopped by the timeout as a whole, and
 * no transaction stays open while a slow client reads.
 */
export const EXPORT_LIMITS = {
  /** Leads in one export; a filter that matches more is refused before the first byte. */
  maxRows: 1_000_000,
  /** Leads read (and held in memory) at once. */
  pageRows: 500,
  /** Characters of the `filter` parameter (decoded JSON; the whole URL must also fit Node's 16 KB header limit). */
  filterLength: 8_000,
  /** Exports this process streams at once; more get 429. */
  concurrentExports: 4,
} as const;

export const EXPORT_COLUMNS = [
  'external_id',
  'email',
  'name',
  'company',
  'score',
  'fit',
  'engagement',
  'grade',
  'level',
  'cell',
  'band',
  'qualified',
  'conversion_probability',
  'owner',
  'reasons',
] as const;

/** What the export URL names: a saved list, or a filter (JSON of a LeadFilter) with an order. */
export interface ExportRequest {
  list?: unknown;
  filter?: unknown;
  order?: unknown;
}

/** An export checked before the first byte is sent. */
export interface ExportPlan {
  filter: LeadFilterData;
  orderBy: LeadOrder;
  leadCount: number;
  filename: string;
}

type Cell = string | number | boolean | null;

const bad = (problems: Problem[]) => InvalidInputError.of(LeadListErrorCode.InvalidExport, problems);

/** "Lead name" from the catalog's firstName and lastName, as the console names a lead. */
function personName(attributes: Record<string, unknown>): string | null {
  const parts = [attributes.firstName, attributes.lastName].filter((part) => typeof part === 'string' && part.trim());
  return parts.length ? parts.join(' ') : null;
}

/**
 * CSV exports of a saved list or of any leads filter: the same leads, in the same order, as `leads`
 * with that filter would page through (LeadService.listLeads, keyset pages), with each lead's score,
 * reasons, conversion probability and owner. Produced one page at a time as the client reads.
 */
export class LeadExportService {
  private running = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leads: LeadService,
    private readonly lists: LeadListService,
    private readonly scores: ScoreReader,
  ) {}

  /** Checks what to export (list or filter, order, size) and counts its leads. */
  async plan(request: ExportRequest, schema: GraphQLSchema, principal: Principal): Promise<ExportPlan> {
    const { list, filter: filterText, order } = request;
    if ((list === undefined) === (filterText === undefined))
      throw bad([{ path: 'list', message: 'give exactly one of list (a saved list id) or filter (URL-encoded JSON of a LeadFilter)' }]);
    let filter: LeadFilterData;
    let orderBy: LeadOrder;
    let filename: string;
    if (list !== undefined) {
      if (typeof list !== 'string') throw bad([{ path: 'list', message: 'give one list id' }]);
      if (order !== undefined) throw bad([{ path: 'order', message: "a saved list's order is its own; order goes with filter" }]);
      const saved = await this.lists.get(list);
      filter = saved.filter;
      orderBy = saved.orderBy as LeadOrder;
      // ASCII only: a header value holds no other characters.
      filename = `leads-${
        saved.name
          .replace(/[^A-Za-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 60) || saved.id
      }.csv`;
    } else {
      filter = this.parseFilter(filterText, schema);
      if (order !== undefined && (typeof order !== 'string' || !LEAD_ORDERS.includes(order as LeadOrder)))
        throw bad([{ path: 'order', message: `must be one of ${LEAD_ORDERS.join(', ')}` }]);
      orderBy = (order as LeadOrder | undefined) ?? 'SCORE_DESC';
      filename = 'leads.csv';
    }
    // `mine` means the exporting user's leads, as in `leads`.
    filter = withViewer(filter, principal) ?? {};
    // The checks `leads` makes (catalog, sizes, owners), on a one-lead page.
    await this.leads.listLeads({ filter, orderBy, first: 1 });
    const leadCount = await this.leads.countLeads(filter);
    if (leadCount > EXPORT_LIMITS.maxRows) {
      throw new InvalidInputError(
        LeadListErrorCode.ExportTooLarge,
        `${list !== undefined ? 'The list' : 'The filter'} matches ${leadCount} leads; an export holds at most ${EXPORT_LIMITS.maxRows}: narrow the filter`,
        [{ path: list !== undefined ? 'list' : 'filter', message: `matches more than ${EXPORT_LIMITS.maxRows} leads` }],
      );
    }
    return { filter, orderBy, leadCount, filename };
  }

  private parseFilter(text: unknown, schema: GraphQLSchema): LeadFilterData {
    if (typeof text !== 'string') throw bad([{ path: 'filter', message: 'give one filter' }]);
    if (text.length > EXPORT_LIMITS.filterLength)
      throw bad([{ path: 'filter', message: `at most ${EXPORT_LIMITS.filterLength} characters, got ${text.length}` }]);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw bad([{ path: 'filter', message: `is not JSON (${(error as Error).message})` }]);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw bad([{ path: 'filter', message: 'must be a JSON object, as the `leads` query takes its filter' }]);
    const { filter, problems } = filterFromJson(schema, json, 'filter');
    if (problems.length) throw bad(problems);
    return filter;
  }

  /** Takes one of the process's export slots, or says to come back later (null). */
  acquire(): (() => void) | null {
    if (this.running >= EXPORT_LIMITS.concurrentExports) return null;
    this.running += 1;
    let released = false;
    return () => {
      if (!released) this.running -= 1;
      released = true;
    };
  }

  /**
   * The CSV as a stream: header row, then the rows, RFC 4180 (CRLF, quoted where needed), text that a
   * spreadsheet would run as a formula prefixed with ' (numbers untouched). Rows are read as the
   * stream is read: destroying it (the client left) stops the reads.
   */
  csv(plan: ExportPlan, scope: RequestScope): Stringifier {
    const csv = stringify({
      header: true,
      columns: [...EXPORT_COLUMNS],
      record_delimiter: 'windows',
      quote_record_delimiter: true,
      escape_formulas: true,
      cast: { boolean: (value) => (value ? 'true' : 'false') },
    });
    // Row objects buffered ahead: about one page, then the reads wait for the client.
    const rows = Readable.from(this.rows(plan, scope), { objectMode: true, highWaterMark: EXPORT_LIMITS.pageRows });
    let outcome: 'completed' | 'aborted' | 'failed' = 'aborted';
    rows.on('end', () => {
      outcome = 'completed';
    });
    rows.on('error', (error) => {
      if (!scope.signal?.aborted) outcome = 'failed';
      csv.destroy(error);
    });
    csv.on('close', () => {
      exportsTotal.inc({ outcome });
      rows.destroy();
    });
    rows.pipe(csv);
    return csv;
  }

  /** The rows, a keyset page at a time, each page's reads in the request's scope (timeout, cancel on leave). */
  private async *rows(plan: ExportPlan, scope: RequestScope): AsyncGenerator<Record<string, Cell>> {
    const calibrations = new Map<string, VersionCalibration | null>();
    let after: ExportPosition = null;
    let written = 0;
    const inScope = <T>(work: () => Promise<T>) => runInRequestScope(scope, work);
    for (;;) {
      if (scope.signal?.aborted) return;
      const page = await inScope(() => readExportPage(this.dataSource, plan.filter, plan.orderBy, after, EXPORT_LIMITS.pageRows));
      const scores = await inScope(() =>
        this.scores.expand(
          this.dataSource.manager,
          page.map((row) => row.scoreRow),
        ),
      );
      const missing = [...new Set(scores.map((score) => score.ruleSetVersionId))].filter((id) => !calibrations.has(id));
      if (missing.length) {
        const found = await inScope(() => latestCalibrations(this.dataSource, missing));
        for (const id of missing) calibrations.set(id, found.get(id) ?? null);
      }
      for (const [index, row] of page.entries()) {
        yield this.record(row, scores[index], calibrations.get(scores[index].ruleSetVersionId) ?? null);
        written += 1;
        exportRows.inc();
        if (written >= EXPORT_LIMITS.maxRows) return;
      }
      if (page.length < EXPORT_LIMITS.pageRows) return;
      const last = page[page.length - 1];
      after = { key: last.sortKey, id: last.id };
      // A turn of the event loop between pages: on PGlite a page completes without I/O, and other
      // requests, the client's reads and its leaving must be heard before the next.
      await nextTurn();
    }
  }

  private record(lead: ExportLeadRow, score: StoredScore, calibration: VersionCalibration | null): Record<string, Cell> {
    const probability = conversionProbability(
      score.total,
      { ruleSetKey: score.ruleSetKey, version: score.ruleSetVersion },
      calibration,
    ).value;
    const company = lead.attributes.company;
    return {
      external_id: lead.externalId,
      email: lead.email,
      name: personName(lead.attributes),
      company: typeof company === 'string' ? company : null,
      score: score.total,
      fit: score.fit,
      engagement: score.engagement,
      grade: score.fitGrade,
      level: score.engagementLevel,
      cell: score.cell,
      band: score.band,
      qualified: score.qualified,
      conversion_probability: probability === null ? null : Math.round(probability * 10_000) / 10_000,
      owner: lead.owner,
      reasons: score.reasons.map((reason) => `${reason.label} (${reason.points > 0 ? '+' : ''}${reason.points})`).join('; '),
    };
  }
}
