import type { DataSource } from 'typeorm';
import { type LeadFilterData, leadFilterSql } from '../leads/lead-filter';
import type { LeadOrder } from '../leads/lead.service';
import { scoreRowJson } from '../scoring/score-reader';

/*
 * The export's keyset pages: the leads `leads` lists for a filter, in its order (ties by lead id),
 * with the owner's name joined. The keys are those of an index (lead_score_total on (total, lead_id),
 * lead_created_at on (created_at, id)), and a page starts where the last one ended: the whole export
 * visits each row once, however deep it goes. UPDATED_DESC has no index: each page sorts its filter's
 * leads again (top 500), so prefer another order for very large exports.
 */

interface ExportOrder {
  key: string;
  id: string;
  descending: boolean;
  cast: 'int' | 'timestamptz';
}

const ORDERS: Record<LeadOrder, ExportOrder> = {
  SCORE_DESC: { key: 's.total', id: 's.lead_id', descending: true, cast: 'int' },
  SCORE_ASC: { key: 's.total', id: 's.lead_id', descending: false, cast: 'int' },
  CREATED_DESC: { key: 'l.created_at', id: 'l.id', descending: true, cast: 'timestamptz' },
  UPDATED_DESC: { key: 'l.updated_at', id: 'l.id', descending: true, cast: 'timestamptz' },
};

export interface ExportLeadRow {
  id: string;
  externalId: string;
  email: string | null;
  attributes: Record<string, unknown>;
  owner: string | null;
  scoreRow: Record<string, unknown>;
  /** The order key as text (timestamps keep their microseconds), for the next page. */
  sortKey: string;
}

/** Where the next page starts: the last row's order key and lead id. */
export type ExportPosition = { key: string; id: string } | null;

export async function readExportPage(
  dataSource: DataSource,
  filter: LeadFilterData,
  orderBy: LeadOrder,
  after: ExportPosition,
  size: number,
): Promise<ExportLeadRow[]> {
  const order = ORDERS[orderBy];
  const params: unknown[] = [];
  const where = leadFilterSql(filter, params);
  if (after) {
    params.push(after.key, after.id);
    where.push(
      `(${order.key}, ${order.id}) ${order.descending ? '<' : '>'} ($${params.length - 1}::${order.cast}, $${params.length}::bigint)`,
    );
  }
  params.push(size);
  const direction = order.descending ? 'DESC' : 'ASC';
  return dataSource.query(
    `SELECT l.id::text AS id, l.external_id AS "externalId", l.email, l.attributes, o.name AS owner,
            ${order.key}::text AS "sortKey", ${scoreRowJson('s')} AS "scoreRow"
       FROM lead l JOIN lead_score s ON s.lead_id = l.id LEFT JOIN lead_owner o ON o.id = l.owner_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order.key} ${direction}, ${order.id} ${direction}
      LIMIT $${params.length}`,
    params,
  );
}
