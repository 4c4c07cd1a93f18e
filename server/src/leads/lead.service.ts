import { readFile } from 'node:fs/promises';
import path from 'node:path';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import { queryPreparedRead } from '../db/prepared';
import { runInRequestScope } from '../db/query-scope';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import { RULES_DIR } from '../common/paths';
import { scoreRowJson } from '../scoring/score-reader';
import type { ScoringService } from '../scoring/scoring.service';
import { checkAttributes, mergeAttributes, type AttributeSpec } from './attribute-catalog';
import { ATTRIBUTE_TYPES, AttributeDefinitionEntity } from './attribute-definition.entity';
import type { AttributeValue, LeadEntity } from './lead.entity';
import { LeadErrorCode } from './lead.errors';
import { filterSizeProblems, filterValueProblems, type LeadFilterData, leadFilterSql } from './lead-filter';

export interface UpsertLeadData {
  externalId: string;
  email?: string | null;
  segment?: string | null;
  source?: string | null;
  attributes?: Record<string, unknown> | null;
}

export const LEAD_ORDERS = ['SCORE_DESC', 'SCORE_ASC', 'CREATED_DESC', 'UPDATED_DESC'] as const;
export type LeadOrder = (typeof LEAD_ORDERS)[number];

export const LEAD_FIELD_LIMITS = { externalId: 200, email: 320, segment: 100, source: 100, search: 200 } as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const ATTRIBUTES_FILE = path.join(RULES_DIR, 'attributes.json');

const LEAD_COLUMNS = `l.id::text AS id, l.external_id AS "externalId", l.email, l.segment, l.source, l.attributes,
  l.outcome, l.outcome_at AS "outcomeAt", l.deal_value::text AS "dealValue", l.created_at AS "createdAt", l.updated_at AS "updatedAt"`;

type LeadWithScoreRow = LeadEntity & { scoreRow: Record<string, unknown> | null };
const LEAD_WITH_SCORE = `SELECT ${LEAD_COLUMNS}, ${scoreRowJson('s')} AS "scoreRow" FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id`;

interface OrderSpec {
  sql: string;
  keys: string[];
  cmp: '<' | '>';
  values: (row: Record<string, unknown>) => unknown[];
}

const ORDERS: Record<LeadOrder, OrderSpec> = {
  SCORE_DESC: { sql: 's.total DESC, l.id DESC', keys: ['s.total', 'l.id'], cmp: '<', values: (r) => [r.sortTotal, r.id] },
  SCORE_ASC: { sql: 's.total ASC, l.id ASC', keys: ['s.total', 'l.id'], cmp: '>', values: (r) => [r.sortTotal, r.id] },
  // Cursors carry the timestamps as PostgreSQL text (microseconds), not as JS dates (milliseconds).
  CREATED_DESC: { sql: 'l.created_at DESC, l.id DESC', keys: ['l.created_at', 'l.id'], cmp: '<', values: (r) => [r.sortCreated, r.id] },
  UPDATED_DESC: { sql: 'l.updated_at DESC, l.id DESC', keys: ['l.updated_at', 'l.id'], cmp: '<', values: (r) => [r.sortUpdated, r.id] },
};

export class LeadService {
  private catalogCache: Promise<Map<string, AttributeSpec>> | null = null;
  private catalogLoadedAt = 0;

  /**
   * Reads of one lead with its score, batched across concurrent requests: the loads made while the
   * event loop handles one round of ready sockets go to the database as one query. A client app's
   * most frequent request then shares a round trip with its neighbours under load (each round trip
   * costs the API process far more than a row); alone, it is a query for one lead as before. No
   * caching: every load reads the database.
   */
  private readonly leadsWithScoreById: DataLoader<string, LeadWithScoreRow | null>;
  private readonly leadsWithScoreByExternalId: DataLoader<string, LeadWithScoreRow | null>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
  ) {
    // One key: a scalar parameter, whose prepared plan PostgreSQL keeps; several: an array.
    const batched = (column: 'id' | 'externalId', one: string, many: string) =>
      new DataLoader<string, LeadWithScoreRow | null>(
        // A batch holds the reads of concurrent requests: none of them may cancel it by leaving.
        (keys) =>
          runInRequestScope({}, async () => {
            const rows =
              keys.length === 1
                ? await queryPreparedRead<LeadWithScoreRow>(this.dataSource, `${LEAD_WITH_SCORE} WHERE ${one}`, [keys[0]])
                : await queryPreparedRead<LeadWithScoreRow>(this.dataSource, `${LEAD_WITH_SCORE} WHERE ${many}`, [keys]);
            const byKey = new Map(rows.map((row) => [row[column], row]));
            return keys.map((key) => byKey.get(key) ?? null);
          }),
        { cache: false, maxBatchSize: 200, batchScheduleFn: (callback) => setImmediate(callback) },
      );
    this.leadsWithScoreById = batched('id', 'l.id = $1::bigint', 'l.id = ANY($1::bigint[])');
    this.leadsWithScoreByExternalId = batched('externalId', 'l.external_id = $1', 'l.external_id = ANY($1::text[])');
  }

  /** On first start, installs the attribute catalog from rules/attributes.json. */
  async ensureAttributeCatalog(manager: EntityManager, file = ATTRIBUTES_FILE): Promise<void> {
    if ((await manager.count(AttributeDefinitionEntity)) > 0) return;
    const parsed = JSON.parse(await readFile(file, 'utf8')) as {
      attributes: Array<Omit<AttributeSpec, 'allowedValues'> & { values?: string[] }>;
    };
    await manager.insert(
      AttributeDefinitionEntity,
      parsed.attributes.map((a) => ({
        name: a.name,
        type: a.type,
        label: a.label,
        description: a.description ?? '',
        allowedValues: a.values ?? null,
      })),
    );
    this.catalogCache = null;
  }

  async attributeCatalog(): Promise<Map<string, AttributeSpec>> {
    // Another process may define attributes: re-read every few seconds.
    if (!this.catalogCache || Date.now() - this.catalogLoadedAt > 5_000) {
      this.catalogLoadedAt = Date.now();
      this.catalogCache = this.dataSource.manager
        .find(AttributeDefinitionEntity, { order: { name: 'ASC' } })
        .then((rows) => new Map(rows.map((row) => [row.name, row])))
        .catch((error: unknown) => {
          this.catalogCache = null;
          throw error;
        });
    }
    return this.catalogCache;
  }

  /** Adds or changes an attribute definition (types are checked on every later write). */
  async defineAttribute(spec: AttributeSpec): Promise<AttributeSpec> {
    const problems: Problem[] = [];
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(spec.name))
      problems.push({ path: 'input.name', message: 'must start with a letter and hold letters, digits or _ (at most 64)' });
    if (!ATTRIBUTE_TYPES.includes(spec.type))
      problems.push({ path: 'input.type', message: `must be one of ${ATTRIBUTE_TYPES.join(', ')}` });
    if (!spec.label.trim() || spec.label.length > 200) problems.push({ path: 'input.label', message: 'must be 1 to 200 characters' });
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidAttribute, problems);
    await this.dataSource.manager.upsert(AttributeDefinitionEntity, spec, ['name']);
    this.catalogCache = null;
    return spec;
  }

  private validateUpsert(input: UpsertLeadData, catalog: Map<string, AttributeSpec>): Problem[] {
    const problems: Problem[] = [];
    const externalId = input.externalId ?? '';
    if (!externalId.trim()) problems.push({ path: 'input.externalId', message: 'must not be blank' });
    else if (externalId.length > LEAD_FIELD_LIMITS.externalId)
      problems.push({ path: 'input.externalId', message: `at most ${LEAD_FIELD_LIMITS.externalId} characters` });
    if (input.email != null) {
      if (input.email.length > LEAD_FIELD_LIMITS.email)
        problems.push({ path: 'input.email', message: `at most ${LEAD_FIELD_LIMITS.email} characters` });
      else if (!EMAIL.test(input.email))
        problems.push({ path: 'input.email', message: `"${input.email.slice(0, 60)}" is not an email address` });
    }
    for (const field of ['segment', 'source'] as const) {
      const value = input[field];
      if (value != null && (!value.trim() || value.length > LEAD_FIELD_LIMITS[field])) {
        problems.push({ path: `input.${field}`, message: `must be 1 to ${LEAD_FIELD_LIMITS[field]} characters` });
      }
    }
    if (input.attributes != null) problems.push(...checkAttributes(input.attributes, catalog, 'input.attributes'));
    return problems;
  }

  /** Creates or updates a lead by externalId and re-scores it, in one transaction. */
  async upsertLead(input: UpsertLeadData): Promise<{ leadId: string; created: boolean }> {
    const catalog = await this.attributeCatalog();
    const problems = this.validateUpsert(input, catalog);
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidLead, problems);
    return this.dataSource.transaction(async (manager) => {
      const lockExisting = (): Promise<LeadEntity[]> =>
        manager.query(`SELECT ${LEAD_COLUMNS} FROM lead l WHERE l.external_id = $1 FOR UPDATE`, [input.externalId]);
      let existing = await lockExisting();
      let leadId: string | null = null;
      let created = false;
      if (existing.length === 0) {
        const inserted: Array<{ id: string }> = await manager.query(
          `INSERT INTO lead (external_id, email, segment, source, attributes) VALUES ($1, $2, $3, $4, $5::jsonb)
           ON CONFLICT (external_id) DO NOTHING RETURNING id::text AS id`,
          [
            input.externalId,
            input.email?.toLowerCase() ?? null,
            input.segment ?? null,
            input.source ?? null,
            JSON.stringify(mergeAttributes({}, input.attributes ?? {})),
          ],
        );
        if (inserted.length > 0) {
          leadId = inserted[0].id;
          created = true;
        } else {
          existing = await lockExisting(); // another request created it meanwhile: update that one
        }
      }
      if (leadId === null) {
        const lead = existing[0];
        leadId = lead.id;
        await manager.query(
          `UPDATE lead SET email = $2, segment = $3, source = $4, attributes = $5::jsonb, updated_at = now() WHERE id = $1`,
          [
            leadId,
            input.email === undefined ? lead.email : (input.email?.toLowerCase() ?? null),
            input.segment === undefined ? lead.segment : input.segment,
            input.source === undefined ? lead.source : input.source,
            JSON.stringify(mergeAttributes(lead.attributes as Record<string, AttributeValue>, input.attributes ?? {})),
          ],
        );
      }
      // Locked above (or inserted by this transaction): no second lock statement.
      await this.scoring.scoreAfterWrite(manager, { leadIds: [leadId], cause: created ? 'lead_created' : 'lead_updated' });
      return { leadId, created };
    });
  }

  async findByIds(ids: readonly string[]): Promise<LeadEntity[]> {
    const numeric = ids.filter((id) => /^\d{1,18}$/.test(id));
    if (numeric.length === 0) return [];
    return this.dataSource.query(`SELECT ${LEAD_COLUMNS} FROM lead l WHERE l.id = ANY($1::bigint[])`, [numeric]);
  }

  async findByExternalIds(externalIds: readonly string[]): Promise<LeadEntity[]> {
    if (externalIds.length === 0) return [];
    return this.dataSource.query(`SELECT ${LEAD_COLUMNS} FROM lead l WHERE l.external_id = ANY($1::text[])`, [externalIds]);
  }

  /** One lead by id or externalId (exactly one of the two). */
  async getLead(ref: { id?: string | null; externalId?: string | null }): Promise<LeadEntity> {
    const { scoreRow: _score, ...lead } = await this.getLeadWithScore(ref);
    return lead;
  }

  /** getLead, with the lead's lead_score row (`scoreRowJson`, null while unscored) read in the same query. */
  async getLeadWithScore(ref: { id?: string | null; externalId?: string | null }): Promise<LeadWithScoreRow> {
    const given = [ref.id, ref.externalId].filter((value) => value != null);
    if (given.length !== 1) {
      throw InvalidInputError.field(LeadErrorCode.InvalidLeadQuery, 'id', 'give exactly one of id or externalId');
    }
    const lead =
      ref.id != null
        ? /^\d{1,18}$/.test(ref.id)
          ? await this.leadsWithScoreById.load(ref.id)
          : null
        : await this.leadsWithScoreByExternalId.load(ref.externalId as string);
    if (!lead) {
      const field = ref.id != null ? `id "${ref.id}"` : `externalId "${ref.externalId}"`;
      throw new NotFoundError(LeadErrorCode.LeadNotFound, `No lead with ${field}`, [
        { path: ref.id != null ? 'id' : 'externalId', message: 'no such lead' },
      ]);
    }
    return lead;
  }

  private async validateFilter(filter: LeadFilterData): Promise<void> {
    const sized = filterSizeProblems(filter);
    if (sized.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, sized);
    const problems = filterValueProblems(filter, await this.attributeCatalog(), LEAD_FIELD_LIMITS.search);
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, problems);
  }

  /** Leads with their scores, filtered and keyset-paginated; the score is joined, not fetched per lead. */
  async listLeads(options: {
    filter?: LeadFilterData | null;
    orderBy?: LeadOrder | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<LeadEntity & { scoreRow: Record<string, unknown> }>> {
    const filter = options.filter ?? {};
    await this.validateFilter(filter);
    const order = ORDERS[options.orderBy ?? 'SCORE_DESC'];
    const first = pageSize(options.first, LeadErrorCode.InvalidLeadQuery);
    const params: unknown[] = [];
    const where = leadFilterSql(filter, params);
    const tag = options.orderBy ?? 'SCORE_DESC';
    if (options.after) {
      const byScore = order.keys[0] === 's.total';
      const values = decodeCursor(options.after, tag, LeadErrorCode.InvalidCursor, 'after', [byScore ? 'int' : 'timestamp', 'id']);
      params.push(values[0], values[1]);
      const casts = byScore ? ['int', 'bigint'] : ['timestamptz', 'bigint'];
      where.push(`(${order.keys.join(', ')}) ${order.cmp} ($${params.length - 1}::${casts[0]}, $${params.length}::${casts[1]})`);
    }
    params.push(first + 1);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT ${LEAD_COLUMNS}, s.total AS "sortTotal", l.created_at::text AS "sortCreated", l.updated_at::text AS "sortUpdated", ${scoreRowJson('s')} AS "scoreRow"
         FROM lead l JOIN lead_score s ON s.lead_id = l.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${order.sql}
        LIMIT $${params.length}`,
      params,
    );
    const nodes = rows.slice(0, first);
    return {
      nodes: nodes as unknown as Array<LeadEntity & { scoreRow: Record<string, unknown> }>,
      cursors: nodes.map((row) => encodeCursor([tag, ...order.values(row)])),
      hasNextPage: rows.length > first,
    };
  }

  async countLeads(filter: LeadFilterData | null | undefined): Promise<number> {
    const params: unknown[] = [];
    const where = leadFilterSql(filter ?? {}, params);
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM lead l JOIN lead_score s ON s.lead_id = l.id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      params,
    );
    return row.count;
  }
}
