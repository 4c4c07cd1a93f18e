import type { DataSource } from 'typeorm';
import { AccountErrorCode } from '../accounts/account.errors';
import { decodeCursor, encodeCursor, type Page, PAGE_LIMITS, pageSize } from '../common/pagination';
import type { LeadEntity } from './lead.entity';
import { LEAD_COLUMNS } from './lead.service';

/* Account.contacts: each account's leads, best scored first (default model), keyset-paginated. */

const TAG = 'CONTACTS';

export interface ContactPageArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * A page of contacts for each of several accounts in one query (a page of accounts asks for all of
 * theirs at once): a LATERAL scan of each account's leads (index lead_account), by score then id,
 * descending; a lead not yet scored counts as the lowest cursor int (totals may be negative).
 */
export async function contactPages(
  dataSource: DataSource,
  accountIds: readonly string[],
  args: ContactPageArgs,
): Promise<Map<string, Page<LeadEntity>>> {
  const size = pageSize(args.first, AccountErrorCode.InvalidAccountQuery, PAGE_LIMITS.maxFirst, 'first');
  const after = args.after ? decodeCursor(args.after, TAG, AccountErrorCode.InvalidCursor, 'after', ['int', 'id']) : null;
  const ids = accountIds.filter((id) => /^\d{1,18}$/.test(id));
  const params: unknown[] = [ids, size + 1];
  const condition = after ? `AND (COALESCE(s.total, -2147483647), l.id) < ($3::int, $4::bigint)` : '';
  if (after) params.push(after[0], after[1]);
  const rows: Array<LeadEntity & { accountKey: string; sortTotal: number }> = ids.length
    ? await dataSource.query(
        `SELECT c.* FROM unnest($1::bigint[]) AS x(account_id)
           CROSS JOIN LATERAL (
             SELECT x.account_id::text AS "accountKey", ${LEAD_COLUMNS}, COALESCE(s.total, -2147483647) AS "sortTotal"
               FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id
              WHERE l.account_id = x.account_id ${condition}
              ORDER BY COALESCE(s.total, -2147483647) DESC, l.id DESC
              LIMIT $2) c`,
        params,
      )
    : [];
  const pages = new Map<string, Page<LeadEntity>>(accountIds.map((id) => [id, { nodes: [], cursors: [], hasNextPage: false }]));
  for (const { accountKey, sortTotal, ...lead } of rows) {
    const page = pages.get(accountKey) as Page<LeadEntity>;
    if (page.nodes.length === size) {
      page.hasNextPage = true;
      continue;
    }
    page.nodes.push(lead as LeadEntity);
    page.cursors.push(encodeCursor([TAG, sortTotal, lead.id]));
  }
  return pages;
}
