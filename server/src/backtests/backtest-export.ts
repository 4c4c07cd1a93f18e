import { activityTypeNamesByCode } from '../activities/activity-catalog.service';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Papa from 'papaparse';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { ConflictError, UnauthenticatedError } from '../common/errors';
import { registry } from '../observability/metrics';
import type { RuleSetWorkflowService } from '../rulesets/ruleset-workflow.service';
import { CELLS, type RuleSetDefinition } from '../engine/ruleset-definition';
import { BacktestErrorCode } from './backtest.errors';
import type { BacktestService } from './backtest.service';
import type { OpenLeads } from './backtest-rows';
import { SnapshotBuilder, type SnapshotRow } from './cohort-snapshot';
import { defaultEvaluatorFactory, scoreCohort, type EvaluatorFactory } from './cohort-scoring';
import { conversionProbability, latestCalibrations, type VersionCalibration } from './conversion-probability';
import { hashOf } from './fitting';

const exportsTotal = new Counter({
  name: 'backtest_exports_total',
  help: 'Backtest CSV exports by outcome (completed, aborted, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const exportRows = new Counter({
  name: 'backtest_export_rows_total',
  help: 'Lead rows written by backtest CSV exports',
  registers: [registry],
});

/** Text a spreadsheet would run as a formula (papaparse's own pattern misses values with a line break). */
const FORMULA_START = /^[=+\-@\t\r]/;

export const EXPORT_COLUMNS = [
  'lead_id',
  'external_id',
  'score',
  'fit',
  'engagement',
  'cell',
  'band',
  'qualified',
  'conversion_probability',
  'outcome',
] as const;

export interface BacktestExportOptions {
  /** Signs export links; random per process when absent (links then work only on the process that made them). */
  secret?: string;
  /** Leads read, scored and written per chunk. */
  chunkLeads?: number;
  /** How long an export link works. */
  linkTtlMs?: number;
  evaluatorFactory?: EvaluatorFactory;
}

interface SplitOption {
  kind: 'hash' | 'time';
  holdoutShare: number;
}

/** What an export needs, checked before the first byte is sent. */
export interface ExportPlan {
  runId: string;
  cohortId: string;
  leadCount: number;
  definition: RuleSetDefinition;
  version: { ruleSetKey: string; version: number } | null;
  calibration: VersionCalibration | null;
  openLeads: OpenLeads;
  split: SplitOption | null;
  /** Time split: measured leads at or after this (created ms, lead id) are held out. */
  timeCut: { createdMs: number; leadId: bigint } | null;
  columns: string[];
  filename: string;
}

type ExportRow = SnapshotRow & { outcome: string };

/**
 * Per-lead results of a completed backtest as CSV, streamed: the cohort snapshot is read from
 * backtest_cohort_lead in lead id order, `chunkLeads` at a time, each chunk scored under the run's
 * definition by the same code as the backtest (scoreCohort, compiled evaluator) and written as CSV
 * before the next is read, so memory stays bounded whatever the cohort size and the event loop
 * gets a turn between chunks. Text cells that a spreadsheet would run as a formula are prefixed with '.
 */
export class BacktestExportService {
  private readonly secret: Buffer;
  private readonly chunkLeads: number;
  private readonly linkTtlMs: number;
  private readonly evaluatorFactory: EvaluatorFactory;

  constructor(
    private readonly dataSource: DataSource,
    private readonly backtests: BacktestService,
    private readonly workflow: RuleSetWorkflowService,
    options: BacktestExportOptions = {},
  ) {
    this.secret = options.secret ? Buffer.from(options.secret) : randomBytes(32);
    this.chunkLeads = options.chunkLeads ?? 2_000;
    this.linkTtlMs = options.linkTtlMs ?? 15 * 60_000;
    this.evaluatorFactory = options.evaluatorFactory ?? defaultEvaluatorFactory;
  }

  // ---- links ----

  /** A link to the run's CSV that works without credentials for a while (for a browser download). */
  exportLink(runId: string, actor: string, now = Date.now()): { path: string; expiresAt: Date } {
    const expires = Math.floor((now + this.linkTtlMs) / 1000);
    const payload = Buffer.from(JSON.stringify({ r: runId, e: expires, a: actor })).toString('base64url');
    const token = `${payload}.${this.sign(payload)}`;
    return { path: `/backtests/${encodeURIComponent(runId)}/leads.csv?token=${token}`, expiresAt: new Date(expires * 1000) };
  }

  /** Who the link was made for, when `token` is a valid, unexpired link to this run; throws otherwise. */
  verifyLink(runId: string, token: string, now = Date.now()): { actor: string } {
    const [payload, signature] = token.split('.');
    const expected = payload ? Buffer.from(this.sign(payload)) : Buffer.alloc(0);
    const given = Buffer.from(signature ?? '');
    let claims: { r?: unknown; e?: unknown; a?: unknown } = {};
    if (given.length === expected.length && given.length > 0 && timingSafeEqual(given, expected)) {
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        claims = {};
      }
    }
    if (claims.r !== runId || typeof claims.e !== 'number' || typeof claims.a !== 'string') {
      throw new UnauthenticatedError(
        BacktestErrorCode.ExportLinkInvalid,
        'This export link is not valid for this backtest; ask for a new one (BacktestRun.exportUrl)',
      );
    }
    if (claims.e * 1000 < now)
      throw new UnauthenticatedError(
        BacktestErrorCode.ExportLinkInvalid,
        'This export link has expired; ask for a new one (BacktestRun.exportUrl)',
      );
    return { actor: claims.a };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  // ---- export ----

  /** Checks the run can be exported (it exists, completed, its version unchanged) and gathers what the rows need. */
  async plan(runId: string): Promise<ExportPlan> {
    const run = await this.backtests.getRun(runId);
    if (run.status !== 'completed' || !run.cohortId) {
      throw new ConflictError(
        BacktestErrorCode.RunNotCompleted,
        `Backtest ${runId} is ${run.status}; its leads can be exported once it has completed`,
      );
    }
    if (run.subject === 'account')
      throw new ConflictError(
        BacktestErrorCode.RunNotExportable,
        `Backtest ${runId} scored accounts; the per-lead export is for lead runs (read its metrics and accounts through backtestRun)`,
      );
    const [stored]: Array<{ definition: RuleSetDefinition | null; options: { openLeads?: OpenLeads; split?: SplitOption } }> =
      await this.dataSource.query('SELECT definition, options FROM backtest_run WHERE id = $1::bigint', [runId]);
    let definition: RuleSetDefinition;
    let calibration: VersionCalibration | null = null;
    if (run.versionId) {
      const version = await this.workflow.getVersion(run.versionId);
      if (version.checksum !== run.definitionChecksum) {
        throw new ConflictError(
          BacktestErrorCode.VersionChanged,
          `Version ${version.version} of ${run.ruleSetKey} was edited after backtest ${runId}; backtest it again to export its leads`,
        );
      }
      definition = version.definition;
      calibration = (await latestCalibrations(this.dataSource, [run.versionId])).get(run.versionId) ?? null;
    } else definition = stored.definition!;
    const cohort = await this.backtests.getCohort(run.cohortId);
    const openLeads = stored.options.openLeads ?? 'not_converted';
    const split = stored.options.split ?? null;
    return {
      runId,
      cohortId: run.cohortId,
      leadCount: cohort.leadCount,
      definition,
      version: run.version !== null ? { ruleSetKey: run.ruleSetKey, version: run.version } : null,
      calibration,
      openLeads,
      split,
      timeCut: split?.kind === 'time' ? await this.timeCut(run.cohortId, openLeads, split.holdoutShare) : null,
      columns: [...EXPORT_COLUMNS, ...(split ? ['split'] : [])],
      filename: `backtest-${runId}-leads.csv`,
    };
  }

  /**
   * The time split as the backtest made it (fitting.ts splitLeads): the newest `holdoutShare` of the
   * measured leads by creation time, ties by lead id, are held out. The first held-out lead is the cut.
   */
  private async timeCut(cohortId: string, openLeads: OpenLeads, holdoutShare: number): Promise<ExportPlan['timeCut']> {
    const measured = openLeads === 'excluded' ? 'AND decided' : '';
    const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM backtest_cohort_lead WHERE cohort_id = $1::bigint ${measured}`,
      [cohortId],
    );
    const from = count - Math.round(holdoutShare * count);
    if (from >= count) return null;
    const [cut]: Array<{ createdMs: number; leadId: string }> = await this.dataSource.query(
      `SELECT floor(extract(epoch FROM created_at) * 1000)::float8 AS "createdMs", lead_id::text AS "leadId" FROM backtest_cohort_lead
        WHERE cohort_id = $1::bigint ${measured} ORDER BY floor(extract(epoch FROM created_at) * 1000), lead_id OFFSET $2 LIMIT 1`,
      [cohortId, from],
    );
    return { createdMs: Number(cut.createdMs), leadId: BigInt(cut.leadId) };
  }

  /**
   * The CSV, header row first, then one chunk of rows at a time. Stops (and counts the export as
   * aborted) when `signal` aborts: the consumer stopping to pull also stops it (stream backpressure).
   */
  async *csv(plan: ExportPlan, signal?: AbortSignal): AsyncGenerator<string> {
    const evaluator = this.evaluatorFactory(plan.definition);
    const sameEvaluator: EvaluatorFactory = () => evaluator;
    const [propertyRows]: [Array<{ id: number; properties: Record<string, unknown> }>] = [
      await this.dataSource.query('SELECT id, properties FROM backtest_cohort_property WHERE cohort_id = $1::bigint ORDER BY id', [
        plan.cohortId,
      ]),
    ];
    const properties: Array<Record<string, unknown>> = [{}];
    for (const row of propertyRows) properties[row.id] = row.properties;
    const activityTypeNames = await activityTypeNamesByCode(this.dataSource);
    const probabilities = new Map<number, number | null>();
    const probabilityOf = (score: number): number | null => {
      if (!plan.version || !plan.calibration?.steps) return null;
      let p = probabilities.get(score);
      if (p === undefined) {
        p = conversionProbability(score, plan.version, plan.calibration).value;
        probabilities.set(score, p);
      }
      return p;
    };
    let outcome: 'completed' | 'aborted' | 'failed' = 'aborted';
    let after = '0';
    try {
      yield `${Papa.unparse([plan.columns], { newline: '\r\n' })}\r\n`;
      for (;;) {
        if (signal?.aborted) return;
        const rows: ExportRow[] = await this.dataSource.query(
          // l.lead_id in ORDER BY: the bare name would be the text column of the output.
          `SELECT l.lead_id::text AS lead_id, external_id, email, segment, source, attributes, outcome,
                  floor(extract(epoch FROM created_at) * 1000)::float8 AS created_ms, floor(extract(epoch FROM cutoff_at) * 1000)::float8 AS cutoff_ms,
                  converted, decided, deal_value::float8 AS deal_value, array_to_string(activity_types, ',') AS activity_types,
                  array_to_string(activity_age_ms, ',') AS activity_age_ms, array_to_string(activity_properties, ',') AS activity_properties
             FROM backtest_cohort_lead l WHERE l.cohort_id = $1::bigint AND l.lead_id > $2::bigint ORDER BY l.lead_id LIMIT $3`,
          [plan.cohortId, after, this.chunkLeads],
        );
        if (signal?.aborted) return;
        if (!rows.length) break;
        const builder = new SnapshotBuilder(rows.length);
        for (const row of rows) builder.add(row);
        const snapshot = builder.build({ cohortId: plan.cohortId, checksum: '', properties, activityTypeNames });
        const scores = await scoreCohort(plan.definition, snapshot, sameEvaluator);
        const data = rows.map((row, i) => {
          const cells: unknown[] = [
            row.lead_id,
            row.external_id,
            scores.total[i],
            scores.fit[i],
            scores.engagement[i],
            CELLS[scores.cell[i]],
            plan.definition.bands[scores.band[i]].name,
            scores.qualified[i] === 1,
            probabilityOf(scores.total[i]) ?? '',
            row.outcome,
          ];
          if (plan.split) cells.push(this.splitOf(plan, row, snapshot.createdAt[i]));
          return cells;
        });
        yield `${Papa.unparse(data, { newline: '\r\n', escapeFormulae: FORMULA_START })}\r\n`;
        exportRows.inc(rows.length);
        after = rows[rows.length - 1].lead_id;
        if (rows.length < this.chunkLeads) break;
        await nextTurn();
      }
      outcome = 'completed';
    } catch (error) {
      outcome = signal?.aborted ? 'aborted' : 'failed';
      if (outcome === 'failed') throw error;
    } finally {
      exportsTotal.inc({ outcome });
    }
  }

  private splitOf(plan: ExportPlan, row: ExportRow, createdMs: number): string {
    if (plan.openLeads === 'excluded' && !row.decided) return '';
    if (plan.split!.kind === 'hash') return hashOf(row.lead_id) < plan.split!.holdoutShare * 2 ** 32 ? 'holdout' : 'training';
    const cut = plan.timeCut;
    if (!cut) return 'training';
    const held = createdMs > cut.createdMs || (createdMs === cut.createdMs && BigInt(row.lead_id) >= cut.leadId);
    return held ? 'holdout' : 'training';
  }
}
