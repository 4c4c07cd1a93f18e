import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import type { ScoringService } from '../scoring/scoring.service';
import type { AccountEntity, AccountSource } from './account.entity';
import { AccountErrorCode } from './account.errors';
import { ACCOUNT_COLUMNS, notFound } from './account.service';
import {
  ACCOUNT_BULK_LIMITS,
  type AccountAttributeChecker,
  type AccountItemError,
  accountBatchError,
  type UpsertAccountData,
  type UpsertAccountItemResult,
  upsertAccountProblems,
  writeAccountBatch,
} from './account-upsert';

export const ACCOUNT_WRITE_LIMITS = {
  /** Contacts a merge moves and re-scores within its request; a larger merge is refused. */
  maxMergeContacts: 5000,
  /** Contacts re-scored per scoring call of a merge (bounded work per statement set). */
  rescoreChunk: 1000,
} as const;

const ID = /^\d{1,18}$/;

/** Writes to accounts: upserts, merges, manual moves of leads. Each in one transaction, audited. */
export class AccountWriteService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
    private readonly audit: AuditService,
    private readonly attributeChecker: AccountAttributeChecker,
  ) {}

  /**
   * Creates or updates up to 1,000 accounts, found by externalId else by domain (a merged account's
   * land on the account it was merged into). atomic: any bad item fails the call and nothing is
   * written; otherwise bad items get their errors and the others are written.
   */
  async upsertAccounts(actor: Actor, items: readonly UpsertAccountData[], atomic: boolean): Promise<UpsertAccountItemResult[]> {
    if (items.length === 0) throw InvalidInputError.field(AccountErrorCode.InvalidBatch, 'input.accounts', 'give at least one account');
    if (items.length > ACCOUNT_BULK_LIMITS.maxAccounts)
      throw InvalidInputError.field(
        AccountErrorCode.InvalidBatch,
        'input.accounts',
        `at most ${ACCOUNT_BULK_LIMITS.maxAccounts} accounts per call, got ${items.length}`,
      );
    const errors = upsertAccountProblems(items, await this.attributeChecker());
    if (atomic && errors.some((list) => list.length > 0)) throw accountBatchError(errors);
    const valid = items.map((data, index) => ({ index, data })).filter(({ index }) => errors[index].length === 0);
    const written = new Map<number, { accountId: string; created: boolean }>();
    if (valid.length > 0) {
      await this.dataSource
        .transaction(async (manager) => {
          const batch = await writeAccountBatch(manager, valid);
          for (const [index, itemErrors] of batch.errors) errors[index] = itemErrors;
          // Rolls back: nothing of an atomic batch is written when one of its items cannot be.
          if (atomic && batch.errors.size > 0) throw accountBatchError(errors);
          for (const [index, result] of batch.written) written.set(index, result);
          if (batch.written.size === 0) return;
          const created = [...batch.written.values()].filter((result) => result.created).length;
          await this.audit.record(manager, {
            actor: actor.name,
            action: 'account.upserted',
            entityType: 'account',
            entityId: batch.written.size === 1 ? [...batch.written.values()][0].accountId : `${batch.written.size} accounts`,
            summary: `${created} account${created === 1 ? '' : 's'} created, ${batch.written.size - created} updated`,
            after: [...batch.written].map(([index, result]) => ({ ...result, ...items[index] })),
            requestId: actor.requestId,
          });
        })
        .catch((error: unknown) => {
          // An update gave an account an externalId or domain another request had just taken: nothing was written.
          if ((error as { code?: string }).code !== '23505') throw error;
          throw new ConflictError(
            AccountErrorCode.AccountConflict,
            'Another request gave an externalId or domain of this call to an account meanwhile; nothing was written, send the call again',
            [{ path: 'input.accounts', message: 'an externalId or domain was taken meanwhile' }],
          );
        });
    }
    return items.map((_, index) => ({
      index,
      accountId: written.get(index)?.accountId ?? null,
      created: written.get(index)?.created ?? false,
      errors: errors[index] as AccountItemError[],
    }));
  }

  /**
   * Moves every contact of the source to the target (one statement), marks the source merged into
   * the target (accounts merged into the source before follow: one level, always), re-scores the
   * moved contacts (cause lead_updated) in chunks, all in one transaction; audited. More than
   * ACCOUNT_WRITE_LIMITS.maxMergeContacts contacts is refused before anything is written.
   */
  async mergeAccounts(actor: Actor, sourceId: string, targetId: string): Promise<AccountEntity> {
    if (!ID.test(sourceId)) throw notFound('input.sourceId', sourceId);
    if (!ID.test(targetId)) throw notFound('input.targetId', targetId);
    if (sourceId === targetId) throw InvalidInputError.field(AccountErrorCode.InvalidMerge, 'input.targetId', 'must differ from sourceId');
    return this.dataSource.transaction(async (manager) => {
      const rows: AccountEntity[] = await manager.query(
        // NO KEY UPDATE: lead writes that point a lead at these accounts (a key share) are not blocked.
        `SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.id = ANY($1::bigint[]) ORDER BY a.id FOR NO KEY UPDATE`,
        [[sourceId, targetId]],
      );
      const source = rows.find((row) => row.id === sourceId);
      const target = rows.find((row) => row.id === targetId);
      if (!source) throw notFound('input.sourceId', sourceId);
      if (!target) throw notFound('input.targetId', targetId);
      if (source.mergedIntoId)
        throw InvalidInputError.field(
          AccountErrorCode.InvalidMerge,
          'input.sourceId',
          `was already merged into account ${source.mergedIntoId}`,
        );
      if (target.mergedIntoId)
        throw InvalidInputError.field(
          AccountErrorCode.InvalidMerge,
          'input.targetId',
          `was merged into account ${target.mergedIntoId}; merge into that one`,
        );
      const [{ count }]: Array<{ count: number }> = await manager.query('SELECT count(*)::int AS count FROM lead WHERE account_id = $1', [
        sourceId,
      ]);
      if (count > ACCOUNT_WRITE_LIMITS.maxMergeContacts)
        throw InvalidInputError.field(
          AccountErrorCode.MergeTooLarge,
          'input.sourceId',
          `has ${count} contacts; a merge moves at most ${ACCOUNT_WRITE_LIMITS.maxMergeContacts} (move contacts with upsertLeads accountExternalId first)`,
        );
      const moved: Array<{ id: string }> = await manager.query(
        `WITH m AS (UPDATE lead SET account_id = $2, updated_at = now() WHERE account_id = $1 RETURNING id)
         SELECT id::text AS id FROM m ORDER BY m.id`,
        [sourceId, targetId],
      );
      await manager.query(`UPDATE account SET merged_into_id = $2, updated_at = now() WHERE id = $1 OR merged_into_id = $1`, [
        sourceId,
        targetId,
      ]);
      await this.rescore(
        manager,
        moved.map((row) => row.id),
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'account.merged',
        entityType: 'account',
        entityId: targetId,
        summary: `Account ${source.name || sourceId} merged into ${target.name || targetId}: ${moved.length} contact${moved.length === 1 ? '' : 's'} moved`,
        before: { source: { id: sourceId, externalId: source.externalId, domain: source.domain, name: source.name } },
        after: { sourceMergedIntoId: targetId, contactsMoved: moved.length },
        requestId: actor.requestId,
      });
      const [merged]: AccountEntity[] = await manager.query(`SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.id = $1`, [targetId]);
      return merged;
    });
  }

  /**
   * Places a lead in an account by hand (account_source 'manual': domain matching leaves it there
   * from then on), or detaches it (accountId null; also manual, so it stays detached); re-scores the
   * lead; audited. An account merged away stands for the account it was merged into. Returns the lead's id.
   */
  async moveLead(actor: Actor, leadId: string, accountId: string | null): Promise<string> {
    const leadMissing = () =>
      new NotFoundError(AccountErrorCode.LeadNotFound, `No lead with id "${leadId.slice(0, 60)}"`, [
        { path: 'input.leadId', message: 'no such lead' },
      ]);
    if (!ID.test(leadId)) throw leadMissing();
    if (accountId !== null && !ID.test(accountId)) throw notFound('input.accountId', accountId);
    return this.dataSource.transaction(async (manager) => {
      // The account before the lead, as mergeAccounts locks them: the two never wait on each other in a cycle.
      let target: AccountEntity | null = null;
      if (accountId !== null) {
        const [row]: AccountEntity[] = await manager.query(
          `SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.id = (SELECT COALESCE(merged_into_id, id) FROM account WHERE id = $1) FOR SHARE`,
          [accountId],
        );
        if (!row) throw notFound('input.accountId', accountId);
        target = row;
      }
      const [lead]: Array<{ id: string; externalId: string; accountId: string | null; accountSource: AccountSource | null }> =
        await manager.query(
          `SELECT id::text AS id, external_id AS "externalId", account_id::text AS "accountId", account_source AS "accountSource"
             FROM lead WHERE id = $1 FOR UPDATE`,
          [leadId],
        );
      if (!lead) throw leadMissing();
      await manager.query(`UPDATE lead SET account_id = $2, account_source = 'manual', updated_at = now() WHERE id = $1`, [
        leadId,
        target?.id ?? null,
      ]);
      await this.rescore(manager, [leadId]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'lead.account_moved',
        entityType: 'lead',
        entityId: leadId,
        summary: target
          ? `Lead ${lead.externalId} moved to account ${target.name || target.id}`
          : `Lead ${lead.externalId} detached from its account`,
        before: { accountId: lead.accountId, accountSource: lead.accountSource },
        after: { accountId: target?.id ?? null, accountSource: 'manual' },
        requestId: actor.requestId,
      });
      return leadId;
    });
  }

  /** Re-scores leads whose account changed through the scoring entry point, a bounded chunk at a time. */
  private async rescore(manager: EntityManager, leadIds: readonly string[]): Promise<void> {
    for (let start = 0; start < leadIds.length; start += ACCOUNT_WRITE_LIMITS.rescoreChunk)
      await this.scoring.scoreLeads(manager, leadIds.slice(start, start + ACCOUNT_WRITE_LIMITS.rescoreChunk), 'lead_updated');
  }
}
