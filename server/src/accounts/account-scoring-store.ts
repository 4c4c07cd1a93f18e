import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../db/prepared';
import { arrayLiteral } from '../engine/array-literal';
import type { AccountContact } from '../engine/account-facts';
import type { ScoreCause } from '../scoring/score-history.entity';
import { contactJson, contactOfTuple } from './account-score-rows';

/*
 * The SQL of account scoring: locking accounts, reading a big account's contacts page by page (the
 * grouped read of small accounts with their stored scores is in account-score-rows.ts), the
 * deferred work of big or busy accounts, and the accounts made stale by triggers
 * (account_recompute_log). Callers pass the transaction's manager.
 */

/** An account as scoring reads it: its attributes and (up to the read's bound) its contacts. */
export interface AccountForScoring {
  accountId: string;
  attributes: Record<string, unknown>;
  createdAt: Date;
  contacts: AccountContact[];
}

/**
 * Locks the accounts' rows in id order, apart from the reads that follow so that they see what a
 * transaction that held a lock committed (as scoring does with leads). Merged accounts are left out.
 * FOR NO KEY UPDATE: it conflicts with every writer of the account row (a merge, an outcome) and
 * with other scorers, but not with the key-share lock a contact's insert or move takes on it
 * through lead.account_id, which must not wait on a scorer.
 *
 * Each locked account comes with its number of contacts, counted up to `cap` in the same statement
 * (as of its start: it only decides whether the account is read inline or left to the worker).
 *
 * `skipLocked`: accounts another transaction holds are returned apart instead of waited for. The
 * scoring follower holds its leads' locks when it gets here; a merge holds the accounts and then
 * takes its contacts' locks: waiting would deadlock, so the follower leaves those to the worker.
 */
export async function lockAccounts(
  manager: EntityManager,
  accountIds: readonly string[],
  options: { skipLocked: boolean; cap: number },
): Promise<{ locked: string[]; contacts: Map<string, number>; busy: string[] }> {
  if (accountIds.length === 0) return { locked: [], contacts: new Map(), busy: [] };
  const sql = `SELECT a.id::text AS id, (SELECT count(*) FROM (SELECT 1 FROM lead l WHERE l.account_id = a.id LIMIT $2) c)::int AS contacts
       FROM account a WHERE a.id = ANY($1::bigint[]) AND a.merged_into_id IS NULL
      ORDER BY a.id FOR NO KEY UPDATE OF a${options.skipLocked ? ' SKIP LOCKED' : ''}`;
  const params = [arrayLiteral(accountIds), options.cap];
  type Row = { id: string; contacts: number };
  const rows: Row[] = accountIds.length === 1 ? await queryPrepared<Row>(manager, sql, params) : await manager.query(sql, params);
  const locked = rows.map((row) => row.id);
  const contacts = new Map(rows.map((row) => [row.id, row.contacts]));
  if (!options.skipLocked || locked.length === accountIds.length) return { locked, contacts, busy: [] };
  // Which of the rest are merely merged or gone (nothing to do) and which are held by another transaction.
  const got = new Set(locked);
  const live: Array<{ id: string }> = await manager.query(
    'SELECT id::text AS id FROM account WHERE id = ANY($1::bigint[]) AND merged_into_id IS NULL',
    [arrayLiteral(accountIds.filter((id) => !got.has(id)))],
  );
  return { locked, contacts, busy: live.map((row) => row.id) };
}

/** One account read a page of contacts at a time (keyset on lead id): for accounts too big for one statement. */
export async function readBigAccountForScoring(
  manager: EntityManager,
  accountId: string,
  attributeNames: readonly string[],
  pageSize: number,
): Promise<AccountForScoring | null> {
  const found: Array<{ attributes: string; created_at: Date | string }> = await manager.query(
    'SELECT attributes::text AS attributes, created_at FROM account WHERE id = $1::bigint',
    [accountId],
  );
  if (found.length === 0) return null;
  const account: AccountForScoring = {
    accountId,
    attributes: JSON.parse(found[0].attributes) as Record<string, unknown>,
    createdAt: new Date(found[0].created_at),
    contacts: [],
  };
  let after = '0';
  for (;;) {
    const page: Array<{ contact: string }> = await manager.query(
      `SELECT ${contactJson('$3')}::text AS contact
         FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id
        WHERE l.account_id = $1::bigint AND l.id > $2::bigint
        ORDER BY l.id LIMIT $4`,
      [accountId, after, arrayLiteral(attributeNames), pageSize],
    );
    for (const row of page) account.contacts.push(contactOfTuple(JSON.parse(row.contact)));
    if (page.length < pageSize) return account;
    after = account.contacts[account.contacts.length - 1].leadId;
  }
}

/**
 * lockAccounts for the accounts to recompute after these leads were scored (the scoring follower,
 * SKIP LOCKED): the leads' accounts, and those this transaction made stale otherwise
 * (account_recompute_log rows of this txid, removed: this transaction recomputes them), found,
 * locked in id order and counted in one statement. One lead (a request's) is a prepared statement.
 */
export async function lockAccountsOfLeads(
  manager: EntityManager,
  leadIds: readonly string[],
  cap: number,
): Promise<{ locked: string[]; contacts: Map<string, number>; busy: string[] }> {
  const params = [arrayLiteral(leadIds), cap];
  type Row = { id: string; contacts: number | null; locked: boolean; busy: boolean };
  const rows: Row[] =
    leadIds.length === 1
      ? await queryPrepared<Row>(manager, LOCK_ACCOUNTS_OF_LEADS, params)
      : await manager.query(LOCK_ACCOUNTS_OF_LEADS, params);
  const locked = rows.filter((row) => row.locked).sort((a, b) => compareIds(a.id, b.id));
  return {
    locked: locked.map((row) => row.id),
    contacts: new Map(locked.map((row) => [row.id, Number(row.contacts ?? 0)])),
    busy: rows.filter((row) => row.busy).map((row) => row.id),
  };
}

const LOCK_ACCOUNTS_OF_LEADS = `WITH logged AS (
  DELETE FROM account_recompute_log WHERE txid = txid_current() RETURNING account_id
), wanted AS (
  SELECT account_id FROM lead WHERE id = ANY($1::bigint[]) AND account_id IS NOT NULL
  UNION
  SELECT account_id FROM logged
), locked AS MATERIALIZED (
  SELECT a.id, (SELECT count(*) FROM (SELECT 1 FROM lead l WHERE l.account_id = a.id LIMIT $2) c)::int AS contacts
    FROM account a WHERE a.id IN (SELECT account_id FROM wanted) AND a.merged_into_id IS NULL
   ORDER BY a.id FOR NO KEY UPDATE OF a SKIP LOCKED
)
SELECT w.account_id::text AS id, k.contacts, k.id IS NOT NULL AS locked,
       k.id IS NULL AND EXISTS (SELECT 1 FROM account a WHERE a.id = w.account_id AND a.merged_into_id IS NULL) AS busy
  FROM wanted w LEFT JOIN locked k ON k.id = w.account_id`;

/** Numeric order of bigint ids given as text. */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

export type PendingKind = 'account' | 'contacts';

/** One account's request for deferred work: why (its history's cause) and how long to wait for more requests. */
export interface PendingRequest {
  accountId: string;
  cause: ScoreCause;
  delayMs: number;
}

/**
 * Asks the worker to do `kind` for these accounts, each after its delay at the earliest (by the
 * database's clock, which the claim compares with; a later request does not move an earlier one's
 * time). A request on a row a worker has claimed bumps its version, so the worker knows to run it
 * again; an unclaimed row already covers the request. One statement per kind, rows in id order:
 * transactions take the rows' locks in one order, (kind, account id), and cannot deadlock on them.
 */
export async function requestPending(manager: EntityManager, requests: readonly PendingRequest[], kind: PendingKind): Promise<void> {
  if (requests.length === 0) return;
  const unique = [...new Map(requests.map((request) => [request.accountId, request])).values()];
  await manager.query(
    `INSERT INTO account_rescore_pending (account_id, kind, cause, due_at)
     SELECT r.id, $4, r.cause, now() + r.delay_ms * interval '1 millisecond'
       FROM unnest($1::bigint[], $2::text[], $3::int[]) AS r(id, cause, delay_ms) ORDER BY r.id
     ON CONFLICT (account_id, kind) DO UPDATE SET version = account_rescore_pending.version + 1, cause = EXCLUDED.cause
      WHERE account_rescore_pending.claimed_until IS NOT NULL`,
    [
      arrayLiteral(unique.map((request) => request.accountId)),
      arrayLiteral(unique.map((request) => request.cause)),
      arrayLiteral(unique.map((request) => request.delayMs)),
      kind,
    ],
  );
}

/** Turns the stale accounts logged by committed transactions (whose follower did not run) into pending work. */
export async function collectLoggedAccounts(manager: EntityManager): Promise<number> {
  const rows: Array<{ account_id: string; cause: ScoreCause }> = await manager.query(
    `WITH logged AS (DELETE FROM account_recompute_log RETURNING account_id, cause)
     SELECT DISTINCT ON (l.account_id) l.account_id::text AS account_id, l.cause
       FROM logged l JOIN account a ON a.id = l.account_id
      ORDER BY l.account_id, l.cause`,
  );
  await requestPending(
    manager,
    rows.map((row) => ({ accountId: row.account_id, cause: row.cause, delayMs: 0 })),
    'account',
  );
  return rows.length;
}

export interface PendingClaim {
  accountId: string;
  kind: PendingKind;
  cause: ScoreCause;
  version: number;
  afterLeadId: string | null;
}

/** Claims up to `limit` due rows for `claimMs` (in its own short transaction: requests are not held up). */
export async function claimPending(manager: EntityManager, limit: number, claimMs: number): Promise<PendingClaim[]> {
  const rows: Array<{ account_id: string; kind: PendingKind; cause: ScoreCause; version: number; after_lead_id: string | null }> =
    await manager.query(
      // In a WITH, so that both drivers return the rows (TypeORM's pg driver returns [rows, count] for an UPDATE).
      `WITH claimed AS (
         UPDATE account_rescore_pending p SET claimed_until = now() + $2 * interval '1 millisecond'
           FROM (SELECT account_id, kind FROM account_rescore_pending
                  WHERE due_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
                  ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
          WHERE p.account_id = due.account_id AND p.kind = due.kind
          RETURNING p.account_id::text AS account_id, p.kind, p.cause, p.version, p.after_lead_id::text AS after_lead_id
       )
       SELECT * FROM claimed`,
      [limit, claimMs],
    );
  return rows.map((row) => ({
    accountId: row.account_id,
    kind: row.kind,
    cause: row.cause,
    version: row.version,
    afterLeadId: row.after_lead_id,
  }));
}

/** Records how far a contacts re-score got, and keeps the claim. */
export async function advancePending(manager: EntityManager, claim: PendingClaim, afterLeadId: string, claimMs: number): Promise<void> {
  await manager.query(
    `UPDATE account_rescore_pending SET after_lead_id = $3::bigint, claimed_until = now() + $4 * interval '1 millisecond'
      WHERE account_id = $1::bigint AND kind = $2`,
    [claim.accountId, claim.kind, afterLeadId, claimMs],
  );
}

/**
 * Ends a claim whose work is done: removes the row unless a request came meanwhile, in which case
 * the row is released to run again (from the first contact) after the debounce.
 */
export async function finishPending(manager: EntityManager, claim: PendingClaim, debounceMs: number): Promise<void> {
  const [deleted]: Array<{ n: number }> = await manager.query(
    `WITH gone AS (DELETE FROM account_rescore_pending WHERE account_id = $1::bigint AND kind = $2 AND version = $3 RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [claim.accountId, claim.kind, claim.version],
  );
  if (deleted.n > 0) return;
  await manager.query(
    `UPDATE account_rescore_pending SET claimed_until = NULL, after_lead_id = NULL, due_at = now() + $3 * interval '1 millisecond'
      WHERE account_id = $1::bigint AND kind = $2`,
    [claim.accountId, claim.kind, debounceMs],
  );
}

/** The next contacts of an account after `afterLeadId`, in id order. */
export async function contactIdsAfter(
  manager: EntityManager,
  accountId: string,
  afterLeadId: string | null,
  limit: number,
): Promise<string[]> {
  const rows: Array<{ id: string }> = await manager.query(
    // Ordered by the bigint column (l.id): `ORDER BY id` would sort the text output column.
    `SELECT l.id::text AS id FROM lead l WHERE l.account_id = $1::bigint AND l.id > $2::bigint ORDER BY l.id LIMIT $3`,
    [accountId, afterLeadId ?? '0', limit],
  );
  return rows.map((row) => row.id);
}

/**
 * Locks up to `limit` + 1 contacts of these accounts, skipping those another transaction holds: the
 * caller holds the accounts, and a transaction holding a contact may be waiting for them.
 */
export async function lockContacts(
  manager: EntityManager,
  accountIds: readonly string[],
  limit: number,
): Promise<{ locked: string[]; total: number }> {
  const total: Array<{ n: number }> = await manager.query(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM lead WHERE account_id = ANY($1::bigint[]) LIMIT $2) c`,
    [arrayLiteral(accountIds), limit + 1],
  );
  if (total[0].n > limit) return { locked: [], total: total[0].n };
  const rows: Array<{ id: string }> = await manager.query(
    `SELECT l.id::text AS id FROM lead l WHERE l.account_id = ANY($1::bigint[]) ORDER BY l.id FOR UPDATE SKIP LOCKED`,
    [arrayLiteral(accountIds)],
  );
  return { locked: rows.map((row) => row.id), total: total[0].n };
}

/** Accounts (not merged) after `afterId` in id order: what a re-score of an account model walks. */
export async function listAccountIds(manager: EntityManager, afterId: string | null, limit: number): Promise<string[]> {
  const rows: Array<{ id: string }> = await manager.query(
    `SELECT a.id::text AS id FROM account a WHERE a.merged_into_id IS NULL AND a.id > $1::bigint ORDER BY a.id LIMIT $2`,
    [afterId ?? '0', limit],
  );
  return rows.map((row) => row.id);
}
