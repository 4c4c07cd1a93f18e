import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { BacktestErrorCode } from './backtest.errors';
import { type BacktestResults, clampFirst, isId, type OpenLeads, type RunRow } from './backtest-rows';
import type { CohortSpec } from './cohort-spec';
import { saveCalibration } from './conversion-probability';
import type { SplitOptions } from './suggestions';

const RUN_COLUMNS = `r.id::text AS id, r.status, r.subject, r.cohort_id::text AS "cohortId", r.cohort_spec AS "cohortSpec", r.cohort_checksum AS "cohortChecksum",
  r.rule_set_key AS "ruleSetKey", r.version_id::text AS "versionId", v.version, r.definition_checksum AS "definitionChecksum",
  r.compare_version_id::text AS "compareToVersionId", cv.version AS "compareToVersion", r.compare_checksum AS "compareChecksum",
  coalesce(r.options ->> 'openLeads', 'not_converted') AS "openLeads", r.error, r.created_by AS "createdBy", r.created_at AS "createdAt",
  r.started_at AS "startedAt", r.finished_at AS "finishedAt", r.duration_ms AS "durationMs"`;
const RUN_FROM = `backtest_run r LEFT JOIN rule_set_version v ON v.id = r.version_id LEFT JOIN rule_set_version cv ON cv.id = r.compare_version_id`;

/** A run as recorded when it is asked for, before it executes. */
export interface NewRun {
  cohortId: string | null;
  cohortSpec: CohortSpec;
  cohortChecksum: string;
  ruleSetKey: string;
  versionId: string | null;
  /** Stored only for an unsaved definition; a version's is read when the run executes. */
  definition: RuleSetDefinition | null;
  definitionChecksum: string;
  compareToVersionId: string | null;
  compareChecksum: string | null;
  options: { openLeads: OpenLeads; split: SplitOptions };
  createdBy: string;
  subject: 'lead' | 'account';
}

/** What executing a run reads back from its row. */
export interface RunToExecute {
  subject: 'lead' | 'account';
  cohortId: string | null;
  cohortSpec: CohortSpec;
  versionId: string | null;
  definition: RuleSetDefinition | null;
  definitionChecksum: string;
  compareVersionId: string | null;
  compareChecksum: string | null;
  options: { openLeads?: OpenLeads; split?: SplitOptions };
  createdBy: string;
}

/** backtest_run rows: recorded, claimed, completed or failed, and read. */
export class BacktestRunStore {
  constructor(private readonly dataSource: DataSource) {}

  async insert(run: NewRun): Promise<string> {
    const [row]: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO backtest_run (cohort_id, cohort_spec, cohort_checksum, rule_set_key, version_id, definition, definition_checksum,
                                 compare_version_id, compare_checksum, options, status, created_by, subject)
       VALUES ($1::bigint, $2::jsonb, $3, $4, $5::bigint, $6::json, $7, $8::bigint, $9, $10::jsonb, 'queued', $11, $12) RETURNING id::text AS id`,
      [
        run.cohortId,
        JSON.stringify(run.cohortSpec),
        run.cohortChecksum,
        run.ruleSetKey,
        run.versionId,
        run.definition ? JSON.stringify(run.definition) : null,
        run.definitionChecksum,
        run.compareToVersionId,
        run.compareChecksum,
        JSON.stringify(run.options),
        run.createdBy,
        run.subject,
      ],
    );
    return row.id;
  }

  /** Marks a queued run (or one left running by a crash) running; false when it has finished. */
  async claim(runId: string): Promise<boolean> {
    const claimed: Array<{ id: string }> = await this.dataSource.query(
      `UPDATE backtest_run SET status = 'running', started_at = coalesce(started_at, now())
        WHERE id = $1::bigint AND status IN ('queued', 'running') RETURNING id::text AS id`,
      [runId],
    );
    return claimed.length > 0;
  }

  async toExecute(runId: string): Promise<RunToExecute> {
    const [run]: RunToExecute[] = await this.dataSource.query(
      `SELECT subject, cohort_id::text AS "cohortId", cohort_spec AS "cohortSpec", version_id::text AS "versionId", definition,
              definition_checksum AS "definitionChecksum", compare_version_id::text AS "compareVersionId", compare_checksum AS "compareChecksum",
              options, created_by AS "createdBy"
         FROM backtest_run WHERE id = $1::bigint`,
      [runId],
    );
    return run;
  }

  async setCohort(runId: string, cohortId: string): Promise<void> {
    await this.dataSource.query('UPDATE backtest_run SET cohort_id = $2::bigint WHERE id = $1::bigint', [runId, cohortId]);
  }

  /** The results and, for a saved version, its calibration, in one transaction. */
  async complete(runId: string, results: BacktestResults, durationMs: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE backtest_run SET status = 'completed', results = $2::jsonb, error = NULL, finished_at = now(), duration_ms = $3 WHERE id = $1::bigint`,
        [runId, JSON.stringify(results), durationMs],
      );
      if (results.calibration) await saveCalibration(manager, runId, results.calibration);
    });
  }

  async fail(runId: string, message: string, durationMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE backtest_run SET status = 'failed', error = $2, finished_at = now(), duration_ms = $3 WHERE id = $1::bigint`,
      [runId, message.slice(0, 1000), durationMs],
    );
  }

  async get(id: string, path = 'id'): Promise<RunRow> {
    const rows: RunRow[] = isId(id)
      ? await this.dataSource.query(`SELECT ${RUN_COLUMNS}, r.results FROM ${RUN_FROM} WHERE r.id = $1::bigint`, [id])
      : [];
    if (!rows[0])
      throw new NotFoundError(BacktestErrorCode.RunNotFound, `No backtest run with id "${id}"`, [{ path, message: 'no such run' }]);
    return rows[0];
  }

  /** Recent runs, newest first; results are read when asked for (backtestRun or the results field). */
  async list(ruleSetKey: string | null, first?: number | null): Promise<RunRow[]> {
    return this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM ${RUN_FROM} WHERE ($1::text IS NULL OR r.rule_set_key = $1) ORDER BY r.id DESC LIMIT $2`,
      [ruleSetKey, clampFirst(first)],
    );
  }

  async resultsOf(runId: string): Promise<BacktestResults | null> {
    const rows: Array<{ results: BacktestResults | null }> = await this.dataSource.query(
      'SELECT results FROM backtest_run WHERE id = $1::bigint',
      [runId],
    );
    return rows[0]?.results ?? null;
  }

  /**
   * Runs to dispatch again when workers start: queued ones (their job may be lost), and running ones
   * older than any job may run (a crashed process's; pg-boss retries its own jobs sooner).
   */
  async unfinishedIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text AS id FROM backtest_run
        WHERE status = 'queued' OR (status = 'running' AND started_at < now() - interval '2 hours') ORDER BY backtest_run.id`,
    );
    return rows.map((row) => row.id);
  }
}
