import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { metrics } from '../observability/metrics';
import { PING_EVENT } from './webhook-events';
import { postTo } from './webhook-http';
import { webhookHeaders } from './webhook-signature';
import { type AddressLookup, checkTarget, type WebhookTargetPolicy } from './webhook-target';

/** What a delivery record says when nothing answered: the same whatever the socket error, so the log cannot map ports. */
const CONNECTION_FAILED = 'connection failed';
const ADDRESS_REFUSED = 'refused: the host resolves to a private or reserved address';

/** Where deliveries may go and how long an attempt may take. */
export interface SenderSettings {
  policy: WebhookTargetPolicy;
  lookup: AddressLookup;
  timeoutMs: number;
  lookupTimeoutMs: number;
}

/**
 * One attempt of a delivery: the receiver checked on a fresh DNS answer (webhook-target.ts), the
 * event signed (webhook-signature.ts) and POSTed (webhook-http.ts), the outcome recorded.
 */
export class WebhookSender {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly settings: SenderSettings,
  ) {}

  /**
   * Attempts a pending delivery and records the outcome; null when it is no longer pending. An
   * inactive endpoint's delivery is cancelled instead (a ping still goes out).
   */
  async attempt(deliveryId: string, finalAttempt: boolean): Promise<{ status: string; error: string | null } | null> {
    const [row]: Array<{
      status: string;
      active: boolean;
      url: string;
      secret: string;
      previousSecret: string | null;
      eventId: string;
      type: string;
      payload: unknown;
    }> = await this.dataSource.query(
      `SELECT d.status, w.active, w.url, w.secret, CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END AS "previousSecret",
                e.id AS "eventId", e.type, e.payload
           FROM webhook_delivery d JOIN webhook_endpoint w ON w.id = d.endpoint_id JOIN outbox_event e ON e.id = d.event_id
          WHERE d.id = $1::bigint`,
      [deliveryId],
    );
    if (row?.status !== 'pending') return null;
    // A ping is an explicit request by an admin, also to an endpoint not yet switched on.
    if (!row.active && row.type !== PING_EVENT) {
      await this.dataSource.query(
        `UPDATE webhook_delivery SET status = 'cancelled', last_error = 'endpoint deactivated' WHERE id = $1::bigint AND status = 'pending'`,
        [deliveryId],
      );
      metrics.webhookDeliveries.inc({ outcome: 'cancelled' });
      return { status: 'cancelled', error: null };
    }
    const { statusCode, error } = await this.send(deliveryId, row);
    const delivered = error === null;
    const [updated]: Array<{ status: string }> = await this.dataSource.query(
      `WITH updated AS (
         UPDATE webhook_delivery SET attempts = attempts + 1, last_status_code = $2, last_error = $3, last_attempt_at = now(),
                status = CASE WHEN $4 THEN 'delivered' WHEN status = 'cancelled' THEN 'cancelled' WHEN $5 THEN 'failed' ELSE 'pending' END,
                delivered_at = CASE WHEN $4 THEN now() END
          WHERE id = $1::bigint RETURNING status)
       SELECT status FROM updated`,
      [deliveryId, statusCode, error, delivered, finalAttempt],
    );
    const status = updated?.status ?? 'cancelled';
    metrics.webhookDeliveries.inc({ outcome: status === 'pending' ? 'retry' : status });
    return { status, error };
  }

  private async send(
    deliveryId: string,
    row: { url: string; secret: string; previousSecret: string | null; eventId: string; type: string; payload: unknown },
  ): Promise<{ statusCode: number | null; error: string | null }> {
    const url = new URL(row.url);
    const target = await checkTarget(url, this.settings.policy, this.settings.lookup, this.settings.lookupTimeoutMs);
    if (!target.ok) {
      this.logger.info({ deliveryId, reason: target.reason }, 'webhook target refused or unresolved');
      return { statusCode: null, error: target.resolved ? ADDRESS_REFUSED : CONNECTION_FAILED };
    }
    const body = JSON.stringify(row.payload);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'lead-scoring-webhooks/1',
      ...webhookHeaders({
        id: row.eventId,
        type: row.type,
        body,
        timestamp: new Date(),
        secrets: row.previousSecret ? [row.secret, row.previousSecret] : [row.secret],
      }),
    };
    const outcome = await postTo(url, target, headers, body, this.settings.timeoutMs);
    if (outcome.statusCode === null) {
      this.logger.info({ deliveryId, detail: outcome.detail }, 'webhook connection failed');
      return { statusCode: null, error: CONNECTION_FAILED };
    }
    // Redirects are not followed: a 3xx is a failure the admin sees, with its status.
    return {
      statusCode: outcome.statusCode,
      error: outcome.statusCode >= 200 && outcome.statusCode < 300 ? null : `HTTP ${outcome.statusCode}`,
    };
  }
}
