import type { EntityManager } from 'typeorm';
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

export const MODEL_SCORE_COLUMNS = `model, subject_id::text AS "subjectId", rule_set_version_id::text AS "ruleSetVersionId",
  rule_set_key AS "ruleSetKey", rule_set_version AS "ruleSetVersion", fit, engagement, total, fit_grade AS "fitGrade",
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

/** Two scores a reader would see as the same (when they were computed and the last activity aside). */
function sameScore(a: ModelScoreRow, b: ModelScoreRow): boolean {
  return (
    a.ruleSetVersionId === b.ruleSetVersionId &&
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
 * Writes scores that differ from the stored ones (+ history with `cause`), touches scored_at of the
 * rest; returns the changed, with their previous row (null when new). Set-based: one read, and at
 * most three statements, whatever the number of scores.
 */
export async function storeModelScores(
  manager: EntityManager,
  scores: readonly ModelScoreRow[],
  cause: ScoreCause,
  asOf: Date,
): Promise<Array<{ before: ModelScoreRow | null; after: ModelScoreRow }>> {
  if (scores.length === 0) return [];
  // One row per model and subject (the last given wins): a statement may not upsert a row twice.
  scores = [...new Map(scores.map((score) => [`${score.model}\u0000${score.subjectId}`, score])).values()];
  const byModel = new Map<string, string[]>();
  for (const score of scores) {
    const ids = byModel.get(score.model);
    if (ids) ids.push(score.subjectId);
    else byModel.set(score.model, [score.subjectId]);
  }
  const stored = new Map<string, StoredModelScore>();
  for (const [model, ids] of byModel)
    for (const [id, row] of await readModelScores(manager, model, ids)) stored.set(`${model}\u0000${id}`, row);

  const changed: Array<{ before: ModelScoreRow | null; after: ModelScoreRow }> = [];
  const same: ModelScoreRow[] = [];
  for (const score of scores) {
    const before = stored.get(`${score.model}\u0000${score.subjectId}`) ?? null;
    if (before && sameScore(before, score)) same.push(score);
    else changed.push({ before, after: score });
  }
  if (same.length > 0) {
    await manager.query(
      `UPDATE model_score m SET scored_at = $1, last_activity_at = x.last_activity_at
         FROM jsonb_to_recordset($2::jsonb) AS x(model text, subject_id bigint, last_activity_at timestamptz)
        WHERE m.model = x.model AND m.subject_id = x.subject_id`,
      [asOf, JSON.stringify(same.map((s) => ({ model: s.model, subject_id: s.subjectId, last_activity_at: iso(s.lastActivityAt) })))],
    );
  }
  if (changed.length > 0) {
    const rows = changed.map(({ before, after }) => ({
      model: after.model,
      subject_id: after.subjectId,
      rule_set_version_id: after.ruleSetVersionId,
      rule_set_key: after.ruleSetKey,
      rule_set_version: after.ruleSetVersion,
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
      last_activity_at: iso(after.lastActivityAt),
      old_total: before?.total ?? null,
      old_cell: before?.cell ?? null,
      old_band: before?.band ?? null,
      old_qualified: before?.qualified ?? null,
    }));
    const json = JSON.stringify(rows);
    await manager.query(
      `INSERT INTO model_score (model, subject_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total,
              fit_grade, engagement_level, cell, band, qualified, action, action_label, reasons, scored_at, last_activity_at)
       SELECT x.model, x.subject_id, x.rule_set_version_id, x.rule_set_key, x.rule_set_version, x.fit, x.engagement, x.total,
              x.fit_grade, x.engagement_level, x.cell, x.band, x.qualified, x.action, x.action_label, x.reasons, $2, x.last_activity_at
         FROM jsonb_to_recordset($1::jsonb) AS x(model text, subject_id bigint, rule_set_version_id bigint, rule_set_key text,
              rule_set_version integer, fit integer, engagement integer, total integer, fit_grade text, engagement_level smallint,
              cell text, band text, qualified boolean, action text, action_label text, reasons jsonb, last_activity_at timestamptz)
       ON CONFLICT (model, subject_id) DO UPDATE SET rule_set_version_id = EXCLUDED.rule_set_version_id,
              rule_set_key = EXCLUDED.rule_set_key, rule_set_version = EXCLUDED.rule_set_version, fit = EXCLUDED.fit,
              engagement = EXCLUDED.engagement, total = EXCLUDED.total, fit_grade = EXCLUDED.fit_grade,
              engagement_level = EXCLUDED.engagement_level, cell = EXCLUDED.cell, band = EXCLUDED.band,
              qualified = EXCLUDED.qualified, action = EXCLUDED.action, action_label = EXCLUDED.action_label,
              reasons = EXCLUDED.reasons, scored_at = EXCLUDED.scored_at, last_activity_at = EXCLUDED.last_activity_at`,
      [json, asOf],
    );
    await manager.query(
      `INSERT INTO model_score_history (model, subject_id, cause, rule_set_version_id, old_total, new_total, old_cell, new_cell,
              old_band, new_band, old_qualified, new_qualified, reasons, changed_at)
       SELECT x.model, x.subject_id, $2, x.rule_set_version_id, x.old_total, x.total, x.old_cell, x.cell,
              x.old_band, x.band, x.old_qualified, x.qualified, x.reasons, $3
         FROM jsonb_to_recordset($1::jsonb) AS x(model text, subject_id bigint, rule_set_version_id bigint, total integer,
              cell text, band text, qualified boolean, reasons jsonb, old_total integer, old_cell text, old_band text, old_qualified boolean)`,
      [json, cause, asOf],
    );
  }
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
