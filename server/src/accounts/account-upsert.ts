import type { EntityManager } from 'typeorm';
import { InvalidInputError, type Problem } from '../common/errors';
import type { AccountEntity } from './account.entity';
import { AccountErrorCode } from './account.errors';
import { ACCOUNT_COLUMNS, ACCOUNT_LIMITS } from './account.service';

/* upsertAccounts: up to 1,000 accounts per call, found by externalId else by domain, written set-based. */

export const ACCOUNT_BULK_LIMITS = { maxAccounts: 1000 } as const;

/** What a client sends for one account. */
export interface UpsertAccountData {
  externalId?: string | null;
  domain?: string | null;
  name?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** Checks account attributes against the account-scope catalog (the catalog lives in leads/; app.ts passes this in). */
export type AccountAttributeChecker = () => Promise<(attributes: Record<string, unknown>, basePath: string) => Problem[]>;

/** One thing wrong with one item: where, why, the code the call would fail with alone, the domain's code. */
export interface AccountItemError extends Problem {
  code: string;
  reason: string;
}

export interface UpsertAccountItemResult {
  index: number;
  accountId: string | null;
  created: boolean;
  errors: AccountItemError[];
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

const invalid = (path: string, message: string): AccountItemError => ({
  path,
  message,
  code: 'BAD_USER_INPUT',
  reason: AccountErrorCode.InvalidAccount,
});

/** The domain as stored: trimmed, lower case. */
export const normalDomain = (domain: string | null | undefined) => (domain == null ? domain : domain.trim().toLowerCase());

/** Problems of each item, at `input.accounts[i]`, with a later item repeating an earlier one's externalId or domain. */
export function upsertAccountProblems(
  items: readonly UpsertAccountData[],
  checkAttributes: (attributes: Record<string, unknown>, basePath: string) => Problem[],
): AccountItemError[][] {
  const seenExternalIds = new Map<string, number>();
  const seenDomains = new Map<string, number>();
  return items.map((item, index) => {
    const base = `input.accounts[${index}]`;
    const errors: AccountItemError[] = [];
    const domain = normalDomain(item.domain);
    if (item.externalId == null && domain == null) errors.push(invalid(`${base}.externalId`, 'give externalId or domain (or both)'));
    if (item.externalId != null && (!item.externalId.trim() || item.externalId.length > ACCOUNT_LIMITS.externalId))
      errors.push(invalid(`${base}.externalId`, `must be 1 to ${ACCOUNT_LIMITS.externalId} characters`));
    if (domain != null && !DOMAIN.test(domain))
      errors.push(invalid(`${base}.domain`, `"${domain.slice(0, 60)}" is not a domain such as acme.io`));
    if (item.name != null && (!item.name.trim() || item.name.length > ACCOUNT_LIMITS.name))
      errors.push(invalid(`${base}.name`, `must be 1 to ${ACCOUNT_LIMITS.name} characters`));
    if (item.attributes != null)
      for (const problem of checkAttributes(item.attributes, `${base}.attributes`)) errors.push(invalid(problem.path, problem.message));
    const repeat = (seen: Map<string, number>, key: string | null | undefined, field: string) => {
      if (key == null) return;
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, index);
      else
        errors.push({
          path: `${base}.${field}`,
          message: `"${key.slice(0, 60)}" is also input.accounts[${earlier}]; give each account once per call`,
          code: 'BAD_USER_INPUT',
          reason: AccountErrorCode.DuplicateInBatch,
        });
    };
    repeat(seenExternalIds, item.externalId, 'externalId');
    repeat(seenDomains, domain, 'domain');
    return errors;
  });
}

const conflict = (path: string, message: string): AccountItemError => ({
  path,
  message,
  code: 'CONFLICT',
  reason: AccountErrorCode.AccountConflict,
});

interface Planned {
  index: number;
  data: UpsertAccountData;
  /** The account to update, or null to create one. */
  target: AccountEntity | null;
  /** The item's externalId / domain is not held by any account yet: the target takes it. */
  newExternalId: boolean;
  newDomain: boolean;
}

/**
 * Writes valid items in the caller's transaction: the accounts they name locked in one statement
 * (and the survivors of merged ones in a second), new ones inserted in one, the others updated in
 * one. An externalId or domain of a merged account lands on the account it was merged into. Items
 * that cannot be written (a domain that belongs to another account, a row created meanwhile) get
 * their errors in `errors` and are left out.
 */
export async function writeAccountBatch(
  manager: EntityManager,
  items: ReadonlyArray<{ index: number; data: UpsertAccountData }>,
): Promise<{ written: Map<number, { accountId: string; created: boolean }>; errors: Map<number, AccountItemError[]> }> {
  const externalIds = items.flatMap(({ data }) => (data.externalId != null ? [data.externalId] : []));
  const domains = items.flatMap(({ data }) => (data.domain != null ? [normalDomain(data.domain) as string] : []));
  const locked: AccountEntity[] = await manager.query(
    `SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.external_id = ANY($1::text[]) OR a.domain = ANY($2::text[]) ORDER BY a.id FOR UPDATE`,
    [externalIds, domains],
  );
  const byId = new Map(locked.map((row) => [row.id, row]));
  const survivorIds = [...new Set(locked.flatMap((row) => (row.mergedIntoId && !byId.has(row.mergedIntoId) ? [row.mergedIntoId] : [])))];
  if (survivorIds.length > 0) {
    const survivors: AccountEntity[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM account a WHERE a.id = ANY($1::bigint[]) ORDER BY a.id FOR UPDATE`,
      [survivorIds],
    );
    for (const row of survivors) byId.set(row.id, row);
  }
  const survivor = (row: AccountEntity | undefined) => (row ? (row.mergedIntoId && byId.get(row.mergedIntoId)) || row : undefined);
  const byExternalId = new Map(locked.flatMap((row) => (row.externalId ? [[row.externalId, row] as const] : [])));
  const byDomain = new Map(locked.flatMap((row) => (row.domain ? [[row.domain, row] as const] : [])));

  const errors = new Map<number, AccountItemError[]>();
  const claimed = new Map<string, number>();
  const planned: Planned[] = [];
  for (const { index, data } of items) {
    const base = `input.accounts[${index}]`;
    const domain = normalDomain(data.domain);
    const found = data.externalId != null ? survivor(byExternalId.get(data.externalId)) : undefined;
    const ofDomain = domain != null ? survivor(byDomain.get(domain)) : undefined;
    let target: AccountEntity | null = found ?? null;
    let error: AccountItemError | null = null;
    if (found && ofDomain && ofDomain.id !== found.id) {
      error = conflict(`${base}.domain`, `"${domain}" belongs to another account (id ${ofDomain.id})`);
    } else if (!found && ofDomain) {
      if (data.externalId != null && ofDomain.externalId != null && ofDomain.externalId !== data.externalId)
        error = conflict(`${base}.domain`, `"${domain}" belongs to the account with externalId "${ofDomain.externalId.slice(0, 60)}"`);
      else target = ofDomain; // found by domain; a new externalId is given to it
    }
    if (!error && target) {
      const earlier = claimed.get(target.id);
      if (earlier !== undefined)
        error = {
          path: base,
          message: `names the same account (id ${target.id}) as input.accounts[${earlier}]; give each account once per call`,
          code: 'BAD_USER_INPUT',
          reason: AccountErrorCode.DuplicateInBatch,
        };
      else claimed.set(target.id, index);
    }
    if (error) errors.set(index, [error]);
    else
      planned.push({
        index,
        data,
        target,
        // A merged account's externalId and domain stay on it (matching follows them): never copied to its survivor.
        newExternalId: data.externalId != null && !byExternalId.has(data.externalId) && target?.externalId == null,
        newDomain: domain != null && !byDomain.has(domain),
      });
  }

  const written = new Map<number, { accountId: string; created: boolean }>();
  const fresh = planned.filter((item) => item.target === null);
  if (fresh.length > 0) {
    const rows = fresh.map(({ data }) => {
      const domain = normalDomain(data.domain) ?? null;
      return {
        external_id: data.externalId ?? null,
        domain,
        name: data.name ?? domain ?? data.externalId ?? '',
        attributes: data.attributes ?? {},
      };
    });
    const inserted: Array<{ id: string; externalId: string | null; domain: string | null }> = await manager.query(
      `INSERT INTO account (external_id, domain, name, attributes)
       SELECT r.external_id, r.domain, r.name, jsonb_strip_nulls(r.attributes)
         FROM jsonb_to_recordset($1::jsonb) AS r(external_id text, domain text, name text, attributes jsonb)
        ORDER BY r.external_id, r.domain
       ON CONFLICT DO NOTHING
       RETURNING id::text AS id, external_id AS "externalId", domain`,
      [JSON.stringify(rows)],
    );
    const key = (externalId: string | null | undefined, domain: string | null | undefined) =>
      JSON.stringify([externalId ?? null, domain ?? null]);
    const insertedByKey = new Map(inserted.map((row) => [key(row.externalId, row.domain), row.id]));
    for (const { index, data } of fresh) {
      const id = insertedByKey.get(key(data.externalId, normalDomain(data.domain)));
      if (id) written.set(index, { accountId: id, created: true });
      else
        errors.set(index, [
          conflict(`input.accounts[${index}]`, 'another request created this account meanwhile; send the item again to update it'),
        ]);
    }
  }
  const updates = planned.filter((item) => item.target !== null);
  if (updates.length > 0) {
    await manager.query(
      `UPDATE account a SET external_id = COALESCE(r.external_id, a.external_id), domain = COALESCE(r.domain, a.domain),
              name = COALESCE(r.name, a.name), attributes = jsonb_strip_nulls(a.attributes || COALESCE(r.attributes, '{}')),
              updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, external_id text, domain text, name text, attributes jsonb)
        WHERE a.id = r.id`,
      [
        JSON.stringify(
          updates.map(({ data, target, newExternalId, newDomain }) => ({
            id: (target as AccountEntity).id,
            external_id: newExternalId ? data.externalId : null,
            domain: newDomain ? normalDomain(data.domain) : null,
            name: data.name ?? null,
            attributes: data.attributes ?? null,
          })),
        ),
      ],
    );
    for (const { index, target } of updates) written.set(index, { accountId: (target as AccountEntity).id, created: false });
  }
  return { written, errors };
}

/** The error a whole atomic batch fails with: every item's problems, in item order. */
export function accountBatchError(errors: AccountItemError[][]): InvalidInputError {
  const all = errors.flat();
  return InvalidInputError.of(
    all.length && all.every((error) => error.reason === all[0].reason) ? all[0].reason : AccountErrorCode.InvalidBatch,
    all.map(({ path, message }) => ({ path, message })),
  );
}
