import { NotFoundError } from '../common/errors';
import { WebhookErrorCode } from './webhook.errors';

export interface WebhookEndpointRow {
  id: string;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  createdBy: string;
  createdAt: Date;
  /** While a rotation's overlap lasts, deliveries are signed with the previous secret too. */
  previousSecretValidUntil: Date | null;
  /** Which leads' events it gets (each list null: any). */
  filter: { segments: string[] | null; cells: string[] | null; bands: string[] | null };
}

export interface WebhookDeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  leadId: string | null;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  redeliveryOf: string | null;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export const ENDPOINT_COLUMNS = `id::text AS id, name, url, events, active, created_by AS "createdBy", created_at AS "createdAt",
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS "previousSecretValidUntil",
  jsonb_build_object('segments', filter_segments, 'cells', filter_cells, 'bands', filter_bands) AS filter`;

export const DELIVERY_COLUMNS = `d.id::text AS id, d.event_id AS "eventId", e.type AS "eventType", d.endpoint_id::text AS "endpointId",
  e.lead_id::text AS "leadId", d.status, d.redelivery_of::text AS "redeliveryOf", d.attempts, d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
  d.created_at AS "createdAt", d.last_attempt_at AS "lastAttemptAt", d.delivered_at AS "deliveredAt"`;

export function isId(id: string): boolean {
  return /^\d{1,18}$/.test(id);
}

export function endpointNotFound(id: string, path: string): NotFoundError {
  return new NotFoundError(WebhookErrorCode.EndpointNotFound, `No webhook endpoint with id "${id.slice(0, 40)}"`, [
    { path, message: 'no such endpoint' },
  ]);
}
