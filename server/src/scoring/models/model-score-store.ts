import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../../db/prepared';
import { canonicalJson } from '../../engine/canonical-json';
import type { ScoreCause } from '../score-history.entity';

/** Why a model score is what it is; accounts name the contacts behind a reason. */
export interface ModelReason {
  rule: string;
  dimension: 'fit' | 'engagement';
  points: number;
  label: string;
  contacts?: Array<{ leadId: string; label: string }>;
}

/** A score of a non-default model (model_score), for a lead or an account by the model's subject. */
export interface ModelScoreRow {
  model: string;
  subjectId: string;
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
  reasons: ModelReason[];
  lastActivityAt: Date | null;
}

/** A model score as read, with when it was last computed. */
export interface StoredModelScore extends ModelScoreRow {
  scoredAt: Date;
}

/**
 * The version a model_score row (alias) reads as: the one it names, or the one a completed full
 * re-score of its model and rule set carried it to without rewriting it (model_score_carry,
 * migration 27): a carry applies to the rows last written before the job completed.
 */
export function resolvedModelVersionSql(alias: string): { id: string; version: string } {
  const carried = (column: string) =>
    `(SELECT c.${column} FROM model_score_carry c WHERE c.model = ${alias}.model AND c.rule_set_key = ${alias}.rule_set_key
       AND c.seq > coalesce(${alias}.write_seq, 0))`;
  return {
    id: `coalesce(${carried('rule_set_version_id')}, ${alias}.rule_set_version_id)`,
    version: `coalesce(${carried('rule_set_version')}, ${alias}.rule_set_version)`,
  };
}

const RESOLVED = resolvedModelVersionSql('model_score');
const RESOLVED_MS = resolvedModelVersionSql('ms');

/** model_score's columns as StoredModelScore names them, read `FROM model_score` (not aliased). */
export const MODEL_SCORE_COLUMNS = `model, subject_id::text AS "subjectId", ${RESOLVED.id}::text AS "ruleSetVersionId",
  rule_set_key AS "ruleSetKey", ${RESOLVED.version} AS "ruleSetVersion", fit, engagement, total, fit_grade AS "fitGrade",
  engagement_level AS "engagementLevel", cell, band, qualified, action, action_label AS "actionLabel", reasons,
  scored_at AS "scoredAt", last_activity_at AS "lastActivityAt"`;

/** Dates and jsonb as either driver returns them (pg: Date and parsed; PGlite: the same, but be lenient). */
export function modelScoreOf(row: StoredModelScore): StoredModelScore {
  return {
    ...row,
    reasons: typeof row.reasons === 'string' ? (JSON.parse(row.reasons) as ModelReason[]) : row.reasons,
    scoredAt: new Date(row.scoredAt),
    lastActivityAt: row.lastActivityAt === null ? null : new Date(row.lastActivityAt),
  };
}

/**
 * The stored score's columns under `stored_` names, for a statement that reads a subject beside its
 * stored score (joined as `ms`): storedScoreOf turns them back into the score, or null when none.
 */
export const STORED_SCORE_COLUMNS = `ms.model AS stored_model, ${RESOLVED_MS.id}::text AS stored_rule_set_version_id,
  ms.rule_set_key AS stored_rule_set_key, ${RESOLVED_MS.version} AS stored_rule_set_version, ms.fit AS stored_fit,
  ms.engagement AS stored_engagement, ms.total AS stored_total, ms.fit_grade AS stored_fit_grade,
  ms.engagement_level AS stored_engagement_level, ms.cell AS stored_cell, ms.band AS stored_band, ms.qualified AS stored_qualified,
  ms.action AS stored_action, ms.action_label AS stored_action_label, ms.reasons AS stored_reasons, ms.scored_at AS stored_scored_at,
  ms.last_activity_at AS stored_last_activity_at`;

export function storedScoreOf(subjectId: string, row: Record<string, unknown>): StoredModelScore | null {
  if (row.stored_model === null || row.stored_model === undefined) return null;
  return modelScoreOf({
    model: row.stored_model as string,
    subjectId,
    ruleSetVersionId: row.stored_rule_set_version_id as string,
    ruleSetKey: row.stored_rule_set_key as string,
    ruleSetVersion: row.stored_rule_set_version as number,
    fit: row.stored_fit as number,
    engagement: row.stored_engagement as number,
    total: row.stored_total as number,
    fitGrade: row.stored_fit_grade as string,
    engagementLevel: row.stored_engagement_level as number,
    cell: row.stored_cell as string,
    band: row.stored_band as string,
    qualified: row.stored_qualified as boolean,
    action: row.stored_action as string,
    actionLabel: row.stored_action_label as string,
    reasons: row.stored_reasons as ModelReason[],
    scoredAt: row.stored_scored_at as Date,
    lastActivityAt: row.stored_last_activity_at as Date | null,
  });
}

export async function readModelScores(
  manager: EntityManager,
  model: string,
  subjectIds: readonly string[],
): Promise<Map<string, StoredModelScore>> {
  const scores = new Map<string, StoredModelScore>();
  if (subjectIds.length === 0) return scores;
  const rows: StoredModelScore[] = await manager.query(
    `SELECT ${MODEL_SCORE_COLUMNS} FROM model_score WHERE model = $1 AND subject_id = ANY($2::bigint[])`,
    [model, subjectIds],
  );
  for (const row of rows) scores.set(row.subjectId, modelScoreOf(row));
  return scores;
}

/** The key of a model's score of a subject in the maps below. */
export const modelScoreKey = (model: string, subjectId: string) => `${model}\u0000${subjectId}`;

/** Two scores a reader would see as the same (when they were computed and the last activity aside; the version too with `anyVersion`). */
function sameScore(a: ModelScoreRow, b: ModelScoreRow, anyVersion = false): boolean {
  return (
    (anyVersion || a.ruleSetVersionId === b.ruleSetVersionId) &&
    a.total === b.total &&
    a.fit === b.fit &&
    a.engagement === b.engagement &&
    a.cell === b.cell &&
    a.band === b.band &&
    a.qualified === b.qualified &&
    a.action === b.action &&
    a.actionLabel === b.actionLabel &&
    canonicalJson(a.reasons) === canonicalJson(b.reasons)
  );
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/**
 * One statement for scores of any mix: the same (`changed` false) only get scored_at and
 * last_activity_at moved, the changed are upserted whole with a history entry. A score that reads
 * the same is still re-timed: scoredAt is its "as of" time and lastActivityAt moves with every
 * activity, as the default model's do. Every write names the score's version and takes a fresh
 * write_seq, so that no earlier carry reaches past it.
 */
const WRITE_MODEL_SCORES = `
  WITH x AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(changed boolean, model text, subject_id bigint, rule_set_version_id bigint,
           rule_set_key text, rule_set_version integer, fit integer, engagement integer, total integer, fit_grade text,
           engagement_level smallint, cell text, band text, qualified boolean, action text, action_label text, reasons jsonb,
           last_activity_at timestamptz, old_total integer, old_cell text, old_band text, old_qualified boolean)
  ), touched AS (
    UPDATE model_score m SET scored_at = $2, last_activity_at = x.last_activity_at, rule_set_version_id = x.rule_set_version_id,
           rule_set_version = x.rule_set_version, write_seq = DEFAULT
      FROM x WHERE NOT x.changed AND m.model = x.model AND m.subject_id = x.subject_id
  ), written AS (
    INSERT INTO model_score (model, subject_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
           fit_grade, engagement_level, cell, band, qualified, action, action_label, reasons, scored_at, last_activity_at)
    SELECT x.model, x.subject_id, x.rule_set_version_id, x.rule_set_key, x.rule_set_version, x.fit, x.engagement, x.total,
           x.fit_grade, x.engagement_level, x.cell, x.band, x.qualified, x.action, x.action_label, x.reasons, $2, x.last_activity_at
      FROM x WHERE x.changed
    ON CONFLICT (model, subject_id) DO UPDATE SET rule_set_version_id = EXCLUDED.rule_set_version_id,
           rule_set_key = EXCLUDED.rule_set_key, rule_set_version = EXCLUDED.rule_set_version, fit = EXCLUDED.fit,
           engagement = EXCLUDED.engagement, total = EXCLUDED.total, fit_grade = EXCLUDED.fit_grade,
           engagement_level = EXCLUDED.engagement_level, cell = EXCLUDED.cell, band = EXCLUDED.band,
           qualified = EXCLUDED.qualified, action = EXCLUDED.action, action_label = EXCLUDED.action_label,
           reasons = EXCLUDED.reasons, scored_at = EXCLUDED.scored_at, last_activity_at = EXCLUDED.last_activity_at,
           write_seq = DEFAULT
  )
  INSERT INTO model_score_history (model, subject_id, cause, rule_set_version_id, old_total, new_total, old_cell, new_cell,
         old_band, new_band, old_qualified, new_qualified, reasons, changed_at)
  SELECT x.model, x.subject_id, $3, x.rule_set_version_id, x.old_total, x.total, x.old_cell, x.cell,
         x.old_band, x.band, x.old_qualified, x.qualified, x.reasons, $2
    FROM x WHERE x.changed`;

export interface StoreOptions {
  /**
   * The stored scores of every subject given, by modelScoreKey (absent: none stored), when the caller
   * read them with its facts (STORED_SCORE_COLUMNS); otherwise they are read here first.
   */
  stored?: ReadonlyMap<string, StoredModelScore>;
  /** Run the write as a named prepared statement (a single subject's scores: the statement's shape never changes). */
  prepared?: boolean;
  /**
   * The version a full re-score job of the scores' rule set scores with: its completion records the
   * carry (model_score_carry) through which rows left unwritten read as it. With it, a score of this
   * version that is the stored one but for its version, by the rule set that wrote the row, with the
   * same last activity, leaves its row as it is (its scored_at stays that of its last write).
   */
  carryTo?: string;
}

/** Whether a score may leave its row unwritten for the job's carry (StoreOptions.carryTo). */
export function leftForCarry(
  before: { ruleSetKey: string; lastActivityAt: number | null } | null,
  score: ModelScoreRow,
  carryTo: string | undefined,
  sameButVersion: boolean,
): boolean {
  return (
    carryTo !== undefined &&
    before !== null &&
    sameButVersion &&
    score.ruleSetVersionId === carryTo &&
    before.ruleSetKey === score.ruleSetKey &&
    before.lastActivityAt === (score.lastActivityAt?.getTime() ?? null)
  );
}

/**
 * Writes scores that differ from the stored ones (+ history with `cause`), touches scored_at of the
 * rest; returns the changed, with their previous row (null when new). Set-based: one write statement
 * (WRITE_MODEL_SCORES) whatever the number of scores, after one read per model unless the caller
 * brings the stored scores.
 */
export async function storeModelScores(
  manager: EntityManager,
  scores: readonly ModelScoreRow[],
  cause: ScoreCause,
  asOf: Date,
  options: StoreOptions = {},
): Promise<Array<{ before: ModelScoreRow | null; after: ModelScoreRow }>> {
  if (scores.length === 0) return [];
  // One row per model and subject (the last given wins): a statement may not upsert a row twice.
  scores = [...new Map(scores.map((score) => [modelScoreKey(score.model, score.subjectId), score])).values()];
  let stored = options.stored;
  if (!stored) {
    const byModel = new Map<string, string[]>();
    for (const score of scores) {
      const ids = byModel.get(score.model);
      if (ids) ids.push(score.subjectId);
      else byModel.set(score.model, [score.subjectId]);
    }
    const read = new Map<string, StoredModelScore>();
    for (const [model, ids] of byModel)
      for (const [id, row] of await readModelScores(manager, model, ids)) read.set(modelScoreKey(model, id), row);
    stored = read;
  }

  const changed: Array<{ before: ModelScoreRow | null; after: ModelScoreRow }> = [];
  const rows: object[] = [];
  for (const score of scores) {
    const before = stored.get(modelScoreKey(score.model, score.subjectId)) ?? null;
    const lastActivityAt = iso(score.lastActivityAt);
    if (
      before &&
      leftForCarry(
        { ruleSetKey: before.ruleSetKey, lastActivityAt: before.lastActivityAt?.getTime() ?? null },
        score,
        options.carryTo,
        sameScore(before, score, true),
      )
    )
      continue;
    if (before && sameScore(before, score)) {
      rows.push({
        changed: false,
        model: score.model,
        subject_id: score.subjectId,
        rule_set_version_id: score.ruleSetVersionId,
        rule_set_version: score.ruleSetVersion,
        last_activity_at: lastActivityAt,
      });
      continue;
    }
    changed.push({ before, after: score });
    rows.push({
      changed: true,
      model: score.model,
      subject_id: score.subjectId,
      rule_set_version_id: score.ruleSetVersionId,
      rule_set_key: score.ruleSetKey,
      rule_set_version: score.ruleSetVersion,
      fit: score.fit,
      engagement: score.engagement,
      total: score.total,
      fit_grade: score.fitGrade,
      engagement_level: score.engagementLevel,
      cell: score.cell,
      band: score.band,
      qualified: score.qualified,
      action: score.action,
      action_label: score.actionLabel,
      reasons: score.reasons,
      last_activity_at: lastActivityAt,
      old_total: before?.total ?? null,
      old_cell: before?.cell ?? null,
      old_band: before?.band ?? null,
      old_qualified: before?.qualified ?? null,
    });
  }
  if (rows.length === 0) return changed;
  const params = [JSON.stringify(rows), asOf, cause];
  if (options.prepared) await queryPrepared(manager, WRITE_MODEL_SCORES, params);
  else await manager.query(WRITE_MODEL_SCORES, params);
  return changed;
}

/** The newest changes of one subject's score in a model (`default`: the default lead model's score_history), newest first. */
export interface ModelScoreChangeRow {
  model: string;
  cause: string;
  ruleSetVersion: number;
  before: { total: number; cell: string; band: string; qualified: boolean } | null;
  after: { total: number; cell: string; band: string; qualified: boolean };
  changedAt: Date;
}

export async function readModelScoreHistory(
  manager: EntityManager,
  model: string,
  subjectId: string,
  limit: number,
): Promise<ModelScoreChangeRow[]> {
  const rows: Array<{
    model: string;
    cause: string;
    version: number | null;
    old_total: number | null;
    new_total: number;
    old_cell: string | null;
    new_cell: string;
    old_band: string | null;
    new_band: string;
    old_qualified: boolean | null;
    new_qualified: boolean;
    changed_at: Date;
  }> = await manager.query(
    // The default lead model keeps its history in score_history, beside lead_score.
    model === 'default'
      ? `SELECT $1::text AS model, h.cause, v.version, h.old_total, h.new_total, h.old_cell, h.new_cell, h.old_band, h.new_band,
                h.old_qualified, h.new_qualified, h.changed_at
           FROM score_history h LEFT JOIN rule_set_version v ON v.id = h.rule_set_version_id
          WHERE h.lead_id = $2::bigint ORDER BY h.id DESC LIMIT $3`
      : `SELECT h.model, h.cause, v.version, h.old_total, h.new_total, h.old_cell, h.new_cell, h.old_band, h.new_band,
                h.old_qualified, h.new_qualified, h.changed_at
           FROM model_score_history h LEFT JOIN rule_set_version v ON v.id = h.rule_set_version_id
          WHERE h.model = $1 AND h.subject_id = $2::bigint ORDER BY h.id DESC LIMIT $3`,
    [model, subjectId, limit],
  );
  return rows.map((row) => ({
    model: row.model,
    cause: row.cause,
    ruleSetVersion: row.version ?? 0,
    before:
      row.old_total === null
        ? null
        : { total: row.old_total, cell: row.old_cell ?? '', band: row.old_band ?? '', qualified: row.old_qualified ?? false },
    after: { total: row.new_total, cell: row.new_cell, band: row.new_band, qualified: row.new_qualified },
    changedAt: new Date(row.changed_at),
  }));
}
