import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ScoreTransition } from '../scoring/score-events';
import { eventsFor } from './webhook-events';

/**
 * The transactional outbox: score changes write their events in the scoring transaction; a
 * dispatcher turns them into one delivery per subscribed endpoint, later and outside it.
 */

/** Up to this many events the outbox insert itself checks for an active endpoint; see writeOutboxEvents. */
const FEW_EVENTS = 20;

/** Called inside the scoring transaction with every changed score; returns the number of events written. */
export async function writeOutboxEvents(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<number> {
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

/** Turns up to `batch` pending outbox events into deliveries, in one transaction; returns the new deliveries' ids. */
export function createPendingDeliveries(dataSource: DataSource, batch: number): Promise<string[]> {
  return dataSource.transaction(async (manager) => {
    const events: Array<{ id: string }> = await manager.query(
      `SELECT id FROM outbox_event WHERE dispatched_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batch],
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
}

/** Pending deliveries nobody attempted for `olderThanSeconds` (lost between commit and queue). */
export async function staleDeliveryIds(dataSource: DataSource, olderThanSeconds: number): Promise<string[]> {
  const rows: Array<{ id: string }> = await dataSource.query(
    `SELECT id::text AS id FROM webhook_delivery
      WHERE status = 'pending' AND coalesce(last_attempt_at, created_at) < now() - make_interval(secs => $1)`,
    [olderThanSeconds],
  );
  return rows.map((row) => row.id);
}
