import type { DataSource } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import { checksumOf } from '../engine/canonical-json';
import { BacktestErrorCode } from './backtest.errors';
import type { CohortSpec } from './cohort-spec';

/**
 * An account cohort: the accounts with at least one contact the lead spec selects (created in the
 * range, of the source, segment and attributes given). The spec is stored with `subject: 'account'`,
 * so its checksum never equals the lead cohort's of the same filters.
 */
export type AccountCohortSpec = CohortSpec & { subject: 'account' };

export function accountCohortSpec(spec: CohortSpec): AccountCohortSpec {
  return { ...spec, subject: 'account' };
}

export function accountCohortChecksum(spec: CohortSpec): string {
  return checksumOf(accountCohortSpec(spec));
}

/** The contacts the spec selects (the accounts' seeds), as SQL over `lead l` with its parameters from `$first`. */
export function contactFilter(spec: CohortSpec, params: unknown[]): string {
  const add = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const where = [
    'l.account_id IS NOT NULL',
    `l.created_at >= ${add(spec.createdFrom, 'timestamptz')}`,
    `l.created_at < ${add(spec.createdTo, 'timestamptz')}`,
  ];
  if (spec.source !== null) where.push(`l.source = ${add(spec.source, 'text')}`);
  if (spec.segment !== null) where.push(`l.segment = ${add(spec.segment, 'text')}`);
  if (spec.attributes.length)
    where.push(`l.attributes @> ${add(JSON.stringify(Object.fromEntries(spec.attributes.map((a) => [a.name, a.value]))), 'jsonb')}`);
  return where.join(' AND ');
}

/**
 * Accounts' outcomes now (a query with one row per account), from their own and their contacts': converted when the account is or any contact converted (at the first
 * conversion), lost when the account is or every contact was lost (at the account's loss, else the
 * last contact's), otherwise open. The deal value is the account's, else its converted contacts'.
 * `accountsWhere` picks the accounts (a condition on `a`).
 */
export const accountOutcomesSql = (accountsWhere: string): string => `
  SELECT a.id AS account_id,
         CASE WHEN converted THEN 'converted' WHEN lost THEN 'lost' ELSE 'open' END AS outcome,
         CASE WHEN converted THEN converted_at WHEN lost THEN lost_at END AS outcome_at,
         CASE WHEN converted THEN deal_value END AS deal_value
    FROM (SELECT a.id,
                 a.outcome = 'converted' OR coalesce(bool_or(c.outcome = 'converted'), false) AS converted,
                 least(CASE WHEN a.outcome = 'converted' THEN a.outcome_at END,
                       min(c.outcome_at) FILTER (WHERE c.outcome = 'converted')) AS converted_at,
                 a.outcome = 'lost' OR coalesce(bool_and(c.outcome = 'lost'), false) AS lost,
                 CASE WHEN a.outcome = 'lost' THEN a.outcome_at ELSE max(c.outcome_at) END AS lost_at,
                 coalesce(a.deal_value, sum(c.deal_value) FILTER (WHERE c.outcome = 'converted')) AS deal_value
            FROM account a LEFT JOIN lead c ON c.account_id = a.id
           WHERE ${accountsWhere}
           GROUP BY a.id) a`;

/** How many contacts (leads with an account) the spec selects now: what decides a run inline or queued. */
export async function countAccountCohortContacts(dataSource: DataSource, spec: CohortSpec): Promise<number> {
  const params: unknown[] = [];
  const [{ count }]: Array<{ count: number }> = await dataSource.query(
    `SELECT count(*)::int AS count FROM lead c
      WHERE c.account_id IN (SELECT l.account_id FROM lead l WHERE ${contactFilter(spec, params)})`,
    params,
  );
  return count;
}

/** Refuses a spec that selects no contact of any account, saying whether leads match at all. */
export async function requireAccountCohortMatches(dataSource: DataSource, spec: CohortSpec, path: string): Promise<void> {
  const params: unknown[] = [];
  const rows: unknown[] = await dataSource.query(`SELECT 1 FROM lead l WHERE ${contactFilter(spec, params)} LIMIT 1`, params);
  if (rows.length) return;
  throw InvalidInputError.field(
    BacktestErrorCode.InvalidBacktest,
    path,
    `no lead created ${spec.createdFrom} to ${spec.createdTo} with these filters belongs to an account: an account model is backtested on the accounts of such leads`,
  );
}
