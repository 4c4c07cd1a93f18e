import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import { metrics } from '../observability/metrics';
import type { Actor } from '../rulesets/actor';
import { eventsFor, WEBHOOK_EVENTS, type ScoreTransition } from './webhook-events';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signPayload } from './webhook-signature';
import { WebhookErrorCode } from './webhook.errors';

export interface WebhookEndpointRow {
  id: string;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  createdBy: string;
  createdAt: Date;
}

export interface WebhookDeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  leadId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
}

/** Sends a delivery to the job queue (pg-boss retries with exponential backoff). */
export interface DeliveryQueue {
  sendDeliveries(deliveryIds: string[]): Promise<void>;
}

export const WEBHOOK_LIMITS = { timeoutMs: 10_000, maxAttempts: 8, batch: 200 } as const;

/** Up to this many events the outbox insert itself checks for an active endpoint; see recordTransitions. */
const FEW_EVENTS = 20;

const DELIVERY_COLUMNS = `d.id::text AS id, d.event_id AS "eventId", e.type AS "eventType", d.endpoint_id::text AS "endpointId",
  e.lead_id::text AS "leadId", d.status, d.attempts, d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
  d.created_at AS "createdAt", d.last_attempt_at AS "lastAttemptAt", d.delivered_at AS "deliveredAt"`;

/**
 * Qualified-lead webhooks with a transactional outbox: score changes write events in their own
 * transaction; a dispatcher turns events into one delivery per subscribed endpoint and hands them to
 * the job queue; each attempt is signed (HMAC) and logged. At least once: receivers de-duplicate on
 * the event id header.
 */
export class WebhookService {
  private queue: DeliveryQueue | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly logger: Logger,
  ) {}

  setQueue(queue: DeliveryQueue): void {
    this.queue = queue;
  }

  /** Called inside the scoring transaction with every changed score. */
  async recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<number> {
    const events = transitions.flatMap((transition) =>
      eventsFor(transition).map((type) => ({ id: randomUUID(), type, leadId: transition.leadId, score: transition.after, previous: transition.before })),
    );
    if (events.length === 0) return 0;
    // Written only while an endpoint is active (no one to notify otherwise). For the few events of a
    // request that is checked by the insert itself (one round trip fewer); a bulk pass asks first, so
    // as not to send thousands of events for nothing.
    if (events.length > FEW_EVENTS) {
      const [{ any }]: Array<{ any: boolean }> = await manager.query('SELECT EXISTS (SELECT 1 FROM webhook_endpoint WHERE active) AS any');
      if (!any) return 0;
    }
    const inserted: unknown[] = await manager.query(
      `INSERT INTO outbox_event (id, type, lead_id, payload)
       SELECT e.id, e.type, e."leadId",
              jsonb_build_object('id', e.id, 'type', e.type, 'occurredAt', $2::timestamptz,
                'lead', jsonb_build_object('id', l.id::text, 'externalId', l.external_id, 'email', l.email),
                'score', e.score, 'previous', e.previous)
         FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, type text, "leadId" bigint, score jsonb, previous jsonb)
         JOIN lead l ON l.id = e."leadId"
        WHERE EXISTS (SELECT 1 FROM webhook_endpoint WHERE active)
       RETURNING id`,
      [JSON.stringify(events), at],
    );
    return inserted.length;
  }

  /** Turns pending outbox events into deliveries and queues them; returns the number queued. */
  async dispatchPending(): Promise<number> {
    const deliveryIds = await this.dataSource.transaction(async (manager) => {
      const events: Array<{ id: string }> = await manager.query(
        `SELECT id FROM outbox_event WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [WEBHOOK_LIMITS.batch],
      );
      if (events.length === 0) return [];
      const ids = events.map((event) => event.id);
      const created: Array<{ id: string }> = await manager.query(
        `INSERT INTO webhook_delivery (event_id, endpoint_id, status)
         SELECT e.id, w.id, 'pending' FROM outbox_event e JOIN webhook_endpoint w ON w.active AND e.type = ANY(w.events)
          WHERE e.id = ANY($1::uuid[])
         ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id::text AS id`,
        [ids],
      );
      await manager.query('UPDATE outbox_event SET dispatched_at = now() WHERE id = ANY($1::uuid[])', [ids]);
      return created.map((row) => row.id);
    });
    // Queued after commit; a crash in between leaves them pending, and requeueStale() picks them up.
    if (deliveryIds.length && this.queue) await this.queue.sendDeliveries(deliveryIds);
    return deliveryIds.length;
  }

  /** Pending deliveries nobody attempted for a while (lost between commit and queue): queue them again. */
  async requeueStale(olderThanSeconds = 120): Promise<number> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text AS id FROM webhook_delivery
        WHERE status = 'pending' AND coalesce(last_attempt_at, created_at) < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    if (rows.length && this.queue) await this.queue.sendDeliveries(rows.map((row) => row.id));
    return rows.length;
  }

  /** One attempt. Throws on failure so the queue retries with backoff; `finalAttempt` marks it failed instead. */
  async deliver(deliveryId: string, finalAttempt: boolean): Promise<void> {
    const [row]: Array<{ status: string; url: string; secret: string; eventId: string; type: string; payload: unknown }> = await this.dataSource.query(
      `SELECT d.status, w.url, w.secret, e.id AS "eventId", e.type, e.payload
         FROM webhook_delivery d JOIN webhook_endpoint w ON w.id = d.endpoint_id JOIN outbox_event e ON e.id = d.event_id
        WHERE d.id = $1::bigint`,
      [deliveryId],
    );
    if (!row || row.status !== 'pending') return;
    const body = JSON.stringify(row.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'lead-scoring-webhooks/1',
          [EVENT_ID_HEADER]: row.eventId,
          [EVENT_TYPE_HEADER]: row.type,
          [SIGNATURE_HEADER]: signPayload(row.secret, body, timestamp),
        },
        body,
        signal: AbortSignal.timeout(WEBHOOK_LIMITS.timeoutMs),
        redirect: 'manual',
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
    } catch (caught) {
      error = (caught as Error).message.slice(0, 500);
    }
    const delivered = error === null;
    await this.dataSource.query(
      `UPDATE webhook_delivery SET attempts = attempts + 1, last_status_code = $2, last_error = $3, last_attempt_at = now(),
              status = CASE WHEN $4 THEN 'delivered' WHEN $5 THEN 'failed' ELSE 'pending' END,
              delivered_at = CASE WHEN $4 THEN now() END
        WHERE id = $1::bigint`,
      [deliveryId, statusCode, error, delivered, finalAttempt],
    );
    metrics.webhookDeliveries.inc({ outcome: delivered ? 'delivered' : finalAttempt ? 'failed' : 'retry' });
    if (!delivered && !finalAttempt) throw new Error(`webhook delivery ${deliveryId} failed: ${error}`);
    if (!delivered) this.logger.warn({ deliveryId, error }, 'webhook delivery failed for good');
  }

  private validate(input: { name: string; url: string; events: string[] }): Problem[] {
    const problems: Problem[] = [];
    if (!input.name?.trim() || input.name.length > 100) problems.push({ path: 'input.name', message: 'must be 1 to 100 characters' });
    let url: URL | null = null;
    try {
      url = new URL(input.url);
    } catch {
      problems.push({ path: 'input.url', message: 'must be an absolute http(s) URL' });
    }
    if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push({ path: 'input.url', message: 'must use http or https' });
    if (input.url.length > 2000) problems.push({ path: 'input.url', message: 'at most 2000 characters' });
    if (!input.events.length) problems.push({ path: 'input.events', message: `give at least one of ${WEBHOOK_EVENTS.join(', ')}` });
    input.events.forEach((event, index) => {
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) problems.push({ path: `input.events[${index}]`, message: `must be one of ${WEBHOOK_EVENTS.join(', ')}` });
    });
    return problems;
  }

  async createEndpoint(actor: Actor, input: { name: string; url: string; events: string[] }): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    const problems = this.validate(input);
    if (problems.length) throw InvalidInputError.of(WebhookErrorCode.InvalidEndpoint, problems);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    return this.dataSource.transaction(async (manager) => {
      const [endpoint]: WebhookEndpointRow[] = await manager.query(
        `INSERT INTO webhook_endpoint (name, url, secret, events, created_by) VALUES ($1, $2, $3, $4::text[], $5)
         RETURNING id::text AS id, name, url, events, active, created_by AS "createdBy", created_at AS "createdAt"`,
        [input.name, input.url, secret, input.events, actor.name],
      );
      await this.audit.record(manager, { actor: actor.name, action: 'webhook.created', entityType: 'webhook_endpoint', entityId: endpoint.id, summary: `Webhook ${input.name} -> ${input.url} (${input.events.join(', ')})`, after: endpoint, requestId: actor.requestId });
      return { endpoint, secret };
    });
  }

  async setActive(actor: Actor, id: string, active: boolean): Promise<WebhookEndpointRow> {
    return this.dataSource.transaction(async (manager) => {
      const rows: WebhookEndpointRow[] = /^\d{1,18}$/.test(id)
        ? await manager.query(
            // In a CTE: TypeORM's pg driver returns [rows, count] for a bare UPDATE, PGlite's just rows.
            `WITH updated AS (UPDATE webhook_endpoint SET active = $2 WHERE id = $1::bigint
               RETURNING id::text AS id, name, url, events, active, created_by AS "createdBy", created_at AS "createdAt")
             SELECT * FROM updated`,
            [id, active],
          )
        : [];
      if (!rows[0]) throw new NotFoundError(WebhookErrorCode.EndpointNotFound, `No webhook endpoint with id "${id}"`, [{ path: 'id', message: 'no such endpoint' }]);
      await this.audit.record(manager, { actor: actor.name, action: active ? 'webhook.activated' : 'webhook.deactivated', entityType: 'webhook_endpoint', entityId: id, summary: `Webhook ${rows[0].name} ${active ? 'activated' : 'deactivated'}`, after: rows[0], requestId: actor.requestId });
      return rows[0];
    });
  }

  listEndpoints(): Promise<WebhookEndpointRow[]> {
    return this.dataSource.query(`SELECT id::text AS id, name, url, events, active, created_by AS "createdBy", created_at AS "createdAt" FROM webhook_endpoint ORDER BY webhook_endpoint.id`);
  }

  async listDeliveries(filter: { endpointId?: string | null; status?: string | null }, first?: number | null, after?: string | null): Promise<Page<WebhookDeliveryRow>> {
    const size = pageSize(first, WebhookErrorCode.InvalidEndpoint);
    if (filter.endpointId != null && !/^\d{1,18}$/.test(filter.endpointId)) {
      throw new NotFoundError(WebhookErrorCode.EndpointNotFound, `No webhook endpoint with id "${filter.endpointId.slice(0, 40)}"`, [{ path: 'endpointId', message: 'no such endpoint' }]);
    }
    const params: unknown[] = [filter.endpointId ?? null, filter.status ?? null];
    let keyset = '';
    if (after) {
      params.push(decodeCursor(after, 'delivery', 'INVALID_CURSOR', 'after', ['id'])[0]);
      keyset = `AND d.id < $${params.length}::bigint`;
    }
    params.push(size + 1);
    const rows: WebhookDeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id
        WHERE ($1::bigint IS NULL OR d.endpoint_id = $1::bigint) AND ($2::text IS NULL OR d.status = $2) ${keyset}
        ORDER BY d.id DESC LIMIT $${params.length}`,
      params,
    );
    const nodes = rows.slice(0, size);
    return { nodes, cursors: nodes.map((row) => encodeCursor(['delivery', row.id])), hasNextPage: rows.length > size };
  }
}
