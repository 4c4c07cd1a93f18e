import { readFile } from 'node:fs/promises';
import path from 'node:path';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { matchLeadAccounts } from '../accounts/account-matching';
import { ConflictError, InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import { queryPreparedRead } from '../db/prepared';
import { runInRequestScope } from '../db/query-scope';
import type { Page } from '../common/pagination';
import { RULES_DIR } from '../common/paths';
import { scoreRowJson } from '../scoring/score-reader';
import type { ScoringService } from '../scoring/scoring.service';
import { checkAttributes, mergeAttributes, type AttributeSpec } from './attribute-catalog';
import { ATTRIBUTE_TYPES, AttributeDefinitionEntity, type AttributeScope } from './attribute-definition.entity';
import type { AttributeValue, LeadEntity } from './lead.entity';
import { LeadErrorCode } from './lead.errors';
import { filterSizeProblems, filterValueProblems, type LeadFilterData, leadFilterSql, modelJoinSql } from './lead-filter';
import { BULK_LIMITS, batchError, checkBatchSize, type UpsertLeadsResult, upsertBatchProblems, writeLeadBatch } from './lead-bulk';
import { type LeadPageArgs, planLeadPage, sortColumns } from './lead-paging';
import { requireLeadModel } from '../rulesets/score-models';
import { emailProblems, LEAD_FIELD_LIMITS, type UpsertLeadData, upsertProblems } from './lead-validation';

export { LEAD_ORDERS, type LeadOrder } from './lead-paging';
export { LEAD_FIELD_LIMITS, type UpsertLeadData } from './lead-validation';

export const ATTRIBUTES_FILE = path.join(RULES_DIR, 'attributes.json');
export const ACCOUNT_ATTRIBUTES_FILE = path.join(RULES_DIR, 'account-attributes.json');

export const LEAD_COLUMNS = `l.id::text AS id, l.external_id AS "externalId", l.email, l.segment, l.source, l.attributes,
  l.outcome, l.outcome_at AS "outcomeAt", l.deal_value::text AS "dealValue", l.created_at AS "createdAt", l.updated_at AS "updatedAt"`;

type LeadWithScoreRow = LeadEntity & { scoreRow: Record<string, unknown> | null };

/** How a client names one lead: exactly one of these. */
export interface LeadRef {
  id?: string | null;
  externalId?: string | null;
  email?: string | null;
}

/** Leads named in the CONFLICT of an email several leads share. */
const EMAIL_MATCHES_SHOWN = 3;
const LEAD_WITH_SCORE = `SELECT ${LEAD_COLUMNS}, ${scoreRowJson('s')} AS "scoreRow" FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id`;

export class LeadService {
  /** The attribute catalog by scope, re-read every few seconds (another process may define attributes). */
  private readonly catalogCache = new Map<AttributeScope, { loadedAt: number; catalog: Promise<Map<string, AttributeSpec>> }>();

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

  /**
   * On first start, installs each scope's attribute catalog from its shipped file (rules/attributes.json,
   * rules/account-attributes.json), so that the shipped rule sets of both subjects validate.
   */
  async ensureAttributeCatalog(
    manager: EntityManager,
    files: Record<AttributeScope, string> = { lead: ATTRIBUTES_FILE, account: ACCOUNT_ATTRIBUTES_FILE },
  ): Promise<void> {
    for (const scope of ['lead', 'account'] as const) {
      if ((await manager.count(AttributeDefinitionEntity, { where: { scope } })) > 0) continue;
      const parsed = JSON.parse(await readFile(files[scope], 'utf8')) as {
        attributes: Array<Omit<AttributeSpec, 'allowedValues'> & { values?: string[] }>;
      };
      await manager.insert(
        AttributeDefinitionEntity,
        parsed.attributes.map((a) => ({
          scope,
          name: a.name,
          type: a.type,
          label: a.label,
          description: a.description ?? '',
          allowedValues: a.values ?? null,
        })),
      );
    }
    this.catalogCache.clear();
  }

  /** The catalog of lead attributes (the default scope), or of account attributes. */
  async attributeCatalog(scope: AttributeScope = 'lead'): Promise<Map<string, AttributeSpec>> {
    const cached = this.catalogCache.get(scope);
    if (cached && Date.now() - cached.loadedAt <= 5_000) return cached.catalog;
    const catalog = this.dataSource.manager
      .find(AttributeDefinitionEntity, { where: { scope }, order: { name: 'ASC' } })
      .then((rows) => new Map(rows.map(({ scope: _scope, createdAt: _createdAt, ...spec }) => [spec.name, spec])))
      .catch((error: unknown) => {
        this.catalogCache.delete(scope);
        throw error;
      });
    this.catalogCache.set(scope, { loadedAt: Date.now(), catalog });
    return catalog;
  }

  /** Checks account attributes against the account-scope catalog (given to accounts/ by app.ts). */
  async accountAttributeChecker(): Promise<(attributes: Record<string, unknown>, basePath: string) => Problem[]> {
    const catalog = await this.attributeCatalog('account');
    return (attributes, basePath) => checkAttributes(attributes, catalog, basePath);
  }

  /** Adds or changes an attribute definition of a scope (types are checked on every later write). */
  async defineAttribute(spec: AttributeSpec, scope: AttributeScope = 'lead'): Promise<AttributeSpec> {
    const problems: Problem[] = [];
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(spec.name))
      problems.push({ path: 'input.name', message: 'must start with a letter and hold letters, digits or _ (at most 64)' });
    if (!ATTRIBUTE_TYPES.includes(spec.type))
      problems.push({ path: 'input.type', message: `must be one of ${ATTRIBUTE_TYPES.join(', ')}` });
    if (!spec.label.trim() || spec.label.length > 200) problems.push({ path: 'input.label', message: 'must be 1 to 200 characters' });
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidAttribute, problems);
    await this.dataSource.manager.upsert(AttributeDefinitionEntity, { ...spec, scope }, ['scope', 'name']);
    this.catalogCache.delete(scope);
    return spec;
  }

  /** Creates or updates a lead by externalId and re-scores it, in one transaction. */
  async upsertLead(input: UpsertLeadData): Promise<{ leadId: string; created: boolean }> {
    const catalog = await this.attributeCatalog();
    const problems = upsertProblems(input, catalog, 'input');
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
      // Accounts before scores: account facts and account scores follow the lead's account.
      await matchLeadAccounts(manager, [{ leadId, accountExternalId: input.accountExternalId }]);
      // Locked above (or inserted by this transaction): no second lock statement.
      await this.scoring.scoreAfterWrite(manager, { leadIds: [leadId], cause: created ? 'lead_created' : 'lead_updated' });
      return { leadId, created };
    });
  }

  /**
   * Creates or updates up to BULK_LIMITS.maxLeads leads, validated as upsertLead validates one.
   * atomic: any bad item fails the call (every item's problems listed) and nothing is written;
   * otherwise each bad item gets its errors and the others are written, in one transaction.
   */
  async upsertLeads(items: readonly UpsertLeadData[], atomic: boolean): Promise<UpsertLeadsResult> {
    checkBatchSize(items.length, BULK_LIMITS.maxLeads, 'input.leads', 'lead');
    const errors = upsertBatchProblems(items, await this.attributeCatalog());
    if (atomic && errors.some((list) => list.length > 0)) throw batchError(errors);
    const valid = items.map((data, index) => ({ index, data })).filter(({ index }) => errors[index].length === 0);
    const { written, scores } =
      valid.length > 0
        ? await this.dataSource.transaction((manager) => writeLeadBatch(manager, this.scoring, valid))
        : { written: new Map<number, { leadId: string; created: boolean }>(), scores: new Map() };
    return {
      results: items.map((item, index) => ({
        index,
        externalId: item.externalId,
        leadId: written.get(index)?.leadId ?? null,
        created: written.get(index)?.created ?? false,
        errors: errors[index],
      })),
      scores,
    };
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

  /** One lead by id or externalId (exactly one of the two); NOT_FOUND when there is none. */
  async getLead(ref: LeadRef): Promise<LeadEntity> {
    const found = await this.findLeadWithScore(ref);
    if (!found) {
      const [field, value] =
        ref.id != null ? ['id', ref.id] : ref.externalId != null ? ['externalId', ref.externalId] : ['email', ref.email];
      throw new NotFoundError(LeadErrorCode.LeadNotFound, `No lead with ${field} "${value}"`, [{ path: field, message: 'no such lead' }]);
    }
    const { scoreRow: _score, ...lead } = found;
    return lead;
  }

  /**
   * One lead by id, externalId or email (exactly one of them), with its lead_score row
   * (`scoreRowJson`, null while unscored) read in the same query; null when there is none.
   * Emails match whatever their case; an email that several leads share is a CONFLICT naming them.
   */
  async findLeadWithScore(ref: LeadRef): Promise<LeadWithScoreRow | null> {
    const given = [ref.id, ref.externalId, ref.email].filter((value) => value != null);
    if (given.length !== 1) {
      throw InvalidInputError.field(LeadErrorCode.InvalidLeadQuery, 'id', 'give exactly one of id, externalId or email');
    }
    if (ref.id != null) return /^\d{1,18}$/.test(ref.id) ? this.leadsWithScoreById.load(ref.id) : null;
    if (ref.externalId != null) return this.leadsWithScoreByExternalId.load(ref.externalId);
    const email = ref.email as string;
    const problems = emailProblems(email, 'email');
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, problems);
    // lower(email) is indexed (lead_email); writers store emails lower-cased, old rows may not be.
    const rows = await queryPreparedRead<LeadWithScoreRow>(
      this.dataSource,
      `${LEAD_WITH_SCORE} WHERE lower(l.email) = lower($1) ORDER BY l.id LIMIT ${EMAIL_MATCHES_SHOWN + 1}`,
      [email],
    );
    if (rows.length > 1) {
      const shown = rows.slice(0, EMAIL_MATCHES_SHOWN).map((row) => `"${row.externalId}"`);
      throw new ConflictError(
        LeadErrorCode.AmbiguousEmail,
        `Several leads have email "${email}" (externalId ${shown.join(', ')}${rows.length > EMAIL_MATCHES_SHOWN ? ', ...' : ''}); look one up by id or externalId`,
        [{ path: 'email', message: 'several leads have this email' }],
      );
    }
    return rows[0] ?? null;
  }

  private async validateFilter(filter: LeadFilterData): Promise<void> {
    const sized = filterSizeProblems(filter);
    if (sized.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, sized);
    const problems = filterValueProblems(filter, await this.attributeCatalog(), LEAD_FIELD_LIMITS.search);
    if (problems.length) throw InvalidInputError.of(LeadErrorCode.InvalidLeadQuery, problems);
  }

  /**
   * Leads with their scores, filtered and keyset-paginated both ways (`first`/`after`,
   * `last`/`before`); the score is joined, not fetched per lead. Whether a page lies beyond the
   * cursor the page starts from is one more indexed probe, only when there is such a cursor.
   */
  async listLeads(
    options: LeadPageArgs & { filter?: LeadFilterData | null },
  ): Promise<Page<LeadEntity & { scoreRow: Record<string, unknown> }>> {
    const filter = options.filter ?? {};
    await this.validateFilter(filter);
    if (filter.model != null) await requireLeadModel(this.dataSource.manager, filter.model, 'model');
    const plan = planLeadPage({ ...options, model: filter.model });
    const params: unknown[] = [];
    const modelJoin = modelJoinSql(filter, params);
    const where = [...leadFilterSql(filter, params), ...plan.conditions(params)];
    params.push(plan.size + 1);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT ${LEAD_COLUMNS}, ${sortColumns(filter.model)}, ${scoreRowJson('s')} AS "scoreRow"
         FROM lead l JOIN lead_score s ON s.lead_id = l.id ${modelJoin}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${plan.orderSql}
        LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > plan.size;
    const nodes = rows.slice(0, plan.size);
    if (plan.backward) nodes.reverse();
    let beyond = false;
    if (plan.beyondStart) {
      const probeParams: unknown[] = [];
      const probeJoin = modelJoinSql(filter, probeParams);
      const probe = [...leadFilterSql(filter, probeParams), plan.beyondStart(probeParams)];
      const [row]: Array<{ found: boolean }> = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM lead l JOIN lead_score s ON s.lead_id = l.id ${probeJoin} WHERE ${probe.join(' AND ')}) AS found`,
        probeParams,
      );
      beyond = row.found;
    }
    return {
      nodes: nodes as unknown as Array<LeadEntity & { scoreRow: Record<string, unknown> }>,
      cursors: nodes.map((row) => plan.cursorOf(row)),
      hasNextPage: plan.backward ? beyond : more,
      hasPreviousPage: plan.backward ? more : beyond,
    };
  }

  async countLeads(filter: LeadFilterData | null | undefined): Promise<number> {
    const params: unknown[] = [];
    const modelJoin = modelJoinSql(filter, params);
    const where = leadFilterSql(filter ?? {}, params);
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM lead l JOIN lead_score s ON s.lead_id = l.id ${modelJoin} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      params,
    );
    return row.count;
  }
}
