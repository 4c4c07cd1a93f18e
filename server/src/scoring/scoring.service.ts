import type { EntityManager } from 'typeorm';
import { canonicalJson } from '../common/canonical-json';
import { queryPrepared } from '../db/prepared';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import type { ActiveRuleSet, RuleSetService } from '../rulesets/ruleset.service';
import { cacheableFacts, cacheHolds, daysInactive, factsFromRow, factsRowFromCache, type CachedFacts, type FactsRow } from './facts';
import { computeScore, expandReasons, type CompactReasons, type ScoreOutcome, type ScoreReason } from './grading';
import { metrics } from '../observability/metrics';
import type { ScoreCause } from './score-history.entity';
import type { ScoreTransition } from '../webhooks/webhook-events';

/** A lead's stored score, as read from lead_score. */
export interface StoredScore {
  leadId: string;
  ruleSetVersionId: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  fit: number;
  engagement: number;
  total: number;
  fitGrade: string;
  engagementLevel: number;
  cell: string;
  band: string;
  qualified: boolean;
  action: string;
  actionLabel: string;
  /** Expanded from `compact` with the version's rules. */
  reasons: ScoreReason[];
  compact: CompactReasons;
  scoredAt: Date;
  lastActivityAt: Date | null;
  /** The activity aggregates the score was computed from, cached with it (only on scores just computed). */
  facts?: Omit<CachedFacts, 'asOf'>;
}

/** A lead_score row as read, before its reasons are expanded. */
type ScoreRow = Omit<StoredScore, 'reasons' | 'compact'> & CompactReasons;

export interface ScoreSnapshotRow {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}

export interface ScoreChangeRow {
  id: string;
  cause: string;
  changedAt: Date;
  activityId: string | null;
  ruleSetKey: string;
  ruleSetVersion: number;
  old: ScoreSnapshotRow | null;
  new: ScoreSnapshotRow;
}

export interface ScoreChangeListener {
  recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<unknown>;
}

export interface ScorePassResult {
  leadsScored: number;
  leadsChanged: number;
}

export interface ScoreLeadsOptions {
  asOf?: Date;
  /** The activity that caused each lead's re-score, kept in its history entry. */
  activityIds?: Map<string, string>;
  /** The caller already holds these leads' row locks (FOR UPDATE) in this transaction. */
  locked?: boolean;
  /** Hand back the scores as stored (with their reasons), e.g. to answer the request that caused them. */
  returnScores?: boolean;
}

export const SCORE_COLUMNS = `
  lead_id::text AS "leadId", rule_set_version_id::text AS "ruleSetVersionId", rule_set_key AS "ruleSetKey",
  rule_set_version AS "ruleSetVersion", fit, engagement, total, fit_grade AS "fitGrade",
  engagement_level::int AS "engagementLevel", cell, band, qualified, action, action_label AS "actionLabel",
  fired_rules::int[] AS "firedRules", cap_fit AS "capFit", cap_engagement AS "capEngagement", decay,
  days_inactive AS "daysInactive", scored_at AS "scoredAt", last_activity_at AS "lastActivityAt"`;

const CHUNK_SIZE = 2000;

/** What a lead sees of its score: points, cell, band, qualification, action and explanation (not which version). */
function scoreSignature(score: StoredScore): string {
  const { firedRules, capFit, capEngagement, decay } = score.compact;
  return canonicalJson([score.fit, score.engagement, score.total, score.cell, score.band, score.qualified, score.action, score.actionLabel, firedRules, capFit, capEngagement, decay]);
}

function toStored(leadId: string, ruleSet: ActiveRuleSet, outcome: ScoreOutcome, asOf: Date, lastActivityAt: Date | null): StoredScore {
  return {
    leadId,
    ruleSetVersionId: ruleSet.versionId,
    ruleSetKey: ruleSet.key,
    ruleSetVersion: ruleSet.version,
    fit: outcome.fit,
    engagement: outcome.engagement,
    total: outcome.total,
    fitGrade: outcome.fitGrade,
    engagementLevel: outcome.engagementLevel,
    cell: outcome.cell,
    band: outcome.band,
    qualified: outcome.qualified,
    action: outcome.action,
    actionLabel: outcome.actionLabel,
    reasons: outcome.reasons,
    compact: outcome.compact,
    scoredAt: asOf,
    lastActivityAt,
  };
}

/**
 * Computes and stores scores, set-based: one facts query per chunk of leads and rule set, one
 * upsert of changed scores, one insert into score_history. Callers pass the transaction's manager.
 */
export class ScoringService {
  private readonly listeners: ScoreChangeListener[] = [];

  constructor(private readonly ruleSets: RuleSetService) {}

  /** Listeners run inside the scoring transaction (the webhook outbox is written there). */
  addChangeListener(listener: ScoreChangeListener): void {
    this.listeners.push(listener);
  }

  async currentScores(manager: EntityManager, leadIds: readonly string[]): Promise<Map<string, StoredScore>> {
    if (leadIds.length === 0) return new Map();
    const rows: ScoreRow[] = await manager.query(`SELECT ${SCORE_COLUMNS} FROM lead_score WHERE lead_id = ANY($1::bigint[])`, [leadIds]);
    return new Map((await this.expand(manager, rows)).map((score) => [score.leadId, score]));
  }

  /** Rows of lead_score (as SCORE_COLUMNS or `to_jsonb(s)` names them) to scores with their reasons. */
  async expand(manager: EntityManager, rows: Array<ScoreRow | Record<string, unknown>>): Promise<StoredScore[]> {
    const normalised = rows.map((row) => ('leadId' in row ? (row as ScoreRow) : scoreRowFromJson(row as Record<string, unknown>)));
    const definitions = await this.ruleSets.definitionsOf(manager, normalised.map((row) => row.ruleSetVersionId));
    return normalised.map(({ firedRules, capFit, capEngagement, decay, daysInactive: days, ...score }) => {
      const compact: CompactReasons = { firedRules, capFit, capEngagement, decay, daysInactive: days };
      const definition = definitions.get(score.ruleSetVersionId);
      return { ...score, compact, reasons: definition ? expandReasons(definition, score.fit, score.engagement, compact) : [] };
    });
  }

  /** A lead's score changes, newest first. */
  async historyOfLead(manager: EntityManager, leadId: string, first?: number | null, after?: string | null): Promise<Page<ScoreChangeRow>> {
    const size = pageSize(first, 'INVALID_HISTORY_QUERY');
    const params: unknown[] = [leadId];
    let keyset = '';
    if (after) {
      const [id] = decodeCursor(after, 'history', 'INVALID_CURSOR', 'after', ['id']);
      params.push(id);
      keyset = 'AND h.id < $2::bigint';
    }
    params.push(size + 1);
    const rows: ScoreChangeRow[] = await manager.query(
      `SELECT h.id::text AS id, h.cause, h.changed_at AS "changedAt", h.activity_id::text AS "activityId",
              rs.key AS "ruleSetKey", v.version AS "ruleSetVersion",
              CASE WHEN h.old_total IS NULL THEN NULL ELSE jsonb_build_object('fit', h.old_fit, 'engagement', h.old_engagement,
                'total', h.old_total, 'cell', h.old_cell, 'band', h.old_band, 'qualified', h.old_qualified) END AS old,
              jsonb_build_object('fit', h.new_fit, 'engagement', h.new_engagement, 'total', h.new_total,
                'cell', h.new_cell, 'band', h.new_band, 'qualified', h.new_qualified) AS new
         FROM score_history h
         JOIN rule_set_version v ON v.id = h.rule_set_version_id
         JOIN rule_set rs ON rs.id = v.rule_set_id
        WHERE h.lead_id = $1::bigint ${keyset}
        ORDER BY h.id DESC LIMIT $${params.length}`,
      params,
    );
    const nodes = rows.slice(0, size);
    return { nodes, cursors: nodes.map((row) => encodeCursor(['history', row.id])), hasNextPage: rows.length > size };
  }

  /** Computes scores without storing them. */
  async computeScores(manager: EntityManager, leadIds: readonly string[], asOf: Date): Promise<StoredScore[]> {
    const groups = new Map<ActiveRuleSet, string[]>();
    if (await this.segmentsUnmapped(manager)) {
      // No rule set is mapped to a segment: the default scores every lead, whatever its segment.
      groups.set(await this.ruleSets.resolveForSegment(manager, null), [...leadIds]);
    } else {
      const segments: Array<{ id: string; segment: string | null }> = await manager.query(
        'SELECT id::text AS id, segment FROM lead WHERE id = ANY($1::bigint[])',
        [leadIds],
      );
      for (const { id, segment } of segments) {
        const ruleSet = await this.ruleSets.resolveForSegment(manager, segment);
        const ids = groups.get(ruleSet);
        if (ids) ids.push(id);
        else groups.set(ruleSet, [id]);
      }
    }
    const scores: StoredScore[] = [];
    for (const [ruleSet, ids] of groups) scores.push(...(await this.scoreRows(ruleSet, await this.factsRows(manager, ruleSet, ids, asOf), asOf)));
    return scores;
  }

  private async segmentsUnmapped(manager: EntityManager): Promise<boolean> {
    return (await this.ruleSets.activeRuleSets(manager)).every((ruleSet) => ruleSet.segments.length === 0);
  }

  /** The facts query of a rule set for these leads, computed from their activities. */
  private factsRows(manager: EntityManager, ruleSet: ActiveRuleSet, ids: readonly string[], asOf: Date): Promise<FactsRow[]> {
    const { sql } = ruleSet.factsQuery;
    const params = ruleSet.factsQuery.params(asOf, ids);
    // Prepared for one lead (the request path), planned afresh for a chunk (bulk): see queryPrepared.
    return ids.length === 1 ? queryPrepared<FactsRow>(manager, sql, params) : manager.query(sql, params);
  }

  private async scoreRows(ruleSet: ActiveRuleSet, rows: readonly FactsRow[], asOf: Date): Promise<StoredScore[]> {
    const scores: StoredScore[] = [];
    for (const row of rows) {
      const facts = factsFromRow(ruleSet.definition, row, asOf);
      const evaluated = ruleSet.evaluator.evaluate(facts);
      const fired = Array.isArray(evaluated) ? evaluated : await evaluated;
      const outcome = computeScore(ruleSet.definition, fired, daysInactive(row, asOf));
      const score = toStored(row.lead_id, ruleSet, outcome, asOf, row.last_activity_at ? new Date(row.last_activity_at) : null);
      score.facts = {
        key: ruleSet.factsQuery.key,
        values: row.cached ? (row.cached as CachedFacts).values : cacheableFacts(ruleSet.definition, row),
        validUntil: row.facts_valid_until ? new Date(row.facts_valid_until) : null,
      };
      scores.push(score);
    }
    return scores;
  }

  /**
   * Scores leads for storing: reads each lead with its stored score and cached activity facts in one
   * query (locking the leads unless the caller did), reuses the cached facts where they still hold
   * for the rule set that scores the lead, and aggregates activities only for the others.
   */
  private async scoreForStoring(
    manager: EntityManager,
    leadIds: readonly string[],
    asOf: Date,
    locked: boolean,
  ): Promise<{ previous: Map<string, StoredScore>; next: StoredScore[] }> {
    const sql = `SELECT l.id::text AS lead_id, l.email, l.segment, l.source, l.attributes, l.created_at, ${JOINED_SCORE_COLUMNS}
                   FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id
                  WHERE l.id = ANY($1::bigint[])${locked ? '' : ' ORDER BY l.id FOR UPDATE OF l'}`;
    const rows: JoinedRow[] = leadIds.length === 1 ? await queryPrepared<JoinedRow>(manager, sql, [leadIds]) : await manager.query(sql, [leadIds]);
    const previous = new Map<string, StoredScore>();
    const groups = new Map<ActiveRuleSet, JoinedRow[]>();
    const unmapped = await this.segmentsUnmapped(manager);
    for (const row of rows) {
      if (row.s_version_id !== null) previous.set(row.lead_id, storedFromJoined(row));
      const ruleSet = await this.ruleSets.resolveForSegment(manager, unmapped ? null : row.segment);
      const group = groups.get(ruleSet);
      if (group) group.push(row);
      else groups.set(ruleSet, [row]);
    }
    const next: StoredScore[] = [];
    for (const [ruleSet, group] of groups) {
      const factsRows: FactsRow[] = [];
      const misses: string[] = [];
      for (const row of group) {
        const cached: CachedFacts | null =
          row.facts_key === null || row.facts === null
            ? null
            : { key: row.facts_key, values: row.facts, asOf: new Date(row.s_scored_at as Date), validUntil: row.facts_valid_until ? new Date(row.facts_valid_until) : null };
        if (cacheHolds(cached, ruleSet.factsQuery.key, asOf)) {
          const lead = { lead_id: row.lead_id, email: row.email, segment: row.segment, source: row.source, attributes: row.attributes, created_at: row.created_at };
          factsRows.push({ ...factsRowFromCache(ruleSet.definition, lead, cached, row.s_last_activity_at ? new Date(row.s_last_activity_at) : null), cached });
        } else {
          misses.push(row.lead_id);
        }
      }
      if (misses.length > 0) factsRows.push(...(await this.factsRows(manager, ruleSet, misses, asOf)));
      metrics.factsCacheHits.inc(factsRows.length - misses.length);
      metrics.factsCacheMisses.inc(misses.length);
      next.push(...(await this.scoreRows(ruleSet, factsRows, asOf)));
    }
    return { previous, next };
  }

  /**
   * Re-scores leads as of `asOf` and stores the result. Unchanged scores only get their scoredAt
   * moved; a new version with the same points is rewritten without history; changed scores are
   * written and get a score_history entry naming the cause.
   */
  async scoreLeads(
    manager: EntityManager,
    leadIds: readonly string[],
    cause: ScoreCause,
    options: ScoreLeadsOptions = {},
  ): Promise<ScorePassResult & { scores?: StoredScore[] }> {
    const asOf = options.asOf ?? new Date();
    let changedCount = 0;
    const computed: StoredScore[] = [];
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE) {
      const chunk = leadIds.slice(start, start + CHUNK_SIZE);
      // Locks the leads (unless the caller did): serialises with every other writer of their scores,
      // so there is no lost update between two re-scores.
      const { previous, next } = await this.scoreForStoring(manager, chunk, asOf, options.locked === true);
      if (options.returnScores) computed.push(...next);
      // Rewritten: anything differs, the version included. History: only what the lead's score shows changed.
      const rewritten = next.filter((score) => {
        const before = previous.get(score.leadId);
        return !before || before.ruleSetVersionId !== score.ruleSetVersionId || scoreSignature(before) !== scoreSignature(score);
      });
      const changed = rewritten.filter((score) => {
        const before = previous.get(score.leadId);
        return !before || scoreSignature(before) !== scoreSignature(score);
      });
      const rewrittenIds = new Set(rewritten.map((score) => score.leadId));
      const unchanged = next.filter((score) => !rewrittenIds.has(score.leadId));
      if (unchanged.length > 0) {
        // Same score: only when it was computed, the newest activity it saw, the days without one and its cached facts move.
        await queryPrepared(
          manager,
          `UPDATE lead_score s SET scored_at = $1, last_activity_at = u.last_activity_at, days_inactive = u.days_inactive,
                  facts_key = u.facts_key, facts = u.facts::float8[], facts_valid_until = u.facts_valid_until
             FROM unnest($2::bigint[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::timestamptz[])
                  AS u(lead_id, last_activity_at, days_inactive, facts_key, facts, facts_valid_until)
            WHERE s.lead_id = u.lead_id`,
          [
            asOf,
            unchanged.map((score) => score.leadId),
            unchanged.map((score) => score.lastActivityAt),
            unchanged.map((score) => score.compact.daysInactive),
            ...factsColumns(unchanged),
          ],
        );
      }
      if (rewritten.length > 0) await this.writeScores(manager, rewritten);
      if (changed.length > 0) {
        await this.writeHistory(manager, changed, previous, cause, options.activityIds, asOf);
        if (this.listeners.length) {
          const transitions = changed.map((score): ScoreTransition => {
            const before = previous.get(score.leadId);
            return {
              leadId: score.leadId,
              before: before ? { qualified: before.qualified, action: before.action, total: before.total, cell: before.cell } : null,
              after: { qualified: score.qualified, action: score.action, total: score.total, cell: score.cell, band: score.band, ruleSetKey: score.ruleSetKey, ruleSetVersion: score.ruleSetVersion },
            };
          });
          for (const listener of this.listeners) await listener.recordTransitions(manager, transitions, asOf);
        }
      }
      changedCount += changed.length;
    }
    metrics.scoresComputed.inc({ cause }, leadIds.length);
    metrics.scoresChanged.inc({ cause }, changedCount);
    return { leadsScored: leadIds.length, leadsChanged: changedCount, ...(options.returnScores ? { scores: computed } : {}) };
  }

  private async writeScores(manager: EntityManager, scores: StoredScore[]): Promise<void> {
    const column = <T>(pick: (score: StoredScore) => T) => scores.map(pick);
    // Parallel arrays through unnest: much cheaper to send and parse than one JSON document per row.
    await queryPrepared(
      manager,
      `INSERT INTO lead_score (lead_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
                               fit_grade, engagement_level, cell, band, qualified, action, action_label, fired_rules,
                               cap_fit, cap_engagement, decay, days_inactive, scored_at, last_activity_at,
                               facts_key, facts, facts_valid_until)
       SELECT s.lead_id, s.version_id, s.key, s.version, s.fit, s.engagement, s.total, s.grade, s.level, s.cell, s.band,
              s.qualified, s.action, s.action_label, string_to_array(s.fired, ',')::smallint[], s.cap_fit, s.cap_engagement,
              s.decay, s.days_inactive, $20, s.last_activity_at, s.facts_key, s.facts::float8[], s.facts_valid_until
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::text[],
                     $9::int[], $10::text[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::text[],
                     $16::int[], $17::int[], $18::int[], $19::int[], $21::timestamptz[], $22::text[], $23::text[],
                     $24::timestamptz[])
           AS s(lead_id, version_id, key, version, fit, engagement, total, grade, level, cell, band, qualified, action,
                action_label, fired, cap_fit, cap_engagement, decay, days_inactive, last_activity_at, facts_key, facts,
                facts_valid_until)
       ON CONFLICT (lead_id) DO UPDATE SET
         rule_set_version_id = EXCLUDED.rule_set_version_id, rule_set_key = EXCLUDED.rule_set_key,
         rule_set_version = EXCLUDED.rule_set_version, fit = EXCLUDED.fit, engagement = EXCLUDED.engagement,
         total = EXCLUDED.total, fit_grade = EXCLUDED.fit_grade, engagement_level = EXCLUDED.engagement_level,
         cell = EXCLUDED.cell, band = EXCLUDED.band, qualified = EXCLUDED.qualified, action = EXCLUDED.action,
         action_label = EXCLUDED.action_label, fired_rules = EXCLUDED.fired_rules, cap_fit = EXCLUDED.cap_fit,
         cap_engagement = EXCLUDED.cap_engagement, decay = EXCLUDED.decay, days_inactive = EXCLUDED.days_inactive,
         scored_at = EXCLUDED.scored_at, last_activity_at = EXCLUDED.last_activity_at,
         facts_key = EXCLUDED.facts_key, facts = EXCLUDED.facts, facts_valid_until = EXCLUDED.facts_valid_until`,
      [
        column((s) => s.leadId),
        column((s) => s.ruleSetVersionId),
        column((s) => s.ruleSetKey),
        column((s) => s.ruleSetVersion),
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
        scores[0].scoredAt,
        column((s) => s.lastActivityAt),
        ...factsColumns(scores),
      ],
    );
  }

  private async writeHistory(
    manager: EntityManager,
    changed: StoredScore[],
    previous: Map<string, StoredScore>,
    cause: ScoreCause,
    activityIds: Map<string, string> | undefined,
    asOf: Date,
  ): Promise<void> {
    const entries = changed.map((score) => {
      const before = previous.get(score.leadId);
      return {
        leadId: score.leadId,
        ruleSetVersionId: score.ruleSetVersionId,
        activityId: activityIds?.get(score.leadId) ?? null,
        oldFit: before?.fit ?? null,
        newFit: score.fit,
        oldEngagement: before?.engagement ?? null,
        newEngagement: score.engagement,
        oldTotal: before?.total ?? null,
        newTotal: score.total,
        oldCell: before?.cell ?? null,
        newCell: score.cell,
        oldBand: before?.band ?? null,
        newBand: score.band,
        oldQualified: before?.qualified ?? null,
        newQualified: score.qualified,
      };
    });
    await queryPrepared(
      manager,
      `INSERT INTO score_history (lead_id, cause, rule_set_version_id, activity_id, old_fit, new_fit, old_engagement,
                                  new_engagement, old_total, new_total, old_cell, new_cell, old_band, new_band,
                                  old_qualified, new_qualified, changed_at)
       SELECT h."leadId", CASE WHEN h."oldTotal" IS NULL THEN 'lead_created' ELSE $2 END, h."ruleSetVersionId", h."activityId", h."oldFit", h."newFit", h."oldEngagement",
              h."newEngagement", h."oldTotal", h."newTotal", h."oldCell", h."newCell", h."oldBand", h."newBand",
              h."oldQualified", h."newQualified", $3
         FROM jsonb_to_recordset($1::jsonb) AS h("leadId" bigint, "ruleSetVersionId" bigint, "activityId" bigint,
              "oldFit" int, "newFit" int, "oldEngagement" int, "newEngagement" int, "oldTotal" int, "newTotal" int,
              "oldCell" text, "newCell" text, "oldBand" text, "newBand" text, "oldQualified" boolean,
              "newQualified" boolean)`,
      [JSON.stringify(entries), cause, asOf],
    );
  }
}

/** A lead read for scoring, with its stored score (s_*, null while unscored) and cached activity facts. */
interface JoinedRow {
  lead_id: string;
  email: string | null;
  segment: string | null;
  source: string | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  s_version_id: string | null;
  s_key: string;
  s_version: number;
  s_fit: number;
  s_engagement: number;
  s_total: number;
  s_grade: string;
  s_level: number;
  s_cell: string;
  s_band: string;
  s_qualified: boolean;
  s_action: string;
  s_action_label: string;
  s_fired: number[];
  s_cap_fit: number;
  s_cap_engagement: number;
  s_decay: number;
  s_days_inactive: number;
  s_scored_at: Date | null;
  s_last_activity_at: Date | null;
  facts_key: string | null;
  facts: Array<number | null> | null;
  facts_valid_until: Date | null;
}

const JOINED_SCORE_COLUMNS = `s.rule_set_version_id::text AS s_version_id, s.rule_set_key AS s_key, s.rule_set_version AS s_version,
  s.fit AS s_fit, s.engagement AS s_engagement, s.total AS s_total, s.fit_grade AS s_grade, s.engagement_level::int AS s_level,
  s.cell AS s_cell, s.band AS s_band, s.qualified AS s_qualified, s.action AS s_action, s.action_label AS s_action_label,
  s.fired_rules::int[] AS s_fired, s.cap_fit AS s_cap_fit, s.cap_engagement AS s_cap_engagement, s.decay AS s_decay,
  s.days_inactive AS s_days_inactive, s.scored_at AS s_scored_at, s.last_activity_at AS s_last_activity_at,
  s.facts_key, s.facts, s.facts_valid_until`;

function storedFromJoined(row: JoinedRow): StoredScore {
  return {
    leadId: row.lead_id,
    ruleSetVersionId: row.s_version_id as string,
    ruleSetKey: row.s_key,
    ruleSetVersion: row.s_version,
    fit: row.s_fit,
    engagement: row.s_engagement,
    total: row.s_total,
    fitGrade: row.s_grade,
    engagementLevel: row.s_level,
    cell: row.s_cell,
    band: row.s_band,
    qualified: row.s_qualified,
    action: row.s_action,
    actionLabel: row.s_action_label,
    compact: { firedRules: row.s_fired, capFit: row.s_cap_fit, capEngagement: row.s_cap_engagement, decay: row.s_decay, daysInactive: row.s_days_inactive },
    reasons: [],
    scoredAt: row.s_scored_at as Date,
    lastActivityAt: row.s_last_activity_at,
  };
}

/** The cached-facts columns of scores as unnest parameters: keys, float8[] literals, valid-until times. */
function factsColumns(scores: readonly StoredScore[]): [Array<string | null>, Array<string | null>, Array<Date | null>] {
  return [
    scores.map((score) => score.facts?.key ?? null),
    scores.map((score) => (score.facts ? `{${score.facts.values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}` : null)),
    scores.map((score) => score.facts?.validUntil ?? null),
  ];
}

/** A lead_score row as `to_jsonb(s)` returns it (joined into list queries). */
function scoreRowFromJson(row: Record<string, unknown>): ScoreRow {
  return {
    leadId: String(row.lead_id),
    ruleSetVersionId: String(row.rule_set_version_id),
    ruleSetKey: row.rule_set_key as string,
    ruleSetVersion: row.rule_set_version as number,
    fit: row.fit as number,
    engagement: row.engagement as number,
    total: row.total as number,
    fitGrade: row.fit_grade as string,
    engagementLevel: row.engagement_level as number,
    cell: row.cell as string,
    band: row.band as string,
    qualified: row.qualified as boolean,
    action: row.action as string,
    actionLabel: row.action_label as string,
    firedRules: row.fired_rules as number[],
    capFit: row.cap_fit as number,
    capEngagement: row.cap_engagement as number,
    decay: row.decay as number,
    daysInactive: row.days_inactive as number,
    scoredAt: new Date(row.scored_at as string),
    lastActivityAt: row.last_activity_at ? new Date(row.last_activity_at as string) : null,
  };
}
