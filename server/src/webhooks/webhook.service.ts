import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import type { Page } from '../common/pagination';
import type { AssignmentListener, LeadAssignment } from '../owners/assignment-events';
import type { ScoreTransition } from '../scoring/score-events';
import { WebhookErrorCode } from './webhook.errors';
import { deliveryById, listDeliveries } from './webhook-deliveries';
import { filterProblems, validateEndpoint, type WebhookFilterData } from './webhook-endpoint-validation';
import { PING_EVENT } from './webhook-events';
import { createPendingDeliveries, staleDeliveryIds, writeAssignmentEvents, writeOutboxEvents } from './webhook-outbox';
import { ENDPOINT_COLUMNS, endpointNotFound, isId, type WebhookDeliveryRow, type WebhookEndpointRow } from './webhook-rows';
import { WebhookSender } from './webhook-sender';
import { newSecret } from './webhook-signature';
import { type AddressLookup, PUBLIC_ONLY, systemLookup, type WebhookTargetPolicy } from './webhook-target';

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

/**
 * Qualified-lead webhooks with a transactional outbox: score changes write events in their own
 * transaction; a dispatcher turns events into one delivery per subscribed endpoint and hands them to
 * the job queue; each attempt is signed (Standard Webhooks) and logged. At least once: receivers
 * de-duplicate on the `webhook-id` header. Receivers must be public addresses unless the policy
 * says otherwise, checked at registration and again, on a fresh DNS answer, at every attempt.
 *
 * This service manages endpoints (create, activate, rotate secrets, ping, redeliver) and is the
 * entry point of the rest: webhook-outbox.ts (events and deliveries), webhook-sender.ts (an
 * attempt), webhook-deliveries.ts (the delivery log).
 */
export class WebhookService implements AssignmentListener {
  private queue: DeliveryQueue | null = null;
  /** The bands endpoint filters may name (the active rule sets'); given by app.ts. */
  private bands: () => Promise<ReadonlySet<string>> = async () => new Set();
  private readonly policy: WebhookTargetPolicy;
  private readonly lookup: AddressLookup;
  private readonly sender: WebhookSender;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly logger: Logger,
    options: WebhookOptions = {},
  ) {
    this.policy = options.policy ?? PUBLIC_ONLY;
    this.lookup = options.lookup ?? systemLookup;
    this.sender = new WebhookSender(dataSource, logger, {
      policy: this.policy,
      lookup: this.lookup,
      timeoutMs: WEBHOOK_LIMITS.timeoutMs,
      lookupTimeoutMs: WEBHOOK_LIMITS.lookupTimeoutMs,
    });
  }

  setQueue(queue: DeliveryQueue): void {
    this.queue = queue;
  }

  setBandCatalog(bands: () => Promise<ReadonlySet<string>>): void {
    this.bands = bands;
  }

  /** Called inside the assigning transaction (owners' routing or a manual assignment): `lead.assigned` events. */
  recordAssignments(manager: EntityManager, assignments: LeadAssignment[], at: Date): Promise<number> {
    return writeAssignmentEvents(manager, assignments, at);
  }

  /** Replaces an endpoint's filter (each list null: any); later events are matched against it. */
  async setFilter(actor: Actor, id: string, filter: WebhookFilterData): Promise<WebhookEndpointRow> {
    const problems = filterProblems(filter, await this.bands(), 'filter');
    if (problems.length) throw InvalidInputError.of(WebhookErrorCode.InvalidEndpoint, problems);
    return this.dataSource.transaction(async (manager) => {
      const [before]: WebhookEndpointRow[] = isId(id)
        ? await manager.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint WHERE id = $1::bigint FOR UPDATE`, [id])
        : [];
      if (!before) throw endpointNotFound(id, 'id');
      const [endpoint]: WebhookEndpointRow[] = await manager.query(
        `WITH updated AS (UPDATE webhook_endpoint SET filter_segments = $2::text[], filter_cells = $3::text[], filter_bands = $4::text[]
                          WHERE id = $1::bigint RETURNING ${ENDPOINT_COLUMNS})
         SELECT * FROM updated`,
        [id, filter.segments ?? null, filter.cells ?? null, filter.bands ?? null],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'webhook.filter_set',
        entityType: 'webhook_endpoint',
        entityId: id,
        summary: `Webhook ${endpoint.name}: filter ${describeFilter(endpoint.filter)}`,
        before: before.filter,
        after: endpoint.filter,
        requestId: actor.requestId,
      });
      return endpoint;
    });
  }

  /** Called inside the scoring transaction with every changed score (webhook-outbox.ts). */
  recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<number> {
    return writeOutboxEvents(manager, transitions, at);
  }

  /** Turns pending outbox events into deliveries and queues them; returns the number queued. */
  async dispatchPending(): Promise<number> {
    const deliveryIds = await createPendingDeliveries(this.dataSource, WEBHOOK_LIMITS.batch);
    // Queued after commit; a crash in between leaves them pending, and requeueStale() picks them up.
    if (deliveryIds.length && this.queue) await this.queue.sendDeliveries(deliveryIds);
    return deliveryIds.length;
  }

  /** Pending deliveries nobody attempted for a while (lost between commit and queue): queue them again. */
  async requeueStale(olderThanSeconds = 120): Promise<number> {
    const ids = await staleDeliveryIds(this.dataSource, olderThanSeconds);
    if (ids.length && this.queue) await this.queue.sendDeliveries(ids);
    return ids.length;
  }

  /**
   * One attempt of a queued delivery. Throws on failure so the queue retries with backoff;
   * `finalAttempt` marks it failed instead. A delivery no longer pending (delivered, cancelled) is
   * left alone, so retries of a deactivated endpoint's deliveries stop here.
   */
  async deliver(deliveryId: string, finalAttempt: boolean): Promise<void> {
    const outcome = await this.sender.attempt(deliveryId, finalAttempt);
    if (outcome?.status === 'pending') throw new Error(`webhook delivery ${deliveryId} failed: ${outcome.error}`);
    if (outcome?.status === 'failed') this.logger.warn({ deliveryId, error: outcome.error }, 'webhook delivery failed for good');
  }

  async createEndpoint(
    actor: Actor,
    input: { name: string; url: string; events: string[]; filter?: WebhookFilterData | null },
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    const problems = await validateEndpoint(input, {
      policy: this.policy,
      lookup: this.lookup,
      lookupTimeoutMs: WEBHOOK_LIMITS.lookupTimeoutMs,
    });
    problems.push(...filterProblems(input.filter, await this.bands(), 'input.filter'));
    if (problems.length) throw InvalidInputError.of(WebhookErrorCode.InvalidEndpoint, problems);
    const secret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      const [endpoint]: WebhookEndpointRow[] = await manager.query(
        `INSERT INTO webhook_endpoint (name, url, secret, events, created_by, filter_segments, filter_cells, filter_bands)
         VALUES ($1, $2, $3, $4::text[], $5, $6::text[], $7::text[], $8::text[]) RETURNING ${ENDPOINT_COLUMNS}`,
        [
          input.name,
          input.url,
          secret,
          input.events,
          actor.name,
          input.filter?.segments ?? null,
          input.filter?.cells ?? null,
          input.filter?.bands ?? null,
        ],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'webhook.created',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        summary: `Webhook ${input.name} -> ${input.url} (${input.events.join(', ')}; filter ${describeFilter(endpoint.filter)})`,
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
    await this.sender.attempt(deliveryId, true);
    return deliveryById(this.dataSource, deliveryId);
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
    return deliveryById(this.dataSource, created);
  }

  listDeliveries(
    filter: { endpointId?: string | null; status?: string | null },
    first?: number | null,
    after?: string | null,
  ): Promise<Page<WebhookDeliveryRow>> {
    return listDeliveries(this.dataSource, filter, first, after);
  }

  listEndpoints(): Promise<WebhookEndpointRow[]> {
    return this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoint ORDER BY webhook_endpoint.id`);
  }
}

function describeFilter(filter: WebhookEndpointRow['filter']): string {
  const parts = (['segments', 'cells', 'bands'] as const).flatMap((list) => (filter[list] ? [`${list} ${filter[list].join(', ')}`] : []));
  return parts.length ? parts.join('; ') : 'every lead';
}
