import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ScoreTransition } from '../scoring/score-events';
import { resolvedVersionSql } from '../scoring/score-reader';
import type { LeadAssignment } from '../owners/assignment-events';
import { eventsFor } from './webhook-events';

/** The version lead_score s reads as (a publish may carry unchanged rows without rewriting them). */
const CARRIED_VERSION = resolvedVersionSql('s').version;

/**
 * The transactional outbox: score changes write their events in the scoring transaction; a
 * dispatcher turns them into one delivery per subscribed endpoint, later and outside it.
 */

/** Up to this many events the outbox insert itself checks for an active endpoint; see writeOutboxEvents. */
const FEW_EVENTS = 20;

/** The event types some active endpoint subscribes to (a bulk pass writes only those). */
async function subscribedTypes(manager: EntityManager): Promise<Set<string>> {
  const rows: Array<{ type: string }> = await manager.query('SELECT DISTINCT unnest(events) AS type FROM webhook_endpoint WHERE active');
  return new Set(rows.map((row) => row.type));
}

/** Whether an active endpoint subscribes to the event type `typeSql` (SQL), for the inserts below. */
const SUBSCRIBED = (typeSql: string) => `EXISTS (SELECT 1 FROM webhook_endpoint w WHERE w.active AND ${typeSql} = ANY(w.events))`;

const LEAD_JSON = `jsonb_build_object('id', l.id::text, 'externalId', l.external_id, 'email', l.email, 'segment', l.segment)`;

/** Called inside the scoring transaction with every changed score; returns the number of events written. */
export async function writeOutboxEvents(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<number> {
  let events = transitions.flatMap((transition) =>
    eventsFor(transition).map((type) => ({
      id: randomUUID(),
      type,
      leadId: transition.leadId,
      score: transition.after,
      previous: transition.before,
    })),
  );
  if (events.length === 0) return 0;
  // Written only while an active endpoint subscribes to the type (no one to notify otherwise). For
  // the few events of a request that is checked by the insert itself (one round trip fewer); a bulk
  // pass asks first, so as not to send thousands of events for nothing.
  if (events.length > FEW_EVENTS) {
    const types = await subscribedTypes(manager);
    events = events.filter((event) => types.has(event.type));
    if (events.length === 0) return 0;
  }
  const inserted: unknown[] = await manager.query(
    `INSERT INTO outbox_event (id, type, lead_id, payload)
     SELECT e.id, e.type, e."leadId",
            jsonb_build_object('id', e.id, 'type', e.type, 'occurredAt', $2::timestamptz,
              'lead', ${LEAD_JSON}, 'score', e.score, 'previous', e.previous)
       FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, type text, "leadId" bigint, score jsonb, previous jsonb)
       JOIN lead l ON l.id = e."leadId"
      WHERE ${SUBSCRIBED('e.type')}
     RETURNING id`,
    [JSON.stringify(events), at],
  );
  return inserted.length;
}

/**
 * Called inside the assigning transaction (routing or by hand) with its assignments: one
 * `lead.assigned` event each, carrying the owner and the lead's score as it stands (for filters).
 */
export async function writeAssignmentEvents(manager: EntityManager, assignments: LeadAssignment[], at: Date): Promise<number> {
  if (assignments.length === 0) return 0;
  const events = assignments.map((assignment) => ({ id: randomUUID(), ...assignment }));
  const inserted: unknown[] = await manager.query(
    `INSERT INTO outbox_event (id, type, lead_id, payload)
     SELECT e.id, 'lead.assigned', e."leadId",
            jsonb_build_object('id', e.id, 'type', 'lead.assigned', 'occurredAt', $2::timestamptz,
              'lead', ${LEAD_JSON}, 'owner', e.owner, 'previousOwnerId', e."previousOwnerId", 'via', e.via, 'rule', e.rule,
              'assignedBy', e."by",
              'score', CASE WHEN s.lead_id IS NOT NULL THEN jsonb_build_object('total', s.total, 'cell', s.cell, 'band', s.band,
                'qualified', s.qualified, 'action', s.action, 'ruleSetKey', s.rule_set_key, 'ruleSetVersion', ${CARRIED_VERSION}) END)
       FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, "leadId" bigint, owner jsonb, "previousOwnerId" text, via text, rule text, "by" text)
       JOIN lead l ON l.id = e."leadId"
       LEFT JOIN lead_score s ON s.lead_id = l.id
      WHERE ${SUBSCRIBED(`'lead.assigned'`)}
     RETURNING id`,
    [JSON.stringify(events), at],
  );
  return inserted.length;
}

/**
 * An endpoint's filters (null: any) against an event: the lead's segment, and the cell and band of
 * its score as the event carries it (after the change, for score events).
 */
const FILTERS_MATCH = `(w.filter_segments IS NULL OR e.payload->'lead'->>'segment' = ANY(w.filter_segments))
  AND (w.filter_cells IS NULL OR e.payload->'score'->>'cell' = ANY(w.filter_cells))
  AND (w.filter_bands IS NULL OR e.payload->'score'->>'band' = ANY(w.filter_bands))`;

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
       SELECT e.id, w.id, 'pending' FROM outbox_event e JOIN webhook_endpoint w ON w.active AND e.type = ANY(w.events) AND ${FILTERS_MATCH}
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
