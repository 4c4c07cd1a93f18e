import type { DataSource, EntityManager } from 'typeorm';
import { INGESTION_LIMITS } from './segment-message';
import type { TrackingConfig, UnmappedEventPolicy } from './tracking-config';

/**
 * The tracking API's SQL (raw, set-based: one statement per step of a batch, whatever its size).
 * Tables: ingestion_message (message ids written, per API key), ingestion_anonymous_event (activities
 * of visitors not yet identified), ingestion_identity (anonymousId -> lead externalId), and
 * ingestion_settings (the one configuration row).
 */
export interface KnownState {
  seen: Set<string>;
  existingLeads: Set<string>;
  /** Lead externalId by anonymousId, for the anonymous ids already linked. */
  identities: Map<string, string>;
}

export interface PendingAnonymous {
  id: string;
  anonymousId: string;
  apiKeyId: string;
  messageId: string;
  type: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface NewAnonymous {
  anonymousId: string;
  messageId: string;
  type: string;
  occurredAt: string;
  properties: Record<string, unknown>;
}

export async function readConfig(dataSource: DataSource): Promise<TrackingConfig | null> {
  const rows: Array<{
    unmappedEvents: UnmappedEventPolicy;
    eventMappings: TrackingConfig['eventMappings'];
    traitMappings: TrackingConfig['traitMappings'];
  }> = await dataSource.query(
    `SELECT unmapped_events AS "unmappedEvents", event_mappings AS "eventMappings", trait_mappings AS "traitMappings"
         FROM ingestion_settings WHERE id = 1`,
  );
  return rows[0] ?? null;
}

export async function writeConfig(manager: EntityManager, config: TrackingConfig, actor: string): Promise<void> {
  await manager.query(
    `INSERT INTO ingestion_settings (id, unmapped_events, event_mappings, trait_mappings, updated_at, updated_by)
     VALUES (1, $1, $2::jsonb, $3::jsonb, now(), $4)
     ON CONFLICT (id) DO UPDATE SET unmapped_events = EXCLUDED.unmapped_events, event_mappings = EXCLUDED.event_mappings,
       trait_mappings = EXCLUDED.trait_mappings, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [config.unmappedEvents, JSON.stringify(config.eventMappings), JSON.stringify(config.traitMappings), actor],
  );
}

/** Installs the default configuration on first start; a configuration already there is kept. */
export async function ensureConfig(manager: EntityManager, config: TrackingConfig): Promise<void> {
  await manager.query(
    `INSERT INTO ingestion_settings (id, unmapped_events, event_mappings, trait_mappings, updated_by)
     VALUES (1, $1, $2::jsonb, $3::jsonb, 'system') ON CONFLICT (id) DO NOTHING`,
    [config.unmappedEvents, JSON.stringify(config.eventMappings), JSON.stringify(config.traitMappings)],
  );
}

/**
 * In one statement: which message ids this key already sent, which leads exist, which anonymous ids
 * are linked. A message that became an activity is not in ingestion_message (finishBatch skips it):
 * it is known by its activity's idempotency key, `activityKeyPrefix` + messageId (unique index).
 */
export async function readKnownState(
  dataSource: DataSource,
  apiKeyId: string,
  activityKeyPrefix: string,
  messageIds: string[],
  externalIds: string[],
  anonymousIds: string[],
): Promise<KnownState> {
  const rows: Array<{ kind: 'seen' | 'lead' | 'identity'; key: string; value: string | null }> = await dataSource.query(
    `SELECT 'seen' AS kind, message_id AS key, NULL::text AS value FROM ingestion_message
      WHERE api_key_id = $1::bigint AND message_id = ANY($2::text[])
     UNION ALL
     SELECT 'seen', substr(idempotency_key, length($5::text) + 1), NULL FROM activity
      WHERE idempotency_key = ANY(SELECT $5::text || m FROM unnest($2::text[]) AS m)
     UNION ALL
     SELECT 'lead', external_id, NULL FROM lead WHERE external_id = ANY($3::text[])
     UNION ALL
     SELECT 'identity', anonymous_id, external_id FROM ingestion_identity WHERE anonymous_id = ANY($4::text[])`,
    [apiKeyId, messageIds, externalIds, anonymousIds, activityKeyPrefix],
  );
  const state: KnownState = { seen: new Set(), existingLeads: new Set(), identities: new Map() };
  for (const row of rows) {
    if (row.kind === 'seen') state.seen.add(row.key);
    else if (row.kind === 'lead') state.existingLeads.add(row.key);
    else if (row.value !== null) state.identities.set(row.key, row.value);
  }
  return state;
}

/** The externalId of the lead with each email (stored lowercased), the oldest lead if several; in one statement. */
export async function externalIdsByEmail(dataSource: DataSource, emails: string[]): Promise<Map<string, string>> {
  if (emails.length === 0) return new Map();
  const rows: Array<{ email: string; externalId: string }> = await dataSource.query(
    `SELECT DISTINCT ON (email) email, external_id AS "externalId" FROM lead
      WHERE email = ANY($1::text[]) ORDER BY email, id`,
    [emails.map((email) => email.toLowerCase())],
  );
  return new Map(rows.map((row) => [row.email, row.externalId]));
}

/** Links anonymous ids to leads (a later identify with another userId moves the link). */
export async function linkIdentities(dataSource: DataSource, links: Map<string, string>): Promise<void> {
  if (links.size === 0) return;
  await dataSource.query(
    `INSERT INTO ingestion_identity (anonymous_id, external_id)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (anonymous_id) DO UPDATE SET external_id = EXCLUDED.external_id, linked_at = now()`,
    [[...links.keys()], [...links.values()]],
  );
}

/** Anonymous activities waiting for these anonymous ids, oldest first, at most `limit`. */
export async function pendingAnonymous(dataSource: DataSource, anonymousIds: string[], limit: number): Promise<PendingAnonymous[]> {
  if (anonymousIds.length === 0) return [];
  return dataSource.query(
    `SELECT id::text AS id, anonymous_id AS "anonymousId", api_key_id::text AS "apiKeyId", message_id AS "messageId",
            activity_type AS type, occurred_at AS "occurredAt", properties
       FROM ingestion_anonymous_event WHERE anonymous_id = ANY($1::text[]) ORDER BY occurred_at, id LIMIT $2`,
    [anonymousIds, limit],
  );
}

/**
 * The end of a batch, in one statement: the anonymous activities it keeps, the pending ones it
 * attached (now recorded as activities) removed, and the message ids it handled that did not become
 * activities marked as seen (nothing to do, no statement, when a batch holds only activities).
 */
export async function finishBatch(
  dataSource: DataSource,
  apiKeyId: string,
  kept: NewAnonymous[],
  attachedIds: string[],
  messageIds: string[],
): Promise<void> {
  if (kept.length === 0 && attachedIds.length === 0 && messageIds.length === 0) return;
  await dataSource.query(
    `WITH kept AS (
       INSERT INTO ingestion_anonymous_event (anonymous_id, api_key_id, message_id, activity_type, occurred_at, properties)
       SELECT r."anonymousId", $1::bigint, r."messageId", r.type, r."occurredAt", r.properties
         FROM jsonb_to_recordset($2::jsonb) AS r("anonymousId" text, "messageId" text, type text, "occurredAt" timestamptz, properties jsonb)
       ON CONFLICT (api_key_id, message_id) DO NOTHING
     ), attached AS (
       DELETE FROM ingestion_anonymous_event WHERE id = ANY($3::bigint[])
     )
     INSERT INTO ingestion_message (api_key_id, message_id) SELECT $1::bigint, unnest($4::text[])
     ON CONFLICT DO NOTHING`,
    [apiKeyId, JSON.stringify(kept), attachedIds, messageIds],
  );
}

/**
 * Forgets message ids older than messageRetentionDays and anonymous activities never identified
 * within anonymousRetentionDays, at most `limit` rows of each per call.
 */
export async function purgeExpired(dataSource: DataSource, limit: number): Promise<number> {
  const rows: Array<{ count: number }> = await dataSource.query(
    `WITH m AS (
       DELETE FROM ingestion_message WHERE ctid IN (
         SELECT ctid FROM ingestion_message WHERE received_at < now() - make_interval(days => $1) LIMIT $3)
       RETURNING 1
     ), a AS (
       DELETE FROM ingestion_anonymous_event WHERE ctid IN (
         SELECT ctid FROM ingestion_anonymous_event WHERE received_at < now() - make_interval(days => $2) LIMIT $3)
       RETURNING 1
     )
     SELECT ((SELECT count(*) FROM m) + (SELECT count(*) FROM a))::int AS count`,
    [INGESTION_LIMITS.messageRetentionDays, INGESTION_LIMITS.anonymousRetentionDays, limit],
  );
  return rows[0]?.count ?? 0;
}
