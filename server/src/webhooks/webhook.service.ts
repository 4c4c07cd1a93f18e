import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { ConflictError, InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import { metrics } from '../observability/metrics';
import type { Actor } from '../auth/actor';
import type { ScoreTransition } from '../scoring/score-events';
import { eventsFor, PING_EVENT, WEBHOOK_EVENTS } from './webhook-events';
import { postTo } from './webhook-http';
import { newSecret, webhookHeaders } from './webhook-signature';
import { checkTarget, PUBLIC_ONLY, systemLookup, type AddressLookup, type WebhookTargetPolicy } from './webhook-target';
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

/** Sends a delivery to the job queue (pg-boss retries with exponential backoff). */
export interface DeliveryQueue {
  sendDeliveries(deliveryIds: string[]): Promise<void>;
}

export const WEBHOOK_LIMITS = { timeoutMs: 10_000, lookupTimeoutMs: 5_000, maxAttempts: 8, batch: 200, maxOverlapHours: 720 } as const;

export interface WebhookOptions {
  /** Which receivers may be reached besides public addresses (default: public only). */
  policy?: WebhookTargetPolicy;
  /** How host names are resolved (default: the system resolver). */
  lookup?: AddressLookup;
}

/** What a delivery record says when nothing answered: the same whatever the socket error, so the log cannot map ports. */
const CONNECTION_FAILED = 'connection failed';
const ADDRESS_REFUSED = 'refused: the host resolves to a private or reserved address';

const ENDPOINT_COLUMNS = `id::text AS id, name, url, events, active, created_by AS "createdBy", created_at AS "createdAt",
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS "previousSecretValidUntil"`;

/** Up to this many events the outbox insert itself checks for an active endpoint; see recordTransitions. */
const FEW_EVENTS = 20;

const DELIVERY_COLUMNS = `d.id::text AS id, d.event_id AS "eventId", e.type AS "eventType", d.endpoint_id::text AS "endpointId",
  e.lead_id::text AS "leadId", d.status, d.redelivery_of::text AS "redeliveryOf", d.attempts, d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
  d.created_at AS "createdAt", d.last_attempt_at AS "lastAttemptAt", d.delivered_at AS "deliveredAt"`;

/**
 * Qualified-lead webhooks with a transactional outbox: score changes write events in their own
 * transaction; a dispatcher turns events into one delivery per subscribed endpoint and hands them to
 * the job queue; each attempt is signed (Standard Webhooks) and logged. At least once: receivers
 * de-duplicate on the `webhook-id` header. Receivers must be public addresses unless the policy
 * says otherwise, checked at registration and again, on a fresh DNS answer, at every attempt.
 */
export class WebhookService {
  private queue: DeliveryQueue | null = null;
  private readonly policy: WebhookTargetPolicy;
  private readonly lookup: AddressLookup;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly logger: Logger,
    options: WebhookOptions = {},
  ) {
    this.policy = options.policy ?? PUBLIC_ONLY;
    this.lookup = options.lookup ?? systemLookup;
  }

  setQueue(queue: DeliveryQueue): void {
    this.queue = queue;
  }

  /** Called inside the scoring transaction with every changed score. */
  async recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<number> {
    const events = transitions.flatMap((transition) =>
      eventsFor(transition).map((type) => ({
        id: randomUUID(),
        type,
        leadId: transition.leadId,
        score: transition.after,
        previous: transition.before,
      })),
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
         ON CONFLICT (event_id, endpoint_id) WHERE redelivery_of IS NULL DO NOTHING RETURNING id::text AS id`,
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

  /**
   * One attempt of a queued delivery. Throws on failure so the queue retries with backoff;
   * `finalAttempt` marks it failed instead. A delivery no longer pending (delivered, cancelled) is
   * left alone, so retries of a deactivated endpoint's deliveries stop here.
   */
  async deliver(deliveryId: string, finalAttempt: boolean): Promise<void> {
    const outcome = await this.attempt(deliveryId, finalAttempt);
    if (outcome?.status === 'pending') throw new Error(`webhook delivery ${deliveryId} failed: ${outcome.error}`);
    if (outcome?.status === 'failed') this.logger.warn({ deliveryId, error: outcome.error }, 'webhook delivery failed for good');
  }

  private async attempt(deliveryId: string, finalAttempt: boolean): Promise<{ status: string; error: string | null } | null> {
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
    const target = await checkTarget(url, this.policy, this.lookup, WEBHOOK_LIMITS.lookupTimeoutMs);
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
    const outcome = await postTo(url, target, headers, body, WEBHOOK_LIMITS.timeoutMs);
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

  private async validate(input: { name: string; url: string; events: string[] }): Promise<Problem[]> {
    const problems: Problem[] = [];
    if (!input.name?.trim() || input.name.length > 100) problems.push({ path: 'input.name', message: 'must be 1 to 100 characters' });
    let url: URL | null = null;
    try {
      url = new URL(input.url);
    } catch {
      problems.push({ path: 'input.url', message: 'must be an absolute http(s) URL' });
    }
    if (url && url.protocol !== 'https:' && url.protocol !== 'http:')
      problems.push({ path: 'input.url', message: 'must use http or https' });
    if (input.url.length > 2000) problems.push({ path: 'input.url', message: 'at most 2000 characters' });
    if (url && !problems.some((problem) => problem.path === 'input.url')) {
      // A name that does not resolve yet is accepted: every attempt checks again before connecting.
      const target = await checkTarget(url, this.policy, this.lookup, WEBHOOK_LIMITS.lookupTimeoutMs);
      if (!target.ok && target.resolved) {
        problems.push({
          path: 'input.url',
          message: `${target.reason}; webhooks go to public addresses unless WEBHOOK_ALLOW_PRIVATE or WEBHOOK_ALLOWED_NETWORKS allows it`,
        });
      }
    }
    if (!input.events.length) problems.push({ path: 'input.events', message: `give at least one of ${WEBHOOK_EVENTS.join(', ')}` });
    input.events.forEach((event, index) => {
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(event))
        problems.push({ path: `input.events[${index}]`, message: `must be one of ${WEBHOOK_EVENTS.join(', ')}` });
    });
    return problems;
  }

  async createEndpoint(
    actor: Actor,
    input: { name: string; url: string; events: string[] },
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    const problems = await this.validate(input);
    if (problems.length) throw InvalidInputError.of(WebhookErrorCode.InvalidEndpoint, problems);
    const secret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      const [endpoint]: WebhookEndpointRow[] = await manager.query(
        `INSERT INTO webhook_endpoint (name, url, secret, events, created_by) VALUES ($1, $2, $3, $4::text[], $5) RETURNING ${ENDPOINT_COLUMNS}`,
        [input.name, input.url, secret, input.events, actor.name],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'webhook.created',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        summary: `Webhook ${input.name} -> ${input.url} (${input.events.join(', ')})`,
        after: endpoint,
        requestId: actor.requestId,
      });
      return { endpoint, secret };
    });
  }

  /** Deactivating cancels the endpoint's pending deliveries (their queued retries then stop). */
  async setActive(actor: Actor, id: string, active: boolean): Promise<WebhookEndpointRow> {
    return this.dataSource.transaction(async (manager) => {
      const rows: WebhookEndpointRow[] = isId(id)
        ? await manager.query(
            // In a CTE: TypeORM's pg driver returns [rows, count] for a bare UPDATE, PGlite's just rows.
            `WITH updated AS (UPDATE webhook_endpoint SET active = $2 WHERE id = $1::bigint RETURNING ${ENDPOINT_COLUMNS}) SELECT * FROM updated`,
            [id, active],
          )
        : [];
      if (!rows[0]) throw endpointNotFound(id, 'id');
      let cancelled = 0;
      if (!active) {
        [{ cancelled }] = await manager.query(
          `WITH cancelled AS (UPDATE webhook_delivery SET status = 'cancelled', last_error = 'endpoint deactivated'
                               WHERE endpoint_id = $1::bigint AND status = 'pending' RETURNING 1)
           SELECT count(*)::int AS cancelled FROM cancelled`,
          [id],
        );
      }
      const summary = `Webhook ${rows[0].name} ${active ? 'activated' : 'deactivated'}${cancelled ? ` (${cancelled} pending deliveries cancelled)` : ''}`;
      await this.audit.record(manager, {
        actor: actor.name,
        action: active ? 'webhook.activated' : 'webhook.deactivated',
        entityType: 'webhook_endpoint',
        entityId: id,
        summary,
        after: rows[0],
        requestId: actor.requestId,
      });
      return rows[0];
    });
  }

  /**
   * A new secret, returned once. The previous one stays valid for `overlapHours` (deliveries carry
   * a signature for each), so receivers can switch without missing a delivery; a rotation during an
   * overlap ends the older secret's.
   */
  async rotateSecret(actor: Actor, id: string, overlapHours = 24): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    if (!Number.isFinite(overlapHours) || overlapHours < 0 || overlapHours > WEBHOOK_LIMITS.maxOverlapHours) {
      throw InvalidInputError.field(
        WebhookErrorCode.InvalidRotation,
        'overlapHours',
        `must be between 0 and ${WEBHOOK_LIMITS.maxOverlapHours}`,
      );
    }
    const secret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      const [endpoint]: WebhookEndpointRow[] = isId(id)
        ? await manager.query(
            `WITH updated AS (
               UPDATE webhook_endpoint SET secret = $2,
                      previous_secret = CASE WHEN $3::float8 > 0 THEN secret END,
                      previous_secret_expires_at = CASE WHEN $3::float8 > 0 THEN now() + make_interval(secs => $3::float8 * 3600) END
                WHERE id = $1::bigint RETURNING ${ENDPOINT_COLUMNS})
             SELECT * FROM updated`,
            [id, secret, overlapHours],
          )
        : [];
      if (!endpoint) throw endpointNotFound(id, 'id');
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'webhook.secret_rotated',
        entityType: 'webhook_endpoint',
        entityId: id,
        summary: `Webhook ${endpoint.name}: new signing secret, previous one valid ${overlapHours} h more`,
        after: endpoint,
        requestId: actor.requestId,
      });
      return { endpoint, secret };
    });
  }

  /** Sends a signed `ping` event now (not queued, not retried) and answers its delivery record. */
  async ping(actor: Actor, id: string): Promise<WebhookDeliveryRow> {
    const deliveryId = await this.dataSource.transaction(async (manager) => {
      const [endpoint]: Array<{ id: string; name: string }> = isId(id)
        ? await manager.query('SELECT id::text AS id, name FROM webhook_endpoint WHERE id = $1::bigint', [id])
        : [];
      if (!endpoint) throw endpointNotFound(id, 'id');
      const eventId = randomUUID();
      await manager.query(
        `INSERT INTO outbox_event (id, type, lead_id, payload, dispatched_at)
         VALUES ($1::text::uuid, $2::text, NULL, jsonb_build_object('id', $1::text, 'type', $2::text, 'occurredAt', now(), 'endpoint', jsonb_build_object('id', $3::text, 'name', $4::text)), now())`,
        [eventId, PING_EVENT, endpoint.id, endpoint.name],
      );
      const [delivery]: Array<{ id: string }> = await manager.query(
        `INSERT INTO webhook_delivery (event_id, endpoint_id, status) VALUES ($1, $2::bigint, 'pending') RETURNING id::text AS id`,
        [eventId, endpoint.id],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'webhook.pinged',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        summary: `Webhook ${endpoint.name} pinged (event ${eventId})`,
        requestId: actor.requestId,
      });
      return delivery.id;
    });
    await this.attempt(deliveryId, true);
    return this.delivery(deliveryId);
  }

  /** Queues one event to its endpoint again: a new delivery record with the same event id (receivers de-duplicate on it). */
  async redeliver(actor: Actor, deliveryId: string): Promise<WebhookDeliveryRow> {
    const created = await this.dataSource.transaction(async (manager) => {
      const [original]: Array<{ eventId: string; endpointId: string; name: string; active: boolean; type: string }> = isId(deliveryId)
        ? await manager.query(
            `SELECT d.event_id AS "eventId", d.endpoint_id::text AS "endpointId", w.name, w.active, e.type
               FROM webhook_delivery d JOIN webhook_endpoint w ON w.id = d.endpoint_id JOIN outbox_event e ON e.id = d.event_id
              WHERE d.id = $1::bigint`,
            [deliveryId],
          )
        : [];
      if (!original)
        throw new NotFoundError(WebhookErrorCode.DeliveryNotFound, `No webhook delivery with id "${deliveryId.slice(0, 40)}"`, [
          { path: 'deliveryId', message: 'no such delivery' },
        ]);
      if (!original.active) {
        throw new ConflictError(
          WebhookErrorCode.EndpointInactive,
          `Webhook endpoint ${original.name} is inactive; activate it before redelivering`,
          [{ path: 'deliveryId', message: 'its endpoint is inactive' }],
        );
      }
      const [delivery]: Array<{ id: string }> = await manager.query(
        `INSERT INTO webhook_delivery (event_id, endpoint_id, status, redelivery_of) VALUES ($1, $2::bigint, 'pending', $3::bigint) RETURNING id::text AS id`,
        [original.eventId, original.endpointId, deliveryId],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'webhook.redelivered',
        entityType: 'webhook_endpoint',
        entityId: original.endpointId,
        summary: `Webhook ${original.name}: ${original.type} event ${original.eventId} queued again (delivery ${delivery.id} after ${deliveryId})`,
        requestId: actor.requestId,
      });
      return delivery.id;
    });
    // Queued after commit, as dispatchPending does; requeueStale() covers a crash in between.
    await this.queue?.sendDeliveries([created]);
    return this.delivery(created);
  }

  listEndpoints(): Promise<WebhookEndpointRow[]> {
    return this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint ORDER BY webhook_endpoint.id`);
  }

  private async delivery(id: string): Promise<WebhookDeliveryRow> {
    const [row]: WebhookDeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d JOIN outbox_event e ON e.id = d.event_id WHERE d.id = $1::bigint`,
      [id],
    );
    return row;
  }

  async listDeliveries(
    filter: { endpointId?: string | null; status?: string | null },
    first?: number | null,
    after?: string | null,
  ): Promise<Page<WebhookDeliveryRow>> {
    const size = pageSize(first, WebhookErrorCode.InvalidEndpoint);
    if (filter.endpointId != null && !isId(filter.endpointId)) throw endpointNotFound(filter.endpointId, 'endpointId');
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

function isId(id: string): boolean {
  return /^\d{1,18}$/.test(id);
}

function endpointNotFound(id: string, path: string): NotFoundError {
  return new NotFoundError(WebhookErrorCode.EndpointNotFound, `No webhook endpoint with id "${id.slice(0, 40)}"`, [
    { path, message: 'no such endpoint' },
  ]);
}
