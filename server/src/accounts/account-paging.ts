import { InvalidInputError } from '../common/errors';
import { decodeCursor, encodeCursor, PAGE_LIMITS, pageSize } from '../common/pagination';
import { AccountErrorCode } from './account.errors';

/* Keyset pages of `accounts` (first/after), for each ordering. Merged accounts are never listed. */

export const ACCOUNT_ORDERS = ['SCORE_DESC', 'NAME_ASC', 'CREATED_DESC'] as const;
export type AccountOrder = (typeof ACCOUNT_ORDERS)[number];

export interface AccountPageArgs {
  orderBy?: AccountOrder | null;
  first?: number | null;
  after?: string | null;
}

/** The sort keys a listing SELECT returns for the cursors (`ms` is the model's model_score row, if any). */
export const ACCOUNT_SORT_COLUMNS = `ms.total AS "sortTotal", a.created_at::text AS "sortCreated"`;

/** The cursor's total of an unscored account: below any total a rule set can give (totals may be negative). */
export const NO_TOTAL = -(2 ** 31 - 1);

export interface AccountPagePlan {
  size: number;
  orderSql: string;
  /** The `after` cursor's condition, its values appended to params; null without a cursor. */
  condition: ((params: unknown[]) => string) | null;
  cursorOf: (row: Record<string, unknown>) => string;
}

const add = (params: unknown[], value: unknown): string => {
  params.push(value);
  return `$${params.length}`;
};

/** Checks the page arguments (sizes up to PAGE_LIMITS.maxLeadsFirst, cursors of this ordering) and plans the page. */
export function planAccountPage(args: AccountPageArgs): AccountPagePlan {
  const size = pageSize(args.first, AccountErrorCode.InvalidAccountQuery, PAGE_LIMITS.maxLeadsFirst, 'first');
  const tag = args.orderBy ?? 'SCORE_DESC';
  const decode = (kinds: Parameters<typeof decodeCursor>[4]) =>
    args.after ? decodeCursor(args.after, tag, AccountErrorCode.InvalidCursor, 'after', kinds) : null;
  switch (tag) {
    case 'NAME_ASC': {
      // Names are free text: the cursor's name is checked as a string, the id as an id.
      const after = args.after ? decodeCursor(args.after, tag, AccountErrorCode.InvalidCursor, 'after') : null;
      if (after && (after.length !== 2 || typeof after[0] !== 'string' || !/^\d{1,18}$/.test(String(after[1]))))
        throw InvalidInputError.field(
          AccountErrorCode.InvalidCursor,
          'after',
          'is not a cursor returned by this query with the same ordering',
        );
      return {
        size,
        orderSql: 'a.name ASC, a.id ASC',
        condition: after ? (params) => `(a.name, a.id) > (${add(params, after[0])}::text, ${add(params, after[1])}::bigint)` : null,
        cursorOf: (row) => encodeCursor([tag, row.name, row.id]),
      };
    }
    case 'CREATED_DESC': {
      const after = decode(['timestamp', 'id']);
      return {
        size,
        orderSql: 'a.created_at DESC, a.id DESC',
        condition: after
          ? (params) => `(a.created_at, a.id) < (${add(params, after[0])}::timestamptz, ${add(params, after[1])}::bigint)`
          : null,
        cursorOf: (row) => encodeCursor([tag, row.sortCreated, row.id]),
      };
    }
    default: {
      // Scored accounts by total, then the unscored (total null, NO_TOTAL in the cursor), each by id descending.
      const after = decode(['int', 'id']);
      return {
        size,
        orderSql: 'ms.total DESC NULLS LAST, a.id DESC',
        condition: after
          ? (params) => {
              const id = `${add(params, after[1])}::bigint`;
              if (after[0] === NO_TOTAL) return `(ms.total IS NULL AND a.id < ${id})`;
              const total = `${add(params, after[0])}::int`;
              return `(ms.total < ${total} OR (ms.total = ${total} AND a.id < ${id}) OR ms.total IS NULL)`;
            }
          : null,
        cursorOf: (row) => encodeCursor([tag, row.sortTotal ?? NO_TOTAL, row.id]),
      };
    }
  }
}
