import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../../db/prepared';
import { type FactsRow, factsShaper, wholeDaysBetween } from '../../engine/facts';
import { computeScore } from '../../engine/grading';
import type { ActiveRuleSet, RuleSetService } from '../../rulesets/ruleset.service';
import type { ScoreCause } from '../score-history.entity';
import { lockLeads } from '../score-store';
import { type ModelScoreRow, storeModelScores } from './model-score-store';
import type { ScoreFollower } from './score-follower';
import type { SubjectScorer } from './subject-scorer';

const CHUNK_SIZE = 5000;

/**
 * Scores leads in every lead model other than the default (whose scores score-computation.ts and
 * score-store.ts keep in lead_score): as a follower, the leads the default model has just scored, in
 * every such model with an active rule set; as the lead SubjectScorer, one model's leads for its
 * re-score jobs. Set-based per chunk: each rule set's facts query (engine/facts.ts), its compiled
 * evaluator and engine grading, as score-computation.ts does, then storeModelScores.
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
    for (let start = 0; start < leadIds.length; start += CHUNK_SIZE) {
      const segments = await segmentsOf(manager, leadIds.slice(start, start + CHUNK_SIZE));
      for (const model of models) await this.score(manager, model, segments, cause, asOf);
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
  ): Promise<{ changed: number }> {
    let changed = 0;
    for (let start = 0; start < ids.length; start += CHUNK_SIZE) {
      const chunk = ids.slice(start, start + CHUNK_SIZE);
      await lockLeads(manager, chunk);
      changed += await this.score(manager, model, await segmentsOf(manager, chunk), cause, asOf);
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

  /** Scores the leads in `model` (those no rule set of it scores are left out) and stores them; returns how many changed. */
  private async score(
    manager: EntityManager,
    model: string,
    segments: ReadonlyMap<string, string | null>,
    cause: ScoreCause,
    asOf: Date,
  ): Promise<number> {
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
    const scores: ModelScoreRow[] = [];
    for (const [ruleSet, ids] of groups) scores.push(...(await scoreWith(manager, model, ruleSet, ids, asOf)));
    return (await storeModelScores(manager, scores, cause, asOf)).length;
  }
}

/** Each lead's segment, for the leads that exist. */
async function segmentsOf(manager: EntityManager, leadIds: readonly string[]): Promise<Map<string, string | null>> {
  const rows: Array<{ id: string; segment: string | null }> = await manager.query(
    'SELECT id::text AS id, segment FROM lead WHERE id = ANY($1::bigint[])',
    [leadIds],
  );
  return new Map(rows.map((row) => [row.id, row.segment]));
}

/** The scores of these leads by one rule set of a lead model, with their reasons. */
export async function scoreWith(
  manager: EntityManager,
  model: string,
  ruleSet: ActiveRuleSet,
  leadIds: readonly string[],
  asOf: Date,
): Promise<ModelScoreRow[]> {
  const { sql } = ruleSet.factsQuery;
  const params = ruleSet.factsQuery.params(asOf, leadIds);
  const rows: FactsRow[] = leadIds.length === 1 ? await queryPrepared<FactsRow>(manager, sql, params) : await manager.query(sql, params);
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
