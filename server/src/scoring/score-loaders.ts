import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { Page } from '../common/pagination';
import { pageLoaders } from '../graphql/context';
import { type HistoryPageArgs, historyOfLeads } from './lead-history';
import type { ScoreReader } from './score-reader';
import type { ScoreChangeRow, StoredScore } from './stored-score';

declare module '../graphql/context' {
  interface RequestLoaders {
    score: DataLoader<string, StoredScore | null>;
    /** A page of each lead's score history: the leads of a page asking for the same page share its statement. */
    scoreHistory: (args: HistoryPageArgs) => DataLoader<string, Page<ScoreChangeRow>>;
  }
}

/** A request's score loaders. */
export function scoreLoaders(dataSource: DataSource, reader: ScoreReader) {
  return {
    score: new DataLoader<string, StoredScore | null>(async (leadIds) => {
      const scores = await reader.currentScores(dataSource.manager, leadIds);
      return leadIds.map((id) => scores.get(id) ?? null);
    }),
    scoreHistory: pageLoaders((leadIds, args: HistoryPageArgs) => historyOfLeads(dataSource.manager, leadIds, args)),
  };
}
