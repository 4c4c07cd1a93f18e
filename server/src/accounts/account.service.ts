import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import type { Page } from '../common/pagination';
import type { AccountEntity, AccountOutcome } from './account.entity';
import { AccountErrorCode } from './account.errors';
import { ACCOUNT_SORT_COLUMNS, type AccountPageArgs, planAccountPage } from './account-paging';

export const ACCOUNT_COLUMNS = `a.id::text AS id, a.external_id AS "externalId", a.domain, a.name, a.attributes, a.outcome,
  a.outcome_at AS "outcomeAt", a.deal_value::text AS "dealValue", a.merged_into_id::text AS "mergedIntoId",
  a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

/** The account model SCORE_DESC orders by when none is given. */
export const DEFAULT_ACCOUNT_MODEL = 'account';

export const ACCOUNT_LIMITS = { search: 200, externalId: 200, domain: 253, name: 200, maxDealValue: 1e12 } as const;

export interface SetAccountOutcomeData {
  accountId: string;
  outcome: AccountOutcome;
  at?: Date | null;
  dealValue?: number | null;
}

const ID = /^\d{1,18}$/;

export const notFound = (path: string, value: string) =>
  new NotFoundError(AccountErrorCode.AccountNotFound, `No account with ${path.split('.').pop()} "${value.slice(0, 60)}"`, [
    { path, message: 'no such account' },
  ]);

/** `LIKE` pattern of a prefix, its wildcards escaped. */
const prefixPattern = (text: string) => `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Accounts: lookups, pages, contact counts, outcomes. Writes of many accounts are in account-upsert.ts. */
export class AccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async findByIds(ids: readonly string[]): Promise<AccountEntity[]> {
    const numeric = ids.filter((id) => ID.test(id));
    if (numeric.length === 0) return [];
    return this.dataSource.query(`SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.id = ANY($1::bigint[])`, [numeric]);
  }

  /** The account of each lead that has one, for Lead.account. */
  async accountsOfLeads(leadIds: readonly string[]): Promise<Map<string, AccountEntity>> {
    const numeric = leadIds.filter((id) => ID.test(id));
    const rows: Array<AccountEntity & { leadId: string }> = numeric.length
      ? await this.dataSource.query(
          `SELECT l.id::text AS "leadId", ${ACCOUNT_COLUMNS} FROM lead l JOIN account a ON a.id = l.account_id WHERE l.id = ANY($1::bigint[])`,
          [numeric],
        )
      : [];
    return new Map(rows.map(({ leadId, ...account }) => [leadId, account]));
  }

  /** One account by id or externalId (exactly one); a merged one is returned as it is (mergedIntoId says where it went). */
  async findAccount(ref: { id?: string | null; externalId?: string | null }): Promise<AccountEntity | null> {
    if ((ref.id == null) === (ref.externalId == null))
      throw InvalidInputError.field(AccountErrorCode.InvalidAccountQuery, 'id', 'give exactly one of id or externalId');
    if (ref.id != null) return ID.test(ref.id) ? ((await this.findByIds([ref.id]))[0] ?? null) : null;
    const [row]: AccountEntity[] = await this.dataSource.query(`SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.external_id = $1`, [
      ref.externalId,
    ]);
    return row ?? null;
  }

  /** Checks that `model` is an account model; the default account model when null. */
  private async accountModel(model: string | null | undefined): Promise<string> {
    if (model == null) return DEFAULT_ACCOUNT_MODEL;
    const [row]: Array<{ subject: string }> = await this.dataSource.query('SELECT subject FROM score_model WHERE key = $1', [model]);
    if (row?.subject !== 'account')
      throw InvalidInputError.field(
        AccountErrorCode.InvalidAccountQuery,
        'model',
        row ? `"${model}" scores leads, not accounts` : `no score model "${model.slice(0, 64)}" (see scoreModels)`,
      );
    return model;
  }

  private searchSql(search: string | null | undefined, params: unknown[]): string[] {
    if (search == null || search.trim() === '') return [];
    if (search.length > ACCOUNT_LIMITS.search)
      throw InvalidInputError.field(AccountErrorCode.InvalidAccountQuery, 'search', `at most ${ACCOUNT_LIMITS.search} characters`);
    params.push(prefixPattern(search.trim()));
    const p = `$${params.length}`;
    return [`(lower(a.name) LIKE ${p} OR a.domain LIKE ${p} OR lower(a.external_id) LIKE ${p})`];
  }

  /** Accounts not merged away, keyset-paginated; SCORE_DESC by the total in `model` (unscored last). */
  async listAccounts(
    options: AccountPageArgs & { model?: string | null; search?: string | null },
  ): Promise<Page<AccountEntity & { sortTotal: number | null }>> {
    const plan = planAccountPage(options);
    const params: unknown[] = [await this.accountModel(options.model)];
    const where = ['a.merged_into_id IS NULL', ...this.searchSql(options.search, params)];
    if (plan.condition) where.push(plan.condition(params));
    params.push(plan.size + 1);
    const rows: Array<AccountEntity & { sortTotal: number | null; sortCreated: string }> = await this.dataSource.query(
      `SELECT ${ACCOUNT_COLUMNS}, ${ACCOUNT_SORT_COLUMNS}
         FROM account a LEFT JOIN model_score ms ON ms.model = $1 AND ms.subject_id = a.id
        WHERE ${where.join(' AND ')}
        ORDER BY ${plan.orderSql}
        LIMIT $${params.length}`,
      params,
    );
    const nodes = rows.slice(0, plan.size);
    return {
      nodes,
      cursors: nodes.map((row) => plan.cursorOf(row as unknown as Record<string, unknown>)),
      hasNextPage: rows.length > plan.size,
    };
  }

  async countAccounts(search: string | null | undefined): Promise<number> {
    const params: unknown[] = [];
    const where = ['a.merged_into_id IS NULL', ...this.searchSql(search, params)];
    const [row]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM account a WHERE ${where.join(' AND ')}`,
      params,
    );
    return row.count;
  }

  /** Contacts per account, for a page of accounts in one query. */
  async contactCounts(accountIds: readonly string[]): Promise<Map<string, number>> {
    const numeric = accountIds.filter((id) => ID.test(id));
    const rows: Array<{ id: string; count: number }> = numeric.length
      ? await this.dataSource.query(
          `SELECT account_id::text AS id, count(*)::int AS count FROM lead WHERE account_id = ANY($1::bigint[]) GROUP BY account_id`,
          [numeric],
        )
      : [];
    const counts = new Map(rows.map((row) => [row.id, row.count]));
    return new Map(accountIds.map((id) => [id, counts.get(id) ?? 0]));
  }

  /** Records how an account ended (converted or lost, when, deal value) or reopens it; audited. */
  async setOutcome(actor: Actor, input: SetAccountOutcomeData, now = new Date()): Promise<AccountEntity> {
    const problems: Problem[] = [];
    if (input.at != null && Number.isNaN(input.at.getTime())) problems.push({ path: 'input.at', message: 'is not a valid date and time' });
    else if (input.at != null && input.at.getTime() > now.getTime())
      problems.push({ path: 'input.at', message: 'must not be in the future' });
    if (input.outcome === 'open' && input.at != null) problems.push({ path: 'input.at', message: 'an open account has no outcome date' });
    if (input.dealValue != null) {
      if (input.outcome !== 'converted') problems.push({ path: 'input.dealValue', message: 'only a converted account has a deal value' });
      else if (!Number.isFinite(input.dealValue) || input.dealValue < 0 || input.dealValue >= ACCOUNT_LIMITS.maxDealValue)
        problems.push({ path: 'input.dealValue', message: `must be 0 or more and below ${ACCOUNT_LIMITS.maxDealValue}` });
      else if (Math.round(input.dealValue * 100) !== Number((input.dealValue * 100).toFixed(6)))
        problems.push({ path: 'input.dealValue', message: 'at most 2 decimals' });
    }
    if (problems.length) throw InvalidInputError.of(AccountErrorCode.InvalidOutcome, problems);
    if (!ID.test(input.accountId)) throw notFound('input.accountId', input.accountId);
    const at = input.outcome === 'open' ? null : (input.at ?? now);
    const dealValue = input.outcome === 'converted' && input.dealValue != null ? input.dealValue.toFixed(2) : null;
    return this.dataSource.transaction(async (manager) => {
      const [before]: AccountEntity[] = await manager.query(`SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.id = $1 FOR NO KEY UPDATE`, [
        input.accountId,
      ]);
      if (!before) throw notFound('input.accountId', input.accountId);
      // A WITH around the UPDATE: both drivers then return its rows as a SELECT's.
      const [after]: AccountEntity[] = await manager.query(
        `WITH a AS (UPDATE account SET outcome = $2, outcome_at = $3, deal_value = $4::numeric, updated_at = now() WHERE id = $1 RETURNING *)
         SELECT ${ACCOUNT_COLUMNS} FROM a`,
        [input.accountId, input.outcome, at, dealValue],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'account.outcome_set',
        entityType: 'account',
        entityId: before.id,
        summary: `Outcome of account ${before.name || before.id}: ${input.outcome}${dealValue ? ` (deal value ${dealValue})` : ''}`,
        before: { outcome: before.outcome, outcomeAt: before.outcomeAt, dealValue: before.dealValue },
        after: { outcome: input.outcome, outcomeAt: at, dealValue },
        requestId: actor.requestId,
      });
      return after;
    });
  }
}
