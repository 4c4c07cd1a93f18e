import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { MODEL_SCORE_COLUMNS, modelScoreOf, type StoredModelScore } from './model-score-store';
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

/** A stored model score as GraphQL shows it (reasons without contacts get an empty list). */
export function toModelScore(score: StoredModelScore): ModelScore {
  return {
    ...score,
    reasons: score.reasons.map((reason) => ({ ...reason, contacts: reason.contacts ?? [] })) as ModelScore['reasons'],
  };
}
