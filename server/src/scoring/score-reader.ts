import type { EntityManager } from 'typeorm';
import { type CompactReasons, expandReasons } from '../engine/grading';
import type { RuleSetService } from '../rulesets/ruleset.service';
import type { ScoreComputation } from './score-computation';
import { scoreSignature } from './score-signature';
import { readForScoring } from './score-store';
import type { ScoreRow, StoredScore } from './stored-score';

/**
 * The version a lead_score row (alias) reads as: the one it names, or the one a completed re-score
 * carried it to without rewriting it (score_carry, migration 26): a rule set's carry applies to its
 * rows last written before the job completed.
 */
export function resolvedVersionSql(alias: string): { id: string; version: string } {
  const carried = (column: string) =>
    `(SELECT c.${column} FROM score_carry c WHERE c.rule_set_key = ${alias}.rule_set_key AND c.seq > coalesce(${alias}.write_seq, 0))`;
  return {
    id: `coalesce(${carried('rule_set_version_id')}, ${alias}.rule_set_version_id)`,
    version: `coalesce(${carried('rule_set_version')}, ${alias}.rule_set_version)`,
  };
}

const RESOLVED = resolvedVersionSql('s');

/** lead_score's columns as ScoreRow names them, read from `lead_score s`. */
export const SCORE_COLUMNS = `
  s.lead_id::text AS "leadId", ${RESOLVED.id}::text AS "ruleSetVersionId", s.rule_set_key AS "ruleSetKey",
  ${RESOLVED.version} AS "ruleSetVersion", fit, engagement, total, fit_grade AS "fitGrade",
  engagement_level::int AS "engagementLevel", cell, band, qualified, action, action_label AS "actionLabel",
  fired_rules::int[] AS "firedRules", cap_fit AS "capFit", cap_engagement AS "capEngagement", decay,
  days_inactive AS "daysInactive", scored_at AS "scoredAt", last_activity_at AS "lastActivityAt"`;

const CHUNK_SIZE = 5000;

/** The read side of scores: stored scores with their reasons, and scores computed without storing them. */
export class ScoreReader {
  constructor(
    private readonly ruleSets: RuleSetService,
    private readonly computation: ScoreComputation,
  ) {}

  async currentScores(manager: EntityManager, leadIds: readonly string[]): Promise<Map<string, StoredScore>> {
    if (leadIds.length === 0) return new Map();
    const rows: ScoreRow[] = await manager.query(`SELECT ${SCORE_COLUMNS} FROM lead_score s WHERE s.lead_id = ANY($1::bigint[])`, [
      leadIds,
    ]);
    return new Map((await this.expand(manager, rows)).map((score) => [score.leadId, score]));
  }

  /** Rows of lead_score (as SCORE_COLUMNS or scoreRowJson name them) to scores with their reasons. */
  async expand(manager: EntityManager, rows: Array<ScoreRow | Record<string, unknown>>): Promise<StoredScore[]> {
    const normalised = rows.map((row) => ('leadId' in row ? (row as ScoreRow) : scoreRowFromJson(row as Record<string, unknown>)));
    const definitions = await this.ruleSets.definitionsOf(
      manager,
      normalised.map((row) => row.ruleSetVersionId),
    );
    return normalised.map(({ firedRules, capFit, capEngagement, decay, daysInactive: days, ...score }) => {
      const compact: CompactReasons = { firedRules, capFit, capEngagement, decay, daysInactive: days };
      const definition = definitions.get(score.ruleSetVersionId);
      return { ...score, compact, reasons: definition ? expandReasons(definition, score.fit, score.engagement, compact) : [] };
    });
  }

  /** Computes scores from scratch without storing them. */
  computeScores(manager: EntityManager, leadIds: readonly string[], asOf: Date): Promise<StoredScore[]> {
    return this.computation.computeScores(manager, leadIds, asOf);
  }

  /**
   * What ScoringService.rescoreWithCarry (the decay pass) would compute for these leads, stored
   * nowhere and without locking them (so the caller's transaction may be read-only): each lead's
   * score and whether what it shows would change (a history entry and listeners in the real pass).
   */
  async projectScores(
    manager: EntityManager,
    leadIds: readonly string[],
    asOf: Date,
  ): Promise<Array<{ score: StoredScore; changed: boolean }>> {
    const projected: Array<{ score: StoredScore; changed: boolean }> = [];
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE) {
      const rows = await readForScoring(manager, leadIds.slice(start, start + CHUNK_SIZE), { carry: true, serial: false });
      const { previous, next } = await this.computation.computeFromRows(manager, rows, asOf, { carry: true, reasons: false });
      for (const score of next) projected.push({ score, changed: previous.get(score.leadId) !== scoreSignature(score) });
    }
    return projected;
  }
}

/** The lead_score columns a read returns: all but those only scoring uses (cached activity aggregates, signature). */
const SCORE_ROW_COLUMNS = [
  'lead_id',
  'rule_set_version_id',
  'rule_set_key',
  'rule_set_version',
  'fit',
  'engagement',
  'total',
  'fit_grade',
  'engagement_level',
  'cell',
  'band',
  'qualified',
  'action',
  'action_label',
  'fired_rules',
  'cap_fit',
  'cap_engagement',
  'decay',
  'days_inactive',
  'scored_at',
  'last_activity_at',
] as const;

/**
 * A lead_score row as JSON for reads joined into lead queries (scoreRowFromJson); null when the
 * join found no score. json_build_object of the columns read, rather than `to_jsonb(row)` minus the
 * scoring-only keys, which costs PostgreSQL much more.
 */
export function scoreRowJson(alias: string): string {
  const resolved = resolvedVersionSql(alias);
  const read = (column: (typeof SCORE_ROW_COLUMNS)[number]) =>
    column === 'rule_set_version_id' ? resolved.id : column === 'rule_set_version' ? resolved.version : `${alias}.${column}`;
  const pairs = SCORE_ROW_COLUMNS.map((column) => `'${column}', ${read(column)}`).join(', ');
  return `CASE WHEN ${alias}.lead_id IS NULL THEN NULL ELSE json_build_object(${pairs}) END`;
}

/** A lead_score row as scoreRowJson returns it. */
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
