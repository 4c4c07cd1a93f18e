import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, type Page, pageSize } from '../common/pagination';
import { WebhookErrorCode } from './webhook.errors';
import { DELIVERY_COLUMNS, endpointNotFound, isId, type WebhookDeliveryRow } from './webhook-rows';

/** The delivery log: one delivery, or a page of them newest first. */

export async function deliveryById(dataSource: DataSource, id: string): Promise<WebhookDeliveryRow> {
  const [row]: WebhookDeliveryRow[] = await dataSource.query(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE d.id = $1::bigint`,
    [id],
  );
  return row;
}

export async function listDeliveries(
  dataSource: DataSource,
  filter: { endpointId?: string | null; status?: string | null },
  first?: number | null,
  after?: string | null,
): Promise<Page<WebhookDeliveryRow>> {
  const size = pageSize(first, WebhookErrorCode.InvalidEndpoint);
  if (filter.endpointId != null && !isId(filter.endpointId)) throw endpointNotFound(filter.endpointId, 'endpointId');
  const params: unknown[] = [filter.endpointId ?? null, filter.status ?? null];
  let keyset = '';
  if (after) {
    params.push(decodeCursor(after, 'delivery', WebhookErrorCode.InvalidCursor, 'after', ['id'])[0]);
    keyset = `AND d.id < $${params.length}::bigint`;
  }
  params.push(size + 1);
  const rows: WebhookDeliveryRow[] = await dataSource.query(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
        WHERE ($1::bigint IS NULL OR d.endpoint_id = $1::bigint) AND ($2::text IS NULL OR d.status = $2) ${keyset}
        ORDER BY d.id DESC LIMIT $${params.length}`,
    params,
  );
  const nodes = rows.slice(0, size);
  return { nodes, cursors: nodes.map((row) => encodeCursor(['delivery', row.id])), hasNextPage: rows.length > size };
}
