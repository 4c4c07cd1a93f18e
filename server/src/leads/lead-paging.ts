import { InvalidInputError } from '../common/errors';
import { decodeCursor, encodeCursor, PAGE_LIMITS, pageSize } from '../common/pagination';
import { LeadErrorCode } from './lead.errors';

/* Keyset pages of `leads`, both ways (Relay `first`/`after` and `last`/`before`), for every ordering. */

export const LEAD_ORDERS = ['SCORE_DESC', 'SCORE_ASC', 'CREATED_DESC', 'UPDATED_DESC'] as const;
export type LeadOrder = (typeof LEAD_ORDERS)[number];

export interface LeadPageArgs {
  orderBy?: LeadOrder | null;
  /** SCORE_* orders read this lead model's scores (alias `m`, see lead-filter.ts modelJoinSql); absent: lead_score. */
  model?: string | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

interface OrderSpec {
  /** The key columns, in sort order; the last is the lead id, so keys are unique. */
  keys: [string, string];
  /** Casts of the key values a cursor carries. */
  casts: [string, string];
  descending: boolean;
  /** The row's key values as the cursor keeps them (see the SELECT in listLeads). */
  values: (row: Record<string, unknown>) => unknown[];
  byScore: boolean;
}

const ORDERS: Record<LeadOrder, OrderSpec> = {
  SCORE_DESC: { keys: ['s.total', 'l.id'], casts: ['int', 'bigint'], descending: true, values: (r) => [r.sortTotal, r.id], byScore: true },
  SCORE_ASC: { keys: ['s.total', 'l.id'], casts: ['int', 'bigint'], descending: false, values: (r) => [r.sortTotal, r.id], byScore: true },
  // Cursors carry the timestamps as PostgreSQL text (microseconds), not as JS dates (milliseconds).
  CREATED_DESC: {
    keys: ['l.created_at', 'l.id'],
    casts: ['timestamptz', 'bigint'],
    descending: true,
    values: (r) => [r.sortCreated, r.id],
    byScore: false,
  },
  UPDATED_DESC: {
    keys: ['l.updated_at', 'l.id'],
    casts: ['timestamptz', 'bigint'],
    descending: true,
    values: (r) => [r.sortUpdated, r.id],
    byScore: false,
  },
};

/** The sort keys a listing SELECT must return for its cursors. */
export const SORT_COLUMNS = `s.total AS "sortTotal", l.created_at::text AS "sortCreated", l.updated_at::text AS "sortUpdated"`;

/** SORT_COLUMNS for a page of another lead model's scores (alias `m`). */
export function sortColumns(model: string | null | undefined): string {
  return model && model !== 'default' ? SORT_COLUMNS.replace('s.total', 'm.total') : SORT_COLUMNS;
}

/** One page's plan: the conditions (after the filter's), ORDER BY, LIMIT, and how to read the rows back. */
export interface LeadPagePlan {
  tag: LeadOrder;
  size: number;
  /** Paging backwards: the rows come in reverse order and are turned around. */
  backward: boolean;
  orderSql: string;
  /** Conditions of the cursors, their values appended to the caller's params. */
  conditions: (params: unknown[]) => string[];
  /**
   * The condition "a row lies on the other side of the cursor the page starts from" (the `after`
   * cursor going forwards, `before` going backwards), or null without one: such a row means a page
   * exists on that side.
   */
  beyondStart: ((params: unknown[]) => string) | null;
  cursorOf: (row: Record<string, unknown>) => string;
}

/** Checks the page arguments (sizes up to PAGE_LIMITS.maxLeadsFirst, cursors of this ordering) and plans the page. */
export function planLeadPage(args: LeadPageArgs): LeadPagePlan {
  const code = LeadErrorCode.InvalidLeadQuery;
  if (args.first != null && args.last != null) throw InvalidInputError.field(code, 'last', 'give first or last, not both');
  const backward = args.last != null || (args.before != null && args.first == null && args.after == null);
  const size = backward
    ? pageSize(args.last, code, PAGE_LIMITS.maxLeadsFirst, 'last')
    : pageSize(args.first, code, PAGE_LIMITS.maxLeadsFirst, 'first');
  const tag = args.orderBy ?? 'SCORE_DESC';
  const otherModel = args.model && args.model !== 'default' ? args.model : null;
  const order = otherModel && ORDERS[tag].byScore ? { ...ORDERS[tag], keys: ['m.total', 'l.id'] as [string, string] } : ORDERS[tag];
  // A score cursor of one model is no position in another's order.
  const cursorTag = otherModel && order.byScore ? `${tag}:${otherModel}` : tag;
  const kinds = [order.byScore ? 'int' : 'timestamp', 'id'] as const;
  const decode = (cursor: string, path: string) => decodeCursor(cursor, cursorTag, LeadErrorCode.InvalidCursor, path, kinds);
  const after = args.after ? decode(args.after, 'after') : null;
  const before = args.before ? decode(args.before, 'before') : null;
  // "Comes after" in the ordering is `<` on the keys of a descending order.
  const later = order.descending ? '<' : '>';
  const earlier = order.descending ? '>' : '<';
  const compare = (op: string, values: unknown[], params: unknown[]) => {
    params.push(values[0], values[1]);
    return `(${order.keys.join(', ')}) ${op} ($${params.length - 1}::${order.casts[0]}, $${params.length}::${order.casts[1]})`;
  };
  const direction = (descending: boolean) => (descending ? 'DESC' : 'ASC');
  const scan = backward ? !order.descending : order.descending;
  const start = backward ? before : after;
  return {
    tag,
    size,
    backward,
    orderSql: order.keys.map((key) => `${key} ${direction(scan)}`).join(', '),
    conditions: (params) => [...(after ? [compare(later, after, params)] : []), ...(before ? [compare(earlier, before, params)] : [])],
    // The cursor's own lead lies on that side too (it was on the page before).
    beyondStart: start ? (params) => compare(backward ? `${later}=` : `${earlier}=`, start, params) : null,
    cursorOf: (row) => encodeCursor([cursorTag, ...order.values(row)]),
  };
}
