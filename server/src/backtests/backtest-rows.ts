import { InvalidInputError } from '../common/errors';
import { BacktestErrorCode } from './backtest.errors';
import type { CohortSpec, CohortSpecInput } from './cohort-spec';
import type { CalibrationRecord } from './conversion-probability';
import type { BacktestMetrics } from './metrics';
import type { Comparison } from './metrics-comparison';
import type { SplitOptions, Suggestions } from './suggestions';

export type OpenLeads = 'not_converted' | 'excluded';
export type BacktestStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface CohortRow {
  id: string;
  checksum: string;
  /** 0 for a spec's first preparation, then 1, 2... each time it is prepared again with newer outcomes. */
  generation: number;
  spec: CohortSpec;
  /** 'account': the accounts of the leads the spec selects (an account model's cohort). */
  subject: 'lead' | 'account';
  /** Accounts in an account cohort (leadCount counts their contacts); null for a lead cohort. */
  accountCount: number | null;
  description: string;
  leadCount: number;
  convertedCount: number;
  decidedCount: number;
  activityCount: number;
  propertyCount: number;
  createdBy: string;
  preparedAt: Date;
  prepareMs: number;
  /** Held in this process's memory, so a run starts at once. */
  cached: boolean;
}

export interface BacktestResults {
  metrics: BacktestMetrics;
  comparison: Comparison | null;
  /** Points fitted on the training part, candidate rules, and the holdout comparison (absent in runs stored before holdouts). */
  suggestions?: Suggestions;
  /** Whether the compiled evaluator scored the cohort (false: json-rules-engine, slower). */
  compiled: boolean;
  /** Where the time went, in milliseconds. */
  timings: { loadCohort: number; score: number; metrics: number; fit?: number };
  /** Conversion probability by score for a saved version (conversion-probability.ts); absent for unsaved definitions. */
  calibration?: CalibrationRecord;
}

export interface RunRow {
  id: string;
  status: BacktestStatus;
  /** Who the run scored: leads, or accounts (an account model's version, on an account cohort). */
  subject: 'lead' | 'account';
  cohortId: string | null;
  cohortSpec: CohortSpec;
  cohortChecksum: string;
  ruleSetKey: string;
  versionId: string | null;
  version: number | null;
  definitionChecksum: string;
  compareToVersionId: string | null;
  compareToVersion: number | null;
  compareChecksum: string | null;
  openLeads: OpenLeads;
  error: string | null;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** Undefined when not read (lists); null until completed. */
  results?: BacktestResults | null;
}

export interface RunBacktestInput {
  cohort?: CohortSpecInput | null;
  cohortId?: string | null;
  versionId?: string | null;
  definition?: unknown;
  compareToVersionId?: string | null;
  openLeads?: OpenLeads | null;
  /** How the cohort is split to fit suggestions (training) and judge them (holdout); hash 70/30 by default. */
  split?: { kind?: SplitOptions['kind'] | null; holdoutShare?: number | null } | null;
}

/** Sends a run to the job queue ('backtest'); a worker then calls executeRun. */
export interface BacktestDispatcher {
  dispatch(runId: string): Promise<void>;
}

export const isId = (value: string) => /^\d{1,18}$/.test(value);

/** A list's `first` argument: 20 by default, 1 to 100. */
export function clampFirst(first: number | null | undefined): number {
  if (first === null || first === undefined) return 20;
  if (!Number.isInteger(first) || first < 1 || first > 100)
    throw InvalidInputError.field(BacktestErrorCode.InvalidBacktest, 'first', 'must be from 1 to 100');
  return first;
}
