import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../db/prepared';
import { arrayLiteral } from '../engine/array-literal';
import type { AccountContact } from '../engine/account-facts';
import { leftForCarry, type ModelReason, type ModelScoreRow, resolvedModelVersionSql } from '../scoring/models/model-score-store';
import type { ScoreCause } from '../scoring/score-history.entity';

/*
 * The reads and writes of account scores (model_score rows whose subject is an account): one
 * statement brings a group of accounts with their contacts and their stored scores, one statement
 * writes what changed. An account whose score and last activity are what is stored is not written.
 */

/** What is stored of an account's score in one model: what a change is decided on and what history keeps. */
export type StoredAccountScore = Omit<ModelScoreRow, 'model' | 'subjectId' | 'ruleSetVersion' | 'lastActivityAt'> & {
  /** Epoch milliseconds, as the read returns it. */
  lastActivityAt: number | null;
};

/** An account as scoring reads it: its attributes, (up to the read's bound) its contacts and its stored scores by model. */
export interface AccountToScore {
  accountId: string;
  attributes: Record<string, unknown>;
  createdAt: Date;
  contacts: AccountContact[];
  stored: Map<string, StoredAccountScore>;
}

/** The label a reason shows for a contact: its name, else its e-mail, else its external id. */
export const CONTACT_LABEL = `coalesce(nullif(btrim(concat_ws(' ', l.attributes->>'firstName', l.attributes->>'lastName')), ''), l.email, l.external_id)`;

/** Epoch milliseconds (truncated, as the drivers' Dates are) of a timestamptz, null when null. */
const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * A contact as a JSON array [lead id, label, engagement, last activity (epoch ms), attributes]: only
 * the attributes the contacts facts read ($n: their names), so that a group of thousands of contacts
 * carries neither their whole attribute documents nor repeated keys.
 */
export const contactJson = (attributeNames: string) => `json_build_array(l.id::text, ${CONTACT_LABEL},
  coalesce(s.engagement, 0), ${epochMs('s.last_activity_at')},
  (SELECT jsonb_object_agg(k, l.attributes -> k) FROM unnest(${attributeNames}::text[]) AS k WHERE l.attributes ? k))`;

/** A stored score as a JSON array, in StoredAccountScore's order (its version as readers resolve it). */
const STORED_JSON = `json_build_array(${resolvedModelVersionSql('m').id}::text, m.fit, m.engagement, m.total, m.fit_grade,
  m.engagement_level, m.cell, m.band, m.qualified, m.action, m.action_label, m.reasons, ${epochMs('m.last_activity_at')}, m.rule_set_key)`;

type ContactTuple = [string, string | null, number | string | null, number | string | null, Record<string, unknown> | null];
type StoredTuple = [
  string,
  number,
  number,
  number,
  string,
  number,
  string,
  string,
  boolean,
  string,
  string,
  ModelReason[],
  number | null,
  string,
];

export function contactOfTuple([leadId, label, engagement, lastActivity, attributes]: ContactTuple): AccountContact {
  return {
    leadId,
    label: label ?? leadId,
    engagement: Number(engagement ?? 0),
    lastActivityAt: lastActivity === null ? null : new Date(Number(lastActivity)),
    attributes,
  };
}

function storedOfTuple(tuple: StoredTuple): StoredAccountScore {
  const [
    ruleSetVersionId,
    fit,
    engagement,
    total,
    fitGrade,
    engagementLevel,
    cell,
    band,
    qualified,
    action,
    actionLabel,
    reasons,
    last,
    key,
  ] = tuple;
  return {
    ruleSetVersionId,
    fit,
    engagement,
    total,
    fitGrade,
    engagementLevel,
    cell,
    band,
    qualified,
    action,
    actionLabel,
    reasons,
    lastActivityAt: last === null ? null : Number(last),
    ruleSetKey: key,
  };
}

function storedOf(json: string | null): Map<string, StoredAccountScore> {
  const stored = new Map<string, StoredAccountScore>();
  if (json === null) return stored;
  for (const [model, tuple] of Object.entries(JSON.parse(json) as Record<string, StoredTuple>)) stored.set(model, storedOfTuple(tuple));
  return stored;
}

const READ_ACCOUNTS = `SELECT a.id::text AS account_id, a.attributes::text AS attributes, a.created_at,
       (SELECT json_agg(c.contact ORDER BY c.id)::text FROM (
          SELECT l.id, ${contactJson('$2')} AS contact
            FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id
           WHERE l.account_id = a.id ORDER BY l.id LIMIT $3) c) AS contacts,
       (SELECT json_object_agg(m.model, ${STORED_JSON})::text
          FROM model_score m WHERE m.model = ANY($4::text[]) AND m.subject_id = a.id) AS stored
  FROM account a
 WHERE a.id = ANY($1::bigint[])
 ORDER BY a.id`;

/**
 * Accounts with their contacts (each bounded by `perAccount`: callers pass accounts they counted
 * below it, grouped so that a statement reads a bounded number) and their stored scores in
 * `models`, in one statement, one row per account. One account (a request's) is a prepared
 * statement: its plan does not depend on the number of accounts.
 */
export async function readAccountsToScore(
  manager: EntityManager,
  accountIds: readonly string[],
  attributeNames: readonly string[],
  perAccount: number,
  models: readonly string[],
): Promise<AccountToScore[]> {
  if (accountIds.length === 0) return [];
  const params = [arrayLiteral(accountIds), arrayLiteral(attributeNames), perAccount, arrayLiteral(models)];
  type Row = { account_id: string; attributes: string; created_at: Date | string; contacts: string | null; stored: string | null };
  const rows: Row[] =
    accountIds.length === 1 ? await queryPrepared<Row>(manager, READ_ACCOUNTS, params) : await manager.query(READ_ACCOUNTS, params);
  return rows.map((row) => ({
    accountId: row.account_id,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
    contacts: row.contacts === null ? [] : (JSON.parse(row.contacts) as ContactTuple[]).map(contactOfTuple),
    stored: storedOf(row.stored),
  }));
}

/** The stored scores of one account in `models` (an account read page by page). */
export async function readStoredAccountScores(
  manager: EntityManager,
  accountId: string,
  models: readonly string[],
): Promise<Map<string, StoredAccountScore>> {
  const rows: Array<{ stored: string | null }> = await manager.query(
    `SELECT json_object_agg(m.model, ${STORED_JSON})::text AS stored
       FROM model_score m WHERE m.model = ANY($2::text[]) AND m.subject_id = $1::bigint`,
    [accountId, arrayLiteral(models)],
  );
  return storedOf(rows[0]?.stored ?? null);
}

/** A score a reader would see as the stored one (when it was computed and the last activity aside; the version too with `anyVersion`). */
export function sameAsStored(stored: StoredAccountScore, score: ModelScoreRow, anyVersion = false): boolean {
  return (
    (anyVersion || stored.ruleSetVersionId === score.ruleSetVersionId) &&
    stored.total === score.total &&
    stored.fit === score.fit &&
    stored.engagement === score.engagement &&
    stored.cell === score.cell &&
    stored.band === score.band &&
    stored.qualified === score.qualified &&
    stored.action === score.action &&
    stored.actionLabel === score.actionLabel &&
    sameJson(stored.reasons, score.reasons)
  );
}

/**
 * Whether two JSON values are equal as canonical JSON would say (object keys in any order, an
 * undefined property as absent), without building the text: a re-score compares every account's
 * reasons, and stringifying both sides cost more than scoring the account.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    if (left[key] === undefined) continue;
    keys += 1;
    if (!Object.hasOwn(right, key) || !sameJson(left[key], right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) keys -= 1;
  return keys === 0;
}

/** One account score to write: changed (row and history), or only its last activity moved. */
export interface AccountScoreWrite {
  before: StoredAccountScore | null;
  after: ModelScoreRow;
  changed: boolean;
}

const WRITE_SCORES = `WITH x AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(changed boolean, model text, subject_id bigint, rule_set_version_id bigint,
         rule_set_key text, rule_set_version integer, fit integer, engagement integer, total integer, fit_grade text,
         engagement_level smallint, cell text, band text, qualified boolean, action text, action_label text, reasons jsonb,
         last_activity_at timestamptz, old_total integer, old_cell text, old_band text, old_qualified boolean)
), moved AS (
  UPDATE model_score m SET scored_at = $2::timestamptz, last_activity_at = x.last_activity_at,
         rule_set_version_id = x.rule_set_version_id, rule_set_version = x.rule_set_version, write_seq = DEFAULT
    FROM x WHERE NOT x.changed AND m.model = x.model AND m.subject_id = x.subject_id
), upserted AS (
  INSERT INTO model_score (model, subject_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
         fit_grade, engagement_level, cell, band, qualified, action, action_label, reasons, scored_at, last_activity_at)
  SELECT x.model, x.subject_id, x.rule_set_version_id, x.rule_set_key, x.rule_set_version, x.fit, x.engagement, x.total,
         x.fit_grade, x.engagement_level, x.cell, x.band, x.qualified, x.action, x.action_label, x.reasons, $2::timestamptz, x.last_activity_at
    FROM x WHERE x.changed
  ON CONFLICT (model, subject_id) DO UPDATE SET rule_set_version_id = EXCLUDED.rule_set_version_id,
         rule_set_key = EXCLUDED.rule_set_key, rule_set_version = EXCLUDED.rule_set_version, fit = EXCLUDED.fit,
         engagement = EXCLUDED.engagement, total = EXCLUDED.total, fit_grade = EXCLUDED.fit_grade,
         engagement_level = EXCLUDED.engagement_level, cell = EXCLUDED.cell, band = EXCLUDED.band,
         qualified = EXCLUDED.qualified, action = EXCLUDED.action, action_label = EXCLUDED.action_label,
         reasons = EXCLUDED.reasons, scored_at = EXCLUDED.scored_at, last_activity_at = EXCLUDED.last_activity_at,
         write_seq = DEFAULT
), history AS (
  INSERT INTO model_score_history (model, subject_id, cause, rule_set_version_id, old_total, new_total, old_cell, new_cell,
         old_band, new_band, old_qualified, new_qualified, reasons, changed_at)
  SELECT x.model, x.subject_id, $3::text, x.rule_set_version_id, x.old_total, x.total, x.old_cell, x.cell,
         x.old_band, x.band, x.old_qualified, x.qualified, x.reasons, $2::timestamptz
    FROM x WHERE x.changed
)
SELECT 1 AS done`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Writes account scores in one statement (whatever their number): a changed score replaces the
 * row and gets a history row with `cause`; a score that only saw its last activity move updates
 * that and scored_at (and names its version: every write takes a fresh write_seq, so that no earlier
 * carry reaches past it). Callers leave out what is as stored.
 */
export async function writeAccountScores(
  manager: EntityManager,
  writes: readonly AccountScoreWrite[],
  cause: ScoreCause,
  asOf: Date,
): Promise<void> {
  if (writes.length === 0) return;
  const rows = writes.map(({ before, after, changed }) => ({
    changed,
    model: after.model,
    subject_id: after.subjectId,
    last_activity_at: after.lastActivityAt === null ? null : after.lastActivityAt.toISOString(),
    rule_set_version_id: after.ruleSetVersionId,
    rule_set_version: after.ruleSetVersion,
    ...(changed
      ? {
          rule_set_key: after.ruleSetKey,
          fit: after.fit,
          engagement: after.engagement,
          total: after.total,
          fit_grade: after.fitGrade,
          engagement_level: after.engagementLevel,
          cell: after.cell,
          band: after.band,
          qualified: after.qualified,
          action: after.action,
          action_label: after.actionLabel,
          reasons: after.reasons,
          old_total: before?.total ?? null,
          old_cell: before?.cell ?? null,
          old_band: before?.band ?? null,
          old_qualified: before?.qualified ?? null,
        }
      : {}),
  }));
  await queryPrepared(manager, WRITE_SCORES, [JSON.stringify(rows), asOf, cause]);
}

/**
 * Whether a freshly computed score needs a write, and which: none when it and its last activity are
 * as stored, nor (with `carryTo`, a full re-score job's version) when only its version differs: the
 * job's completion carries the row (model_score_carry).
 */
export function writeOf(before: StoredAccountScore | null, after: ModelScoreRow, carryTo?: string): AccountScoreWrite | null {
  if (before !== null && leftForCarry(before, after, carryTo, sameAsStored(before, after, true))) return null;
  if (before === null || !sameAsStored(before, after)) return { before, after, changed: true };
  if (iso(before.lastActivityAt) === iso(after.lastActivityAt?.getTime() ?? null)) return null;
  return { before, after, changed: false };
}
