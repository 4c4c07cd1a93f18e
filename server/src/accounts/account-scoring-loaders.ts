import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { arrayLiteral } from '../engine/array-literal';
import { MODEL_SCORE_COLUMNS, modelScoreOf, type StoredModelScore } from '../scoring/models/model-score-store';

declare module '../graphql/context' {
  interface RequestLoaders {
    /** Each account's scores in every account model (a page of accounts shares one statement). */
    accountModelScores: DataLoader<string, StoredModelScore[]>;
  }
}

/** A request's account score loaders. The default account model's score comes first, then the others by key. */
export function accountScoringLoaders(dataSource: DataSource, defaultModel: string) {
  return {
    accountModelScores: new DataLoader<string, StoredModelScore[]>(async (accountIds) => {
      const rows: StoredModelScore[] = await dataSource.query(
        `SELECT ${MODEL_SCORE_COLUMNS} FROM model_score
          WHERE model IN (SELECT key FROM score_model WHERE subject = 'account') AND subject_id = ANY($1::bigint[])
          ORDER BY model = $2 DESC, model`,
        [arrayLiteral(accountIds), defaultModel],
      );
      const byAccount = new Map<string, StoredModelScore[]>();
      for (const row of rows) {
        const list = byAccount.get(row.subjectId);
        if (list) list.push(modelScoreOf(row));
        else byAccount.set(row.subjectId, [modelScoreOf(row)]);
      }
      return accountIds.map((id) => byAccount.get(id) ?? []);
    }),
  };
}
