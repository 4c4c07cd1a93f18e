import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../../db/prepared';
import { type FactsRow, factsShaper, wholeDaysBetween } from '../../engine/facts';
import { computeScore } from '../../engine/grading';
import type { ActiveRuleSet, RuleSetService } from '../../rulesets/ruleset.service';
import type { ScoreCause } from '../score-history.entity';
import { lockLeads } from '../score-store';
import {
  type ModelScoreRow,
  modelScoreKey,
  STORED_SCORE_COLUMNS,
  type StoredModelScore,
  storedScoreOf,
  storeModelScores,
} from './model-score-store';
import type { ScoreFollower } from './score-follower';
import type { SubjectScorer } from './subject-scorer';

const CHUNK_SIZE = 5000;

/**
 * Scores leads in every lead model other than the default (whose scores score-computation.ts and
 * score-store.ts keep in lead_score): as a follower, the leads the default model has just scored, in
 * every such model with an active rule set; as the lead SubjectScorer, one model's leads for its
 * re-score jobs. Set-based per chunk: each rule set's facts query (engine/facts.ts) with the stored
 * model score beside each lead, its compiled evaluator and engine grading, as score-computation.ts
 * does, then storeModelScores (one write statement for every model).
 *
 * One lead (an activity recorded, a lead written) is the hot path: per model one prepared statement
 * reads the lead, its facts and its stored score, as the model's default rule set computes them (the
 * lead's segment comes back with them, and only a segment whose rule set has other facts needs a
 * second read), and one prepared statement writes every model's score.
 */
export class LeadModelScorer implements ScoreFollower, SubjectScorer {
  readonly subject = 'lead' as const;
  /** The lead models with an active rule set, per loaded list of active rule sets. */
  private readonly modelsOf = new WeakMap<ActiveRuleSet[], string[]>();

  constructor(private readonly ruleSets: RuleSetService) {}

  async afterScoring(manager: EntityManager, leadIds: readonly string[], cause: ScoreCause, asOf: Date): Promise<void> {
    if (leadIds.length === 0) return;
    // The common case, no other lead model: nothing more than a look at the cached active rule sets.
    const models = await this.leadModels(manager);
    if (models.length === 0) return;
    if (leadIds.length === 1) {
      await this.scoreOne(manager, models, leadIds[0], cause, asOf);
      return;
    }
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE) {
      const segments = await segmentsOf(manager, leadIds.slice(start, start + CHUNK_SIZE));
      const scored = emptyScored();
      for (const model of models) await this.scoreChunk(manager, model, segments, asOf, scored);
      await storeModelScores(manager, scored.scores, cause, asOf, { stored: scored.stored });
    }
  }

  async listIds(manager: EntityManager, afterId: string | null, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id::text AS id FROM lead WHERE ($1::bigint IS NULL OR id > $1::bigint) ORDER BY lead.id LIMIT $2',
      [afterId, limit],
    );
    return rows.map((row) => row.id);
  }

  /** One model's scores of these leads (locked first, as every re-score of leads does). */
  async scoreModel(
    manager: EntityManager,
    model: string,
    ids: readonly string[],
    cause: ScoreCause,
    asOf: Date,
    options: { carryTo?: string } = {},
  ): Promise<{ changed: number }> {
    let changed = 0;
    for (let start = 0; start < ids.length; start += CHUNK_SIZE) {
      const chunk = ids.slice(start, start + CHUNK_SIZE);
      await lockLeads(manager, chunk);
      const scored = emptyScored();
      await this.scoreChunk(manager, model, await segmentsOf(manager, chunk), asOf, scored);
      changed += (await storeModelScores(manager, scored.scores, cause, asOf, { stored: scored.stored, carryTo: options.carryTo })).length;
    }
    return { changed };
  }

  private async leadModels(manager: EntityManager): Promise<string[]> {
    const active = await this.ruleSets.activeRuleSets(manager, null);
    let models = this.modelsOf.get(active);
    if (!models) {
      models = [...new Set(active.filter((r) => r.subject === 'lead' && r.model !== 'default').map((r) => r.model))].sort();
      this.modelsOf.set(active, models);
    }
    return models;
  }

  /** One lead in every model: per model one read (two when its segment's rule set has other facts), then one write. */
  private async scoreOne(manager: EntityManager, models: readonly string[], leadId: string, cause: ScoreCause, asOf: Date): Promise<void> {
    const scored = emptyScored();
    for (const model of models) {
      const active = await this.ruleSets.activeRuleSets(manager, model);
      const first = active.find((ruleSet) => ruleSet.isDefault) ?? active[0];
      if (!first) continue;
      let [row] = await readScoringRows(manager, model, first, [leadId], asOf);
      if (!row) return; // no such lead
      const ruleSet = await this.ruleSets.findForSegment(manager, row.segment, model);
      if (!ruleSet) continue;
      if (ruleSet.factsQuery.key !== first.factsQuery.key || ruleSet.factsQuery.sql !== first.factsQuery.sql)
        [row] = await readScoringRows(manager, model, ruleSet, [leadId], asOf);
      if (row) await addScores(scored, model, ruleSet, [row], asOf);
    }
    await storeModelScores(manager, scored.scores, cause, asOf, { stored: scored.stored, prepared: true });
  }

  /** Scores the leads in `model` (those no rule set of it scores are left out) into `scored`. */
  private async scoreChunk(
    manager: EntityManager,
    model: string,
    segments: ReadonlyMap<string, string | null>,
    asOf: Date,
    scored: Scored,
  ): Promise<void> {
    const groups = new Map<ActiveRuleSet, string[]>();
    const bySegment = new Map<string | null, ActiveRuleSet | null>();
    for (const [id, segment] of segments) {
      let ruleSet = bySegment.get(segment);
      if (ruleSet === undefined) {
        ruleSet = await this.ruleSets.findForSegment(manager, segment, model);
        bySegment.set(segment, ruleSet);
      }
      if (!ruleSet) continue;
      const group = groups.get(ruleSet);
      if (group) group.push(id);
      else groups.set(ruleSet, [id]);
    }
    for (const [ruleSet, ids] of groups)
      await addScores(scored, model, ruleSet, await readScoringRows(manager, model, ruleSet, ids, asOf), asOf);
  }
}

/** Scores computed for one write: the new scores, and the stored ones read with their facts. */
interface Scored {
  scores: ModelScoreRow[];
  stored: Map<string, StoredModelScore>;
}

const emptyScored = (): Scored => ({ scores: [], stored: new Map() });

/** Each lead's segment, for the leads that exist. */
async function segmentsOf(manager: EntityManager, leadIds: readonly string[]): Promise<Map<string, string | null>> {
  const rows: Array<{ id: string; segment: string | null }> = await manager.query(
    'SELECT id::text AS id, segment FROM lead WHERE id = ANY($1::bigint[])',
    [leadIds],
  );
  return new Map(rows.map((row) => [row.id, row.segment]));
}

/**
 * The rule set's facts query with each lead's stored score in `model` beside its facts
 * (STORED_SCORE_COLUMNS): one statement instead of two. One lead's is prepared (its shape is fixed).
 */
async function readScoringRows(
  manager: EntityManager,
  model: string,
  ruleSet: ActiveRuleSet,
  leadIds: readonly string[],
  asOf: Date,
): Promise<FactsRow[]> {
  const params = ruleSet.factsQuery.params(asOf, leadIds);
  const sql = `SELECT f.*, ${STORED_SCORE_COLUMNS}
    FROM (${ruleSet.factsQuery.sql}) f
    LEFT JOIN model_score ms ON ms.model = $${params.length + 1}::text AND ms.subject_id = f.lead_id::bigint`;
  params.push(model);
  return leadIds.length === 1 ? queryPrepared<FactsRow>(manager, sql, params) : manager.query(sql, params);
}

/** Adds the scores of these rows (readScoringRows) by one rule set of a lead model, and their stored scores. */
async function addScores(scored: Scored, model: string, ruleSet: ActiveRuleSet, rows: readonly FactsRow[], asOf: Date): Promise<void> {
  for (const score of await scoresOf(model, ruleSet, rows, asOf)) scored.scores.push(score);
  for (const row of rows) {
    const stored = storedScoreOf(row.lead_id, row);
    if (stored) scored.stored.set(modelScoreKey(model, row.lead_id), stored);
  }
}

/** The scores of facts rows by one rule set of a lead model. */
async function scoresOf(model: string, ruleSet: ActiveRuleSet, rows: readonly FactsRow[], asOf: Date): Promise<ModelScoreRow[]> {
  const shaper = factsShaper(ruleSet.definition);
  const scores: ModelScoreRow[] = [];
  for (const row of rows) {
    const evaluated = ruleSet.evaluator.evaluate(shaper.shape(row, shaper.activityValues(row), asOf));
    const fired = Array.isArray(evaluated) ? evaluated : await evaluated;
    const lastActivityAt = row.last_activity_at ? new Date(row.last_activity_at) : null;
    // Decay counts whole days without activity: since the last activity, or since creation when there is none.
    const outcome = computeScore(ruleSet.definition, fired, wholeDaysBetween(lastActivityAt ?? new Date(row.created_at), asOf));
    scores.push({
      model,
      subjectId: row.lead_id,
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
      reasons: outcome.reasons.map(({ rule, dimension, points, label }) => ({ rule, dimension, points, label })),
      lastActivityAt,
    });
  }
  return scores;
}
