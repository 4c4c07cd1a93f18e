import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../db/prepared';
import { type ArrayElement, arrayLiteral } from '../engine/array-literal';
import { ACCOUNT_COLUMNS, ACCOUNT_JOINS, type CachedFacts, type LeadColumns } from '../engine/facts';
import type { ScoreCause } from './score-history.entity';
import { formatFacts } from './score-signature';
import type { StoredScore } from './stored-score';

/*
 * The SQL of storing scores: locking the leads, reading them with their stored scores and cached
 * activity aggregates, touching scores that did not change, writing those that did with their
 * history. Callers pass the transaction's manager.
 */

/** A lead read for scoring, with its stored score (s_*, null while unscored) and cached activity facts. */
export interface JoinedRow {
  lead_id: string;
  lead_xmin: string;
  /** lead_score.lead_xmin: the lead row's version the stored score was computed from. */
  s_lead_xmin: string | null;
  email: string | null;
  segment: string | null;
  source: string | null;
  /** jsonb as text; read apart (or not at all: null) for leads that may keep their fired rules. */
  attributes: string | null;
  /** Read with `carry`: the stored score's version as written (not resolved through score_carry). */
  s_version_id?: string | null;
  /** Read with `carry`: the stored score's rule set key and days inactive (text). */
  s_key?: string | null;
  s_days_inactive?: string | null;
  /** lead_score.signature (scoreSignature of the stored score); null while unscored. */
  s_signature: string | null;
  /**
   * Times as epoch ms in text (cheaper to read than timestamps; float8 seconds carry microseconds
   * to about 0.2 us). scored_at is always a whole millisecond (asOf from JS); the others are rounded
   * down, which for facts_valid_until can only end a cache's validity earlier, never later.
   */
  created_at: string;
  s_scored_at: string | null;
  s_last_activity_at: string | null;
  facts_key: string | null;
  /** lead_score.facts (see formatFacts). */
  facts: string | null;
  facts_valid_until: string | null;
}

/** How readForScoring reads. */
export interface JoinedRead {
  /**
   * Leads that may keep their fired rules (carry-plan.ts): read the stored score's version instead
   * of the attributes, which readAttributes then fetches for the leads that must be evaluated.
   */
  carry: boolean;
  /** Without parallel workers: for a chunk the caller has just locked (see readForScoring). */
  serial: boolean;
}

/**
 * The stored score as far as re-scoring needs it: its signature, instead of twenty columns to parse
 * (history entries read the old values in SQL), and its cached activity aggregates.
 */
const JOINED_SCORE_COLUMNS = `s.signature AS s_signature, s.lead_xmin::text AS s_lead_xmin,
  round(date_part('epoch', s.scored_at) * 1000)::int8::text AS s_scored_at,
  floor(date_part('epoch', s.last_activity_at) * 1000)::int8::text AS s_last_activity_at,
  s.facts_key, s.facts, s.facts_valid_until::text AS facts_valid_until`;

/** In place of the attributes when leads may keep their fired rules. */
const CARRY_COLUMNS = `NULL::text AS attributes, s.rule_set_version_id::text AS s_version_id, s.rule_set_key AS s_key,
  s.days_inactive::text AS s_days_inactive`;

/**
 * Locks the leads' rows in id order: serialises with every other writer of their scores. Run as its
 * own statement before reading them: a statement reads as of when it started, so one that waited
 * here for a transaction scoring the same lead would read the score and cached facts from before
 * that transaction even once it holds the lock, and store a score without its activity (a lost
 * update). The next statement sees what that transaction committed.
 */
export async function lockLeads(manager: EntityManager, leadIds: readonly string[]): Promise<void> {
  const lock = 'SELECT 1 FROM lead WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE';
  await (leadIds.length === 1 ? queryPrepared(manager, lock, [leadIds]) : manager.query(lock, [arrayLiteral(leadIds)]));
}

/** The leads with their stored score's signature and cached aggregates, in one statement. */
export async function readForScoring(manager: EntityManager, leadIds: readonly string[], read: JoinedRead): Promise<JoinedRow[]> {
  const one = leadIds.length === 1;
  // Without the lock, PostgreSQL reads a chunk of a few percent of the table with a parallel
  // sequential scan, several times slower than through the primary key once the rows are locked; so a
  // chunk just locked is read without parallel workers, and the transaction then gets its setting back.
  const serial = read.serial && !one;
  // Every column as text: the driver then parses nothing (no per-value type parsers, no Date objects).
  const sql = `SELECT l.id::text AS lead_id, l.xmin::text AS lead_xmin, l.email, l.segment, l.source, ${read.carry ? CARRY_COLUMNS : 'l.attributes::text AS attributes'},
                      floor(date_part('epoch', l.created_at) * 1000)::int8::text AS created_at, ${JOINED_SCORE_COLUMNS}
                 FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id
                WHERE l.id = ANY($1::bigint[])`;
  if (serial) await manager.query('SET LOCAL max_parallel_workers_per_gather = 0');
  const rows: JoinedRow[] = one
    ? await queryPrepared<JoinedRow>(manager, sql, [leadIds])
    : await manager.query(sql, [arrayLiteral(leadIds)]);
  if (serial) await manager.query('SET LOCAL max_parallel_workers_per_gather TO DEFAULT');
  return rows;
}

/** Fills in the attributes of rows read with `carry` (the leads that must be evaluated). */
export async function readAttributes(manager: EntityManager, rows: readonly JoinedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const attributes: Array<{ id: string; attributes: string }> = await manager.query(
    'SELECT id::text AS id, attributes::text AS attributes FROM lead WHERE id = ANY($1::bigint[])',
    [arrayLiteral(rows.map((row) => row.lead_id))],
  );
  const byId = new Map(attributes.map((row) => [row.id, row.attributes]));
  for (const row of rows) row.attributes = byId.get(row.lead_id) ?? '{}';
}

/** The lead's account's columns a rule set with facts about accounts reads (see ACCOUNT_COLUMNS). */
export type AccountColumns = Pick<LeadColumns, 'account_attributes' | 'account_score'>;

/**
 * The account columns of leads scored from cached aggregates by a rule set with facts about
 * accounts: read apart (one statement for the chunk), so that readForScoring's SQL stays as it is
 * while no active rule set reads accounts.
 */
export async function readAccountColumns(manager: EntityManager, leadIds: readonly string[]): Promise<Map<string, AccountColumns>> {
  if (leadIds.length === 0) return new Map();
  const sql = `SELECT l.id::text AS lead_id, ${ACCOUNT_COLUMNS} FROM lead l ${ACCOUNT_JOINS} WHERE l.id = ANY($1::bigint[])`;
  const rows: Array<AccountColumns & { lead_id: string }> =
    leadIds.length === 1 ? await queryPrepared(manager, sql, [leadIds]) : await manager.query(sql, [arrayLiteral(leadIds)]);
  return new Map(rows.map(({ lead_id, ...columns }) => [lead_id, columns]));
}

/** The row's cached aggregates as the cache check needs them; null while there are none. */
export function cachedFactsOf(row: JoinedRow): CachedFacts | null {
  return row.facts_key === null || row.facts === null || row.s_scored_at === null
    ? null
    : {
        key: row.facts_key,
        asOf: Number(row.s_scored_at),
        validUntil: row.facts_valid_until === null ? null : Number(row.facts_valid_until),
      };
}

/** A statement and its parameters, to run alone or joined with another (touchAndWrite). */
interface Statement {
  sql: string;
  params: unknown[];
}

/** Scores whose signature did not change: only the version, times, days inactive and cached facts move. */
export async function touchScores(manager: EntityManager, scores: StoredScore[], asOf: Date): Promise<void> {
  const { sql, params } = touchStatement(scores, asOf);
  await queryPrepared(manager, sql, params);
}

/**
 * touchScores and writeChanged in one statement (one round trip instead of two): the touch as a
 * data-modifying CTE ahead of the changed scores' own. The two write disjoint leads (a score either
 * kept its signature or not), and the history entries read the rows as they were before the statement.
 */
export async function touchAndWrite(manager: EntityManager, same: StoredScore[], asOf: Date, changed: ChangedScores): Promise<void> {
  const write = changedStatement(changed);
  const touch = touchStatement(same, asOf);
  const shifted = touch.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + write.params.length}`);
  await queryPrepared(manager, `WITH touched AS (${shifted}),\n${write.sql.trimStart().replace(/^WITH /, '')}`, [
    ...write.params,
    ...touch.params,
  ]);
}

function touchStatement(scores: StoredScore[], asOf: Date): Statement {
  // Facts reused from the cache are left as they are (null here); recomputed ones are stored.
  const fresh = scores.map((score) => score.facts !== undefined && !score.facts.reused);
  const [first] = scores;
  if (!fresh.includes(true) && scores.every((score) => score.ruleSetVersionId === first.ruleSetVersionId)) {
    // The usual publish: one version, every lead's cached facts reused. Two arrays instead of ten,
    // cheaper to send and to build.
    return statement(
      `UPDATE lead_score s SET rule_set_version_id = $2, rule_set_key = $3, rule_set_version = $4, scored_at = $1, days_inactive = u.days_inactive,
              lead_xmin = u.lead_xmin, write_seq = DEFAULT
         FROM unnest($5::bigint[], $6::int[], $7::xid[]) AS u(lead_id, days_inactive, lead_xmin)
        WHERE s.lead_id = u.lead_id`,
      [
        asOf,
        first.ruleSetVersionId,
        first.ruleSetKey,
        first.ruleSetVersion,
        arrayLiteral(scores.map((score) => score.leadId)),
        arrayLiteral(scores.map((score) => score.compact.daysInactive)),
        arrayLiteral(scores.map((score) => score.leadXmin ?? null)),
      ],
    );
  }
  const [keys, facts, validUntil] = factsColumns(scores, fresh);
  return statement(
    `UPDATE lead_score s SET rule_set_version_id = u.version_id, rule_set_key = u.key, rule_set_version = u.version,
            scored_at = $1, days_inactive = u.days_inactive, lead_xmin = u.lead_xmin, write_seq = DEFAULT,
            last_activity_at = CASE WHEN u.fresh THEN u.last_activity_at ELSE s.last_activity_at END,
            facts_key = CASE WHEN u.fresh THEN u.facts_key ELSE s.facts_key END,
            facts = CASE WHEN u.fresh THEN u.facts ELSE s.facts END,
            facts_valid_until = CASE WHEN u.fresh THEN u.facts_valid_until ELSE s.facts_valid_until END
       FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::int[], $7::boolean[], $8::timestamptz[],
                   $9::text[], $10::text[], $11::bigint[], $12::xid[])
            AS u(lead_id, version_id, key, version, days_inactive, fresh, last_activity_at, facts_key, facts, facts_valid_until, lead_xmin)
      WHERE s.lead_id = u.lead_id`,
    [
      asOf,
      arrayLiteral(scores.map((score) => score.leadId)),
      arrayLiteral(scores.map((score) => score.ruleSetVersionId)),
      arrayLiteral(scores.map((score) => score.ruleSetKey)),
      arrayLiteral(scores.map((score) => score.ruleSetVersion)),
      arrayLiteral(scores.map((score) => score.compact.daysInactive)),
      arrayLiteral(fresh),
      arrayLiteral(scores.map((score, i) => (fresh[i] ? score.lastActivityAt : null))),
      arrayLiteral(keys),
      arrayLiteral(facts),
      arrayLiteral(validUntil),
      arrayLiteral(scores.map((score) => score.leadXmin ?? null)),
    ],
  );
}

function statement(sql: string, params: unknown[]): Statement {
  return { sql, params };
}

/** What writeChanged stores besides the scores. */
export interface ChangedScores {
  scores: StoredScore[];
  /** scoreSignature of each score, in the same order. */
  signatures: string[];
  cause: ScoreCause;
  /** The activity that caused each lead's re-score, kept in its history entry. */
  activityIds?: ReadonlyMap<string, string>;
  asOf: Date;
}

/**
 * Changed scores: one statement writes their history entries (the old values read from lead_score
 * as they were before it) and upserts the new scores.
 */
export async function writeChanged(manager: EntityManager, changed: ChangedScores): Promise<void> {
  const { sql, params } = changedStatement(changed);
  await queryPrepared(manager, sql, params);
}

function changedStatement(changed: ChangedScores): Statement {
  const { scores, signatures, cause, activityIds, asOf } = changed;
  const column = (pick: (score: StoredScore) => ArrayElement) => arrayLiteral(scores.map(pick));
  const [first] = scores;
  if (!activityIds && scores.every((score) => score.facts?.reused === true && score.ruleSetVersionId === first.ruleSetVersionId)) {
    // The usual publish: one version, every lead's cached aggregates reused (so its score row exists
    // and keeps its facts columns as they are). The version as scalars, no facts columns, an update.
    return statement(
      `WITH s AS (
         SELECT * FROM unnest($6::bigint[], $7::int[], $8::int[], $9::int[], $10::text[], $11::int[], $12::text[], $13::text[],
                     $14::boolean[], $15::text[], $16::text[], $17::text[], $18::int[], $19::int[], $20::int[], $21::int[],
                     $22::text[], $23::xid[])
           AS s(lead_id, fit, engagement, total, grade, level, cell, band, qualified, action, action_label, fired,
                cap_fit, cap_engagement, decay, days_inactive, signature, lead_xmin)
       ), history AS (
         ${HISTORY_INSERT}
         SELECT s.lead_id, $5, $2, NULL, ${HISTORY_VALUES}, $1
           FROM s JOIN lead_score o ON o.lead_id = s.lead_id
       )
       UPDATE lead_score l SET
         rule_set_version_id = $2, rule_set_key = $3, rule_set_version = $4, fit = s.fit, engagement = s.engagement,
         total = s.total, fit_grade = s.grade, engagement_level = s.level, cell = s.cell, band = s.band,
         qualified = s.qualified, action = s.action, action_label = s.action_label,
         fired_rules = string_to_array(s.fired, ',')::smallint[], cap_fit = s.cap_fit, cap_engagement = s.cap_engagement,
         decay = s.decay, days_inactive = s.days_inactive, scored_at = $1, signature = s.signature, lead_xmin = s.lead_xmin,
         write_seq = DEFAULT
        FROM s WHERE l.lead_id = s.lead_id`,
      [
        asOf,
        first.ruleSetVersionId,
        first.ruleSetKey,
        first.ruleSetVersion,
        cause,
        column((s) => s.leadId),
        ...shownColumns(scores),
        arrayLiteral(signatures),
        column((s) => s.leadXmin ?? null),
      ],
    );
  }
  // Parallel arrays through unnest: much cheaper to send and parse than one JSON document per row.
  return statement(
    `WITH s AS (
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[],
                   $9::int[], $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::text[],
                   $16::int[], $17::int[], $18::int[], $19::int[], $21::timestamptz[], $22::text[], $23::text[],
                   $24::bigint[], $25::bigint[], $27::text[], $28::xid[])
         AS s(lead_id, version_id, key, version, fit, engagement, total, grade, level, cell, band, qualified, action,
              action_label, fired, cap_fit, cap_engagement, decay, days_inactive, last_activity_at, facts_key, facts,
              facts_valid_until, activity_id, signature, lead_xmin)
     ), history AS (
       ${HISTORY_INSERT}
       SELECT s.lead_id, CASE WHEN o.lead_id IS NULL THEN 'lead_created' ELSE $26 END, s.version_id, s.activity_id,
              ${HISTORY_VALUES}, $20
         FROM s LEFT JOIN lead_score o ON o.lead_id = s.lead_id
     )
     INSERT INTO lead_score (lead_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
                             fit_grade, engagement_level, cell, band, qualified, action, action_label, fired_rules,
                             cap_fit, cap_engagement, decay, days_inactive, scored_at, last_activity_at,
                             facts_key, facts, facts_valid_until, signature, lead_xmin)
     SELECT s.lead_id, s.version_id, s.key, s.version, s.fit, s.engagement, s.total, s.grade, s.level, s.cell, s.band,
            s.qualified, s.action, s.action_label, string_to_array(s.fired, ',')::smallint[], s.cap_fit, s.cap_engagement,
            s.decay, s.days_inactive, $20, s.last_activity_at, s.facts_key, s.facts, s.facts_valid_until, s.signature, s.lead_xmin
       FROM s
     ON CONFLICT (lead_id) DO UPDATE SET
       rule_set_version_id = EXCLUDED.rule_set_version_id, rule_set_key = EXCLUDED.rule_set_key,
       rule_set_version = EXCLUDED.rule_set_version, fit = EXCLUDED.fit, engagement = EXCLUDED.engagement,
       total = EXCLUDED.total, fit_grade = EXCLUDED.fit_grade, engagement_level = EXCLUDED.engagement_level,
       cell = EXCLUDED.cell, band = EXCLUDED.band, qualified = EXCLUDED.qualified, action = EXCLUDED.action,
       action_label = EXCLUDED.action_label, fired_rules = EXCLUDED.fired_rules, cap_fit = EXCLUDED.cap_fit,
       cap_engagement = EXCLUDED.cap_engagement, decay = EXCLUDED.decay, days_inactive = EXCLUDED.days_inactive,
       scored_at = EXCLUDED.scored_at, last_activity_at = EXCLUDED.last_activity_at,
       facts_key = EXCLUDED.facts_key, facts = EXCLUDED.facts, facts_valid_until = EXCLUDED.facts_valid_until,
       signature = EXCLUDED.signature, lead_xmin = EXCLUDED.lead_xmin, write_seq = DEFAULT`,
    [
      column((s) => s.leadId),
      column((s) => s.ruleSetVersionId),
      column((s) => s.ruleSetKey),
      column((s) => s.ruleSetVersion),
      ...shownColumns(scores),
      asOf,
      column((s) => s.lastActivityAt),
      ...factsColumns(scores).map(arrayLiteral),
      column((s) => activityIds?.get(s.leadId) ?? null),
      cause,
      arrayLiteral(signatures),
      column((s) => s.leadXmin ?? null),
    ],
  );
}

/** A changed score's history entry (both writes of changed scores), from `s` (new) and `o` (the row before). */
const HISTORY_INSERT = `INSERT INTO score_history (lead_id, cause, rule_set_version_id, activity_id, old_fit, new_fit, old_engagement,
                                    new_engagement, old_total, new_total, old_cell, new_cell, old_band, new_band,
                                    old_qualified, new_qualified, changed_at)`;
const HISTORY_VALUES = `o.fit, s.fit, o.engagement, s.engagement, o.total, s.total, o.cell, s.cell, o.band, s.band, o.qualified, s.qualified`;

/**
 * What a changed score shows, as unnest parameters in this order: fit, engagement, total, grade,
 * level, cell, band, qualified, action, action_label, fired (comma-separated), cap_fit,
 * cap_engagement, decay, days_inactive.
 */
function shownColumns(scores: readonly StoredScore[]): string[] {
  const column = (pick: (score: StoredScore) => ArrayElement) => arrayLiteral(scores.map(pick));
  return [
    column((s) => s.fit),
    column((s) => s.engagement),
    column((s) => s.total),
    column((s) => s.fitGrade),
    column((s) => s.engagementLevel),
    column((s) => s.cell),
    column((s) => s.band),
    column((s) => s.qualified),
    column((s) => s.action),
    column((s) => s.actionLabel),
    column((s) => s.compact.firedRules.join(',')),
    column((s) => s.compact.capFit),
    column((s) => s.compact.capEngagement),
    column((s) => s.compact.decay),
    column((s) => s.compact.daysInactive),
  ];
}

/** The cached-facts columns of scores as unnest parameters: keys, formatFacts text, valid-until epoch ms (null where `only` is false). */
function factsColumns(
  scores: readonly StoredScore[],
  only?: readonly boolean[],
): [Array<string | null>, Array<string | null>, Array<number | null>] {
  const keep = (i: number) => only === undefined || only[i];
  return [
    scores.map((score, i) => (keep(i) ? (score.facts?.key ?? null) : null)),
    scores.map((score, i) => (keep(i) && score.facts ? (score.facts.text ?? formatFacts(score.facts.values)) : null)),
    // Rounded down: a cache may end a fraction of a millisecond early, never late.
    scores.map((score, i) => (keep(i) && score.facts?.validUntil ? Math.floor(score.facts.validUntil.getTime()) : null)),
  ];
}
