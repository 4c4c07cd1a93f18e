import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { DimensionEnum } from '../../rulesets/ruleset.types';
import { MODEL_SCORE_COLUMNS, type ModelReason, modelScoreOf, type StoredModelScore } from './model-score-store';
import type { ModelScore } from './model-score.types';

declare module '../../graphql/context' {
  interface RequestLoaders {
    /** Each lead's scores in the lead models other than the default, by model key. */
    leadModelScores: DataLoader<string, StoredModelScore[]>;
  }
}

/** A request's model score loaders: the leads of a page share one statement. */
export function modelScoreLoaders(dataSource: DataSource) {
  return {
    leadModelScores: new DataLoader<string, StoredModelScore[]>(async (leadIds) => {
      const rows: StoredModelScore[] = await dataSource.query(
        `SELECT ${MODEL_SCORE_COLUMNS} FROM model_score
          WHERE model IN (SELECT key FROM score_model WHERE subject = 'lead') AND subject_id = ANY($1::bigint[])
          ORDER BY model`,
        [leadIds],
      );
      const byLead = new Map<string, StoredModelScore[]>();
      for (const row of rows) {
        const list = byLead.get(row.subjectId);
        if (list) list.push(modelScoreOf(row));
        else byLead.set(row.subjectId, [modelScoreOf(row)]);
      }
      return leadIds.map((id) => byLead.get(id) ?? []);
    }),
  };
}

/**
 * What a score in any model carries, whichever table it was read from: model_score
 * (StoredModelScore) or, given `model: 'default'`, the default lead model's lead_score (StoredScore).
 */
export interface ModelScoreSource {
  model: string;
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
  reasons: ReadonlyArray<Omit<ModelReason, 'contacts'> & { contacts?: ModelReason['contacts'] }>;
  scoredAt: Date;
  lastActivityAt: Date | null;
}

/** A score of any model as GraphQL shows it (reasons without contacts, as lead models' are, get an empty list). */
export function toModelScore(score: ModelScoreSource): ModelScore {
  return {
    model: score.model,
    ruleSetKey: score.ruleSetKey,
    ruleSetVersion: score.ruleSetVersion,
    fit: score.fit,
    engagement: score.engagement,
    total: score.total,
    fitGrade: score.fitGrade,
    engagementLevel: score.engagementLevel,
    cell: score.cell,
    band: score.band,
    qualified: score.qualified,
    action: score.action,
    actionLabel: score.actionLabel,
    reasons: score.reasons.map(({ rule, dimension, points, label, contacts }) => ({
      rule,
      dimension: dimension as DimensionEnum,
      points,
      label,
      contacts: contacts ?? [],
    })),
    scoredAt: score.scoredAt,
    lastActivityAt: score.lastActivityAt,
  };
}
