import { RuleSetQuery } from '@/features/rule-sets/operations';
import type { RunBacktestInput } from '@/gql/graphql';
import { request } from '@/lib/graphql-client';
import { cohortInput, readSettings, writeSettings, type BacktestSettings } from './cohort-settings';
import { RunBacktestMutation } from './operations';

/**
 * Backtests a version (or an unsaved definition) on the cohort of the last backtest run from this
 * browser, compared with the active version: the editor's one-click rerun.
 */
export async function runBacktest(target: {
  ruleSetKey: string;
  versionId?: string;
  definition?: Record<string, unknown>;
  compareToVersionId?: string | null;
  settings?: BacktestSettings;
}): Promise<string> {
  const settings = target.settings ?? readSettings();
  let compareTo = target.compareToVersionId;
  if (compareTo === undefined) {
    const { ruleSet } = await request(RuleSetQuery, { key: target.ruleSetKey });
    compareTo = ruleSet.activeVersionId;
  }
  const input: RunBacktestInput = {
    ...cohortInput(settings),
    ...(target.definition ? { definition: target.definition } : { versionId: target.versionId }),
    ...(compareTo && compareTo !== target.versionId ? { compareToVersionId: compareTo } : {}),
  };
  const { runBacktest: run } = await request(RunBacktestMutation, { input });
  writeSettings(settings);
  return run.id;
}
