import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { checksumOf } from '../engine/canonical-json';
import { InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import type { AttributeSpec } from '../leads/attribute-catalog';
import type { Actor } from '../auth/actor';
import type { RuleSetWorkflowService, VersionRow } from '../rulesets/ruleset-workflow.service';
import { ACTIVITY_TYPES, type RuleSetDefinition } from '../engine/ruleset-definition';
import { BacktestErrorCode } from './backtest.errors';
import { calibrationRecord, saveCalibration, type CalibrationRecord } from './conversion-probability';
import { concatSnapshots, SnapshotBuilder, type CohortSnapshot, type SnapshotRow } from './cohort-snapshot';
import { cohortChecksum, describeCohort, normaliseCohortSpec, type CohortSpec, type CohortSpecInput } from './cohort-spec';
import { defaultEvaluatorFactory, metricsInput, scoreCohort, selectLeads, type EvaluatorFactory } from './cohort-scoring';
import { cellMoves, compareMetrics, computeMetrics, type BacktestMetrics, type Comparison } from './metrics';
import { computeSuggestions, DEFAULT_SPLIT, type SplitOptions, type Suggestions } from './suggestions';

export type OpenLeads = 'not_converted' | 'excluded';
export type BacktestStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface CohortRow {
  id: string;
  checksum: string;
  /** 0 for a spec's first preparation, then 1, 2... each time it is prepared again with newer outcomes. */
  generation: number;
  spec: CohortSpec;
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

export interface BacktestConfig {
  /**
   * Cohorts up to this many leads run inside the request; bigger ones as a queued job. A run scores,
   * fits and searches candidate rules synchronously, so this bounds how long a request holds the event loop.
   */
  inlineLimit: number;
  /** Prepared cohorts kept in memory (least recently used dropped first)... */
  cacheCohorts: number;
  /** ...as long as they hold no more leads than this together. */
  cacheLeads: number;
  evaluatorFactory: EvaluatorFactory;
}

export const DEFAULT_BACKTEST_CONFIG: BacktestConfig = {
  inlineLimit: 20_000,
  cacheCohorts: 3,
  cacheLeads: 2_500_000,
  evaluatorFactory: defaultEvaluatorFactory,
};

const LOAD_BATCH = 20_000;
/** Values of a filtered field listed when a cohort filter matches no lead. */
const KNOWN_VALUES_LISTED = 10;
const isId = (value: string) => /^\d{1,18}$/.test(value);

const COHORT_COLUMNS = `c.id::text AS id, c.checksum, c.generation, c.spec, c.lead_count AS "leadCount", c.converted_count AS "convertedCount",
  c.decided_count AS "decidedCount", c.activity_count::float8 AS "activityCount", c.property_count AS "propertyCount",
  c.created_by AS "createdBy", c.prepared_at AS "preparedAt", c.prepare_ms AS "prepareMs"`;

const RUN_COLUMNS = `r.id::text AS id, r.status, r.cohort_id::text AS "cohortId", r.cohort_spec AS "cohortSpec", r.cohort_checksum AS "cohortChecksum",
  r.rule_set_key AS "ruleSetKey", r.version_id::text AS "versionId", v.version, r.definition_checksum AS "definitionChecksum",
  r.compare_version_id::text AS "compareToVersionId", cv.version AS "compareToVersion", r.compare_checksum AS "compareChecksum",
  coalesce(r.options ->> 'openLeads', 'not_converted') AS "openLeads", r.error, r.created_by AS "createdBy", r.created_at AS "createdAt",
  r.started_at AS "startedAt", r.finished_at AS "finishedAt", r.duration_ms AS "durationMs"`;
const RUN_FROM = `backtest_run r LEFT JOIN rule_set_version v ON v.id = r.version_id LEFT JOIN rule_set_version cv ON cv.id = r.compare_version_id`;

/**
 * Backtests: how a rule set version (or an unsaved definition) would have scored historical leads,
 * against what those leads then did.
 *
 * A cohort is prepared once per spec: its leads as of their cutoff, activities included, frozen
 * into backtest_cohort_lead with set-based SQL. That snapshot does not depend on any rule set, so
 * every version and every edit of a draft is scored from it in memory (snapshot-facts.ts, the
 * compiled evaluator) without touching the activity table again; recently used cohorts stay in
 * memory, columnar.
 */
export class BacktestService {
  private dispatcher: BacktestDispatcher | null = null;
  private readonly cache = new Map<string, Promise<CohortSnapshot>>();
  private readonly cachedLeads = new Map<string, number>();
  private readonly config: BacktestConfig;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workflow: RuleSetWorkflowService,
    private readonly attributeCatalog: () => Promise<Map<string, AttributeSpec>>,
    private readonly logger: Logger,
    config: Partial<BacktestConfig> = {},
  ) {
    this.config = { ...DEFAULT_BACKTEST_CONFIG, ...config };
  }

  setDispatcher(dispatcher: BacktestDispatcher): void {
    this.dispatcher = dispatcher;
  }

  // ---- cohorts ----

  /** Checks a cohort spec; problems are named under `path`. */
  async normalise(input: CohortSpecInput, path: string): Promise<{ spec: CohortSpec | null; problems: Problem[] }> {
    const catalog = await this.attributeCatalog();
    return normaliseCohortSpec(input, { path, knownAttributes: new Set(catalog.keys()) });
  }

  /** prepareBacktestCohort: with `refresh`, prepared anew even when a cohort of the spec exists. */
  async prepareCohortFromInput(actor: Actor, input: CohortSpecInput, path = 'input', refresh = false): Promise<CohortRow> {
    const { spec, problems } = await this.normalise(input, path);
    if (!spec) throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);
    if (!(await this.findCohortByChecksum(cohortChecksum(spec)))) await this.requireMatches(spec, path);
    return this.prepareCohort(spec, actor.name, refresh ? 'always' : 'never');
  }

  /**
   * Refuses a spec whose filters match no lead (a typo such as segment "x-educaton" would
   * otherwise "complete" with 0 leads): the first filter that matches nothing in the creation
   * range is named, with the values that do occur there (the most frequent first).
   */
  private async requireMatches(spec: CohortSpec, path: string): Promise<void> {
    if ((await this.countLeads(spec)) > 0) return;
    const range = [spec.createdFrom, spec.createdTo];
    const inRange = 'l.created_at >= $1::timestamptz AND l.created_at < $2::timestamptz';
    const known = async (expression: string, extra: unknown[] = []): Promise<string> => {
      const rows: Array<{ value: string; leads: number }> = await this.dataSource.query(
        `SELECT ${expression} AS value, count(*)::int AS leads FROM lead l WHERE ${inRange} AND ${expression} IS NOT NULL
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${KNOWN_VALUES_LISTED}`,
        [...range, ...extra],
      );
      return rows.length
        ? `known values there: ${rows.map((row) => `${JSON.stringify(row.value)} (${row.leads})`).join(', ')}`
        : 'no lead there has one';
    };
    const matches = async (condition: string, value: unknown): Promise<boolean> => {
      const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM lead l WHERE ${inRange} AND ${condition} LIMIT 1`, [
        ...range,
        value,
      ]);
      return rows.length > 0;
    };
    const period = `created ${spec.createdFrom} to ${spec.createdTo}`;
    const problems: Problem[] = [];
    for (const field of ['source', 'segment'] as const) {
      const value = spec[field];
      if (value !== null && !(await matches(`l.${field} = $3`, value))) {
        problems.push({
          path: `${path}.${field}`,
          message: `no lead ${period} has ${field} ${JSON.stringify(value)}; ${await known(`l.${field}`)}`,
        });
      }
    }
    for (const [index, { name, value }] of spec.attributes.entries()) {
      if (!(await matches('l.attributes @> $3::jsonb', JSON.stringify({ [name]: value })))) {
        problems.push({
          path: `${path}.attributes[${index}].value`,
          message: `no lead ${period} has ${name} = ${JSON.stringify(value)}; ${await known('l.attributes ->> $3', [name])}`,
        });
      }
    }
    if (!problems.length) {
      const filtered = spec.source !== null || spec.segment !== null || spec.attributes.length > 0;
      problems.push(
        filtered
          ? { path, message: `no lead ${period} matches all of these filters together (each matches some)` }
          : { path: `${path}.createdFrom`, message: `no lead was ${period}` },
      );
    }
    throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);
  }

  /**
   * How many of the cohort's leads have another outcome (or outcome date, or deal value) now than
   * when it was prepared: a backtest of its spec prepares it again when this is not 0.
   */
  async outcomesChangedSince(cohortId: string): Promise<number> {
    const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM backtest_cohort_lead c JOIN lead l ON l.id = c.lead_id
        WHERE c.cohort_id = $1::bigint AND (l.outcome <> c.outcome OR l.outcome_at IS DISTINCT FROM c.outcome_at OR l.deal_value IS DISTINCT FROM c.deal_value)`,
      [cohortId],
    );
    return count;
  }

  private async anyOutcomeChanged(cohortId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM backtest_cohort_lead c JOIN lead l ON l.id = c.lead_id
        WHERE c.cohort_id = $1::bigint AND (l.outcome <> c.outcome OR l.outcome_at IS DISTINCT FROM c.outcome_at OR l.deal_value IS DISTINCT FROM c.deal_value)
        LIMIT 1`,
      [cohortId],
    );
    return rows.length > 0;
  }

  /**
   * The cohort's snapshot, built once per spec and generation (a second call, or a concurrent one,
   * returns the cohort the first built). `refresh` says when a spec already prepared is prepared
   * again as its next generation: never, when an outcome changed since (what backtests of a spec
   * do, so they see current outcomes), or always. One transaction, set-based:
   * the cohort's leads with their cutoff, their activities before it, the distinct property
   * objects of those activities, then one row per lead with its activities as parallel arrays.
   */
  async prepareCohort(
    spec: CohortSpec,
    createdBy: string,
    refresh: 'never' | 'ifOutcomesChanged' | 'always' = 'ifOutcomesChanged',
  ): Promise<CohortRow> {
    const checksum = cohortChecksum(spec);
    const existing = await this.findCohortByChecksum(checksum);
    if (existing && (refresh === 'never' || (refresh === 'ifOutcomesChanged' && !(await this.anyOutcomeChanged(existing.id)))))
      return existing;
    const generation = existing ? existing.generation + 1 : 0;
    const started = Date.now();
    const id = await this.dataSource.transaction(async (manager) => {
      // A concurrent preparation of the same spec and generation makes this wait for its commit, then do nothing.
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO backtest_cohort (spec, checksum, generation, lead_count, converted_count, decided_count, activity_count, property_count, created_by, prepare_ms)
         VALUES ($1::jsonb, $2, $4, 0, 0, 0, 0, 0, $3, 0) ON CONFLICT (checksum, generation) DO NOTHING RETURNING id::text AS id`,
        [JSON.stringify(spec), checksum, createdBy, generation],
      );
      if (!inserted.length) return null;
      const cohortId = inserted[0].id;
      await this.buildSnapshot(manager, cohortId, spec, new Date(started));
      await manager.query(
        `UPDATE backtest_cohort c SET lead_count = s.leads, converted_count = s.converted, decided_count = s.decided,
                activity_count = s.activities, property_count = (SELECT count(*) FROM backtest_cohort_property WHERE cohort_id = $1::bigint),
                prepared_at = now(), prepare_ms = $2
           FROM (SELECT count(*)::int AS leads, count(*) FILTER (WHERE converted)::int AS converted, count(*) FILTER (WHERE decided)::int AS decided,
                        coalesce(sum(cardinality(activity_types)), 0)::bigint AS activities
                   FROM backtest_cohort_lead WHERE cohort_id = $1::bigint) s
          WHERE c.id = $1::bigint`,
        [cohortId, Date.now() - started],
      );
      return cohortId;
    });
    const cohort = id ? await this.getCohort(id) : await this.findCohortByChecksum(checksum);
    if (!cohort) throw new Error(`cohort ${checksum} vanished while it was prepared`);
    if (id)
      this.logger.info(
        { cohortId: cohort.id, generation, leads: cohort.leadCount, activities: cohort.activityCount, ms: cohort.prepareMs },
        'backtest cohort prepared',
      );
    return cohort;
  }

  private async buildSnapshot(manager: EntityManager, cohortId: string, spec: CohortSpec, preparedAt: Date): Promise<void> {
    const params: unknown[] = [spec.createdFrom, spec.createdTo];
    const add = (value: unknown, cast: string) => {
      params.push(value);
      return `$${params.length}::${cast}`;
    };
    const where = ['l.created_at >= $1::timestamptz', 'l.created_at < $2::timestamptz'];
    if (spec.source !== null) where.push(`l.source = ${add(spec.source, 'text')}`);
    if (spec.segment !== null) where.push(`l.segment = ${add(spec.segment, 'text')}`);
    if (spec.attributes.length)
      where.push(`l.attributes @> ${add(JSON.stringify(Object.fromEntries(spec.attributes.map((a) => [a.name, a.value]))), 'jsonb')}`);
    // The chosen cutoff, in whole milliseconds (what JavaScript dates hold); N days after creation
    // never later than the preparation itself.
    const chosen =
      spec.cutoff.kind === 'fixed'
        ? add(spec.cutoff.at, 'timestamptz')
        : `least(date_trunc('milliseconds', l.created_at + make_interval(days => ${add(spec.cutoff.days, 'int')})), ${add(preparedAt.toISOString(), 'timestamptz')})`;

    await manager.query(`SET LOCAL work_mem = '256MB'`);
    // Decided leads are looked at 1 ms before their outcome at the latest: nothing that happened
    // after the conversion (or loss) can leak into the facts.
    await manager.query(
      `CREATE TEMP TABLE backtest_prep_lead ON COMMIT DROP AS
       SELECT l.id, l.external_id, l.email, l.segment, l.source, l.attributes, l.created_at, l.outcome, l.outcome_at, l.deal_value,
              least(${chosen}, CASE WHEN l.outcome <> 'open' AND l.outcome_at IS NOT NULL
                                    THEN date_trunc('milliseconds', l.outcome_at) - interval '1 millisecond' END) AS cutoff_at
         FROM lead l
        WHERE ${where.join(' AND ')}`,
      params,
    );
    await manager.query('ANALYZE backtest_prep_lead');
    await manager.query(
      `CREATE TEMP TABLE backtest_prep_activity ON COMMIT DROP AS
       SELECT c.id AS lead_id, coalesce(array_position($1::text[], a.type), 0)::smallint AS type,
              (extract(epoch FROM c.cutoff_at - a.occurred_at) * 1000)::float8 AS age_ms, a.properties
         FROM backtest_prep_lead c JOIN activity a ON a.lead_id = c.id AND a.occurred_at <= c.cutoff_at`,
      [ACTIVITY_TYPES],
    );
    await manager.query('ANALYZE backtest_prep_activity');
    await manager.query(
      `INSERT INTO backtest_cohort_property (cohort_id, id, properties)
       SELECT $1::bigint, (row_number() OVER (ORDER BY p))::int, p
         FROM (SELECT DISTINCT properties AS p FROM backtest_prep_activity WHERE properties <> '{}'::jsonb) d`,
      [cohortId],
    );
    // The three arrays are filled from the same rows in the same order (one aggregation, no ORDER BY
    // that could break ties differently per array).
    await manager.query(
      `INSERT INTO backtest_cohort_lead (cohort_id, lead_id, external_id, email, segment, source, attributes, created_at, cutoff_at,
                                         outcome, converted, decided, outcome_at, deal_value, activity_types, activity_age_ms, activity_properties)
       SELECT $1::bigint, c.id, c.external_id, c.email, c.segment, c.source, c.attributes::json, c.created_at, c.cutoff_at,
              c.outcome, c.outcome = 'converted', c.outcome IN ('converted', 'lost'), c.outcome_at, c.deal_value,
              coalesce(x.types, '{}'), coalesce(x.ages, '{}'), coalesce(x.props, '{}')
         FROM backtest_prep_lead c
         LEFT JOIN (SELECT pa.lead_id, array_agg(pa.type) AS types, array_agg(pa.age_ms) AS ages, array_agg(coalesce(p.id, 0)) AS props
                      FROM backtest_prep_activity pa
                      LEFT JOIN backtest_cohort_property p ON p.cohort_id = $1::bigint AND p.properties = pa.properties
                     GROUP BY pa.lead_id) x ON x.lead_id = c.id`,
      [cohortId],
    );
    await manager.query('DROP TABLE backtest_prep_activity, backtest_prep_lead');
    await manager.query('ANALYZE backtest_cohort_lead');
  }

  private async findCohortByChecksum(checksum: string): Promise<CohortRow | null> {
    const rows: CohortRow[] = await this.dataSource.query(
      `SELECT ${COHORT_COLUMNS} FROM backtest_cohort c WHERE c.checksum = $1 ORDER BY c.generation DESC LIMIT 1`,
      [checksum],
    );
    return rows[0] ? this.withCache(rows[0]) : null;
  }

  async getCohort(id: string, path = 'id'): Promise<CohortRow> {
    const rows: CohortRow[] = isId(id)
      ? await this.dataSource.query(`SELECT ${COHORT_COLUMNS} FROM backtest_cohort c WHERE c.id = $1::bigint`, [id])
      : [];
    if (!rows[0])
      throw new NotFoundError(BacktestErrorCode.CohortNotFound, `No backtest cohort with id "${id}"`, [
        { path, message: 'no such cohort' },
      ]);
    return this.withCache(rows[0]);
  }

  async listCohorts(first?: number | null): Promise<CohortRow[]> {
    const rows: CohortRow[] = await this.dataSource.query(
      `SELECT ${COHORT_COLUMNS} FROM backtest_cohort c ORDER BY c.prepared_at DESC, c.id DESC LIMIT $1`,
      [clampFirst(first)],
    );
    return rows.map((row) => this.withCache(row));
  }

  private withCache(row: CohortRow): CohortRow {
    return { ...row, description: describeCohort(row.spec), cached: this.cache.has(row.id) };
  }

  /** The cohort's snapshot in memory (from the cache, or read once from backtest_cohort_lead). */
  async loadSnapshot(cohort: Pick<CohortRow, 'id' | 'checksum' | 'leadCount' | 'activityCount'>): Promise<CohortSnapshot> {
    const hit = this.cache.get(cohort.id);
    if (hit) {
      this.cache.delete(cohort.id); // the most recently used goes last
      this.cache.set(cohort.id, hit);
      return hit;
    }
    const loading = this.readSnapshot(cohort);
    this.cache.set(cohort.id, loading);
    try {
      const snapshot = await loading;
      this.cachedLeads.set(cohort.id, snapshot.size);
      this.evict(cohort.id);
      return snapshot;
    } catch (error) {
      this.cache.delete(cohort.id);
      throw error;
    }
  }

  /** Drops the least recently used cohorts beyond the cache's limits (never `keep`, nor one still loading). */
  private evict(keep: string): void {
    let leads = [...this.cachedLeads.values()].reduce((sum, size) => sum + size, 0);
    for (const id of [...this.cache.keys()]) {
      if (this.cache.size <= this.config.cacheCohorts && leads <= this.config.cacheLeads) break;
      if (id === keep || !this.cachedLeads.has(id)) continue;
      this.cache.delete(id);
      leads -= this.cachedLeads.get(id)!;
      this.cachedLeads.delete(id);
    }
  }

  /**
   * Reads a cohort's snapshot: in lead id order, in batches, two lead id ranges at once (on
   * PostgreSQL the database formats one batch while this process parses another).
   */
  private async readSnapshot(cohort: Pick<CohortRow, 'id' | 'checksum' | 'leadCount' | 'activityCount'>): Promise<CohortSnapshot> {
    const properties: Array<Record<string, unknown>> = [{}];
    const propertyRows: Array<{ id: number; properties: Record<string, unknown> }> = await this.dataSource.query(
      'SELECT id, properties FROM backtest_cohort_property WHERE cohort_id = $1::bigint ORDER BY id',
      [cohort.id],
    );
    for (const row of propertyRows) properties[row.id] = row.properties;
    const [range]: Array<{ min: string | null; max: string | null }> = await this.dataSource.query(
      'SELECT (min(lead_id) - 1)::text AS min, max(lead_id)::text AS max FROM backtest_cohort_lead WHERE cohort_id = $1::bigint',
      [cohort.id],
    );
    const bounds: Array<[string, string]> = [];
    if (range.min !== null && range.max !== null) {
      const mid = ((BigInt(range.min) + BigInt(range.max)) / 2n).toString();
      bounds.push(cohort.leadCount > 2 * LOAD_BATCH ? [range.min, mid] : [range.min, range.max]);
      if (cohort.leadCount > 2 * LOAD_BATCH) bounds.push([mid, range.max]);
    }
    const share = bounds.length || 1;
    const parts = await Promise.all(
      bounds.map(async ([after, last]) => {
        const builder = new SnapshotBuilder(Math.ceil(cohort.leadCount / share), Math.ceil(Number(cohort.activityCount) / share));
        let from = after;
        for (;;) {
          const rows: SnapshotRow[] = await this.dataSource.query(
            // Times as epoch milliseconds (truncated, as the driver reads timestamps), arrays as text:
            // both much cheaper to read than Dates and arrays parsed element by element.
            `SELECT l.lead_id::text AS lead_id, external_id, email, segment, source, attributes,
                    floor(extract(epoch FROM created_at) * 1000)::float8 AS created_ms, floor(extract(epoch FROM cutoff_at) * 1000)::float8 AS cutoff_ms,
                    converted, decided, deal_value::float8 AS deal_value, array_to_string(activity_types, ',') AS activity_types,
                    array_to_string(activity_age_ms, ',') AS activity_age_ms, array_to_string(activity_properties, ',') AS activity_properties
               FROM backtest_cohort_lead l
              WHERE l.cohort_id = $1::bigint AND l.lead_id > $2::bigint AND l.lead_id <= $3::bigint ORDER BY l.lead_id LIMIT $4`,
            [cohort.id, from, last, LOAD_BATCH],
          );
          for (const row of rows) builder.add(row);
          if (rows.length < LOAD_BATCH) break;
          from = rows[rows.length - 1].lead_id;
        }
        return builder.build({ cohortId: cohort.id, checksum: cohort.checksum, properties });
      }),
    );
    if (!parts.length) return new SnapshotBuilder(1, 1).build({ cohortId: cohort.id, checksum: cohort.checksum, properties });
    return concatSnapshots(parts);
  }

  // ---- runs ----

  /**
   * Checks the input, records the run and executes it: inside the call for cohorts up to
   * `inlineLimit` leads (the run comes back completed), as a queued job for bigger ones (it comes
   * back queued; backtestRun(id) has the results once done).
   */
  async runBacktest(actor: Actor, input: RunBacktestInput): Promise<RunRow> {
    const problems: Problem[] = [];
    if ((input.cohort == null) === (input.cohortId == null))
      problems.push({ path: 'input.cohort', message: 'give exactly one of cohort (a spec) or cohortId (a prepared cohort)' });
    if ((input.versionId == null) === (input.definition == null))
      problems.push({ path: 'input.versionId', message: 'give exactly one of versionId or definition (an unsaved rule set)' });
    let spec: CohortSpec | null = null;
    if (input.cohort != null) {
      const normalised = await this.normalise(input.cohort, 'input.cohort');
      spec = normalised.spec;
      problems.push(...normalised.problems);
    }
    let definition: RuleSetDefinition | null = null;
    let version: VersionRow | null = null;
    const split: SplitOptions = {
      kind: input.split?.kind ?? DEFAULT_SPLIT.kind,
      holdoutShare: input.split?.holdoutShare ?? DEFAULT_SPLIT.holdoutShare,
    };
    if (split.kind !== 'hash' && split.kind !== 'time') problems.push({ path: 'input.split.kind', message: 'must be HASH or TIME' });
    if (!(split.holdoutShare >= 0.05 && split.holdoutShare <= 0.95))
      problems.push({ path: 'input.split.holdoutShare', message: 'must be from 0.05 to 0.95' });
    if (input.definition != null) {
      const definitionProblems = await this.workflow.validate(input.definition);
      problems.push(
        ...definitionProblems.map((p) => ({ path: `input.definition.${p.path}`.replace(/\.\(root\)$/, ''), message: p.message })),
      );
      if (!definitionProblems.length) definition = input.definition as RuleSetDefinition;
    }
    if (problems.length) throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);

    if (input.versionId != null) {
      version = await this.versionAt(input.versionId, 'input.versionId');
      definition = version.definition;
    }
    const compareTo = input.compareToVersionId != null ? await this.versionAt(input.compareToVersionId, 'input.compareToVersionId') : null;
    // A spec's cohort is chosen when the run executes: the latest one, or a new one if outcomes changed since.
    const cohort = input.cohortId != null ? await this.getCohort(input.cohortId, 'input.cohortId') : null;
    const latest = spec ? await this.findCohortByChecksum(cohortChecksum(spec)) : null;
    if (spec && !latest) await this.requireMatches(spec, 'input.cohort');
    const cohortSpec = cohort?.spec ?? spec!;
    const leads = cohort?.leadCount ?? latest?.leadCount ?? (await this.countLeads(cohortSpec));

    const [row]: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO backtest_run (cohort_id, cohort_spec, cohort_checksum, rule_set_key, version_id, definition, definition_checksum,
                                 compare_version_id, compare_checksum, options, status, created_by)
       VALUES ($1::bigint, $2::jsonb, $3, $4, $5::bigint, $6::json, $7, $8::bigint, $9, $10::jsonb, 'queued', $11) RETURNING id::text AS id`,
      [
        cohort?.id ?? null,
        JSON.stringify(cohortSpec),
        cohort?.checksum ?? cohortChecksum(cohortSpec),
        definition!.key,
        version?.id ?? null,
        version ? null : JSON.stringify(definition),
        version?.checksum ?? checksumOf(definition),
        compareTo?.id ?? null,
        compareTo?.checksum ?? null,
        JSON.stringify({ openLeads: input.openLeads ?? 'not_converted', split }),
        actor.name,
      ],
    );
    if (leads > this.config.inlineLimit && this.dispatcher) {
      await this.dispatcher.dispatch(row.id);
      return this.getRun(row.id);
    }
    return this.executeRun(row.id);
  }

  private async versionAt(versionId: string, path: string): Promise<VersionRow> {
    const rows: Array<{ id: string }> = isId(versionId)
      ? await this.dataSource.query('SELECT id::text AS id FROM rule_set_version WHERE id = $1::bigint', [versionId])
      : [];
    if (!rows.length)
      throw new NotFoundError(BacktestErrorCode.VersionNotFound, `No rule set version with id "${versionId}"`, [
        { path, message: 'no such version' },
      ]);
    return this.workflow.getVersion(versionId);
  }

  private async countLeads(spec: CohortSpec): Promise<number> {
    const params: unknown[] = [
      spec.createdFrom,
      spec.createdTo,
      spec.source,
      spec.segment,
      JSON.stringify(Object.fromEntries(spec.attributes.map((a) => [a.name, a.value]))),
    ];
    const [{ count }]: Array<{ count: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM lead l
        WHERE l.created_at >= $1::timestamptz AND l.created_at < $2::timestamptz AND ($3::text IS NULL OR l.source = $3)
          AND ($4::text IS NULL OR l.segment = $4) AND l.attributes @> $5::jsonb`,
      params,
    );
    return count;
  }

  /**
   * Prepares the run's cohort if needed, scores it under the version (and the one compared to) and
   * stores the results. Safe to call again for a run left running by a crash; a finished run is
   * returned as it is. Failures are recorded on the run, not thrown.
   */
  async executeRun(runId: string): Promise<RunRow> {
    const claimed: Array<{ id: string }> = await this.dataSource.query(
      `UPDATE backtest_run SET status = 'running', started_at = coalesce(started_at, now())
        WHERE id = $1::bigint AND status IN ('queued', 'running') RETURNING id::text AS id`,
      [runId],
    );
    if (!claimed.length) return this.getRun(runId);
    const started = Date.now();
    try {
      const results = await this.compute(runId);
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `UPDATE backtest_run SET status = 'completed', results = $2::jsonb, error = NULL, finished_at = now(), duration_ms = $3 WHERE id = $1::bigint`,
          [runId, JSON.stringify(results), Date.now() - started],
        );
        if (results.calibration) await saveCalibration(manager, runId, results.calibration);
      });
    } catch (error) {
      this.logger.error({ err: error, runId }, 'backtest failed');
      await this.dataSource.query(
        `UPDATE backtest_run SET status = 'failed', error = $2, finished_at = now(), duration_ms = $3 WHERE id = $1::bigint`,
        [runId, (error as Error).message.slice(0, 1000), Date.now() - started],
      );
    }
    return this.getRun(runId);
  }

  private async compute(runId: string): Promise<BacktestResults> {
    const [run]: Array<{
      cohortId: string | null;
      cohortSpec: CohortSpec;
      versionId: string | null;
      definition: RuleSetDefinition | null;
      definitionChecksum: string;
      compareVersionId: string | null;
      compareChecksum: string | null;
      options: { openLeads?: OpenLeads; split?: SplitOptions };
      createdBy: string;
    }> = await this.dataSource.query(
      `SELECT cohort_id::text AS "cohortId", cohort_spec AS "cohortSpec", version_id::text AS "versionId", definition,
              definition_checksum AS "definitionChecksum", compare_version_id::text AS "compareVersionId", compare_checksum AS "compareChecksum",
              options, created_by AS "createdBy"
         FROM backtest_run WHERE id = $1::bigint`,
      [runId],
    );
    let cohort: CohortRow;
    if (run.cohortId) cohort = await this.getCohort(run.cohortId);
    else {
      cohort = await this.prepareCohort(run.cohortSpec, run.createdBy, 'ifOutcomesChanged');
      await this.dataSource.query('UPDATE backtest_run SET cohort_id = $2::bigint WHERE id = $1::bigint', [runId, cohort.id]);
    }
    const candidate = run.versionId ? await this.unchangedDefinition(run.versionId, run.definitionChecksum) : run.definition!;
    const baseline = run.compareVersionId ? await this.unchangedDefinition(run.compareVersionId, run.compareChecksum!) : null;

    let t = Date.now();
    const snapshot = await this.loadSnapshot(cohort);
    const loadCohort = Date.now() - t;
    t = Date.now();
    const leads = selectLeads(snapshot, run.options.openLeads ?? 'not_converted');
    const candidateScores = await scoreCohort(candidate, snapshot, this.config.evaluatorFactory);
    const baselineScores = baseline ? await scoreCohort(baseline, snapshot, this.config.evaluatorFactory) : null;
    const score = Date.now() - t;
    t = Date.now();
    const metrics = computeMetrics(metricsInput(candidate, snapshot, candidateScores, leads));
    let comparison: Comparison | null = null;
    if (baseline && baselineScores) {
      const baselineMetrics = computeMetrics(metricsInput(baseline, snapshot, baselineScores, leads));
      const pick = (cells: Uint8Array) => Uint8Array.from(leads, (i) => cells[i]);
      const moves = cellMoves(
        pick(baselineScores.cell),
        pick(candidateScores.cell),
        Uint8Array.from(leads, (i) => snapshot.converted[i]),
        Array.from(leads, (i) => snapshot.externalIds[i]),
      );
      comparison = compareMetrics(metrics, baselineMetrics, moves);
    }
    const metricsMs = Date.now() - t;
    t = Date.now();
    const catalog = await this.attributeCatalog();
    const suggestions = await computeSuggestions(
      candidate,
      snapshot,
      leads,
      candidateScores,
      new Map([...catalog.values()].map((spec) => [spec.name, spec.type])),
      {
        split: run.options.split ?? DEFAULT_SPLIT,
        evaluatorFactory: this.config.evaluatorFactory,
      },
    );
    // The rule table shows the joint fit (on the training part), not each rule judged alone.
    const fitted = new Map(suggestions.rules.map((rule) => [rule.rule, rule.suggestedPoints]));
    for (const rule of metrics.rules) rule.suggestedPoints = fitted.get(rule.rule) ?? null;
    metrics.pointsPerLogOdds = { fit: suggestions.pointsPerLogOdds, engagement: suggestions.pointsPerLogOdds };
    return {
      metrics,
      comparison,
      suggestions,
      compiled: candidateScores.compiled && (baselineScores?.compiled ?? true),
      timings: { loadCohort, score, metrics: metricsMs, fit: Date.now() - t },
      ...(run.versionId ? { calibration: calibrationRecord(candidateScores.total, snapshot.converted, leads) } : {}),
    };
  }

  /** A version's definition, provided it is still the one the run was queued with (a draft may have been edited since). */
  private async unchangedDefinition(versionId: string, checksum: string): Promise<RuleSetDefinition> {
    const version = await this.workflow.getVersion(versionId);
    if (version.checksum !== checksum) {
      throw new Error(`version ${version.version} of ${version.ruleSetKey} changed after the backtest was queued; run it again`);
    }
    return version.definition;
  }

  async getRun(id: string, path = 'id'): Promise<RunRow> {
    const rows: RunRow[] = isId(id)
      ? await this.dataSource.query(`SELECT ${RUN_COLUMNS}, r.results FROM ${RUN_FROM} WHERE r.id = $1::bigint`, [id])
      : [];
    if (!rows[0])
      throw new NotFoundError(BacktestErrorCode.RunNotFound, `No backtest run with id "${id}"`, [{ path, message: 'no such run' }]);
    return rows[0];
  }

  /** Recent runs, newest first; results are read when asked for (backtestRun or the results field). */
  async listRuns(ruleSetKey: string | null, first?: number | null): Promise<RunRow[]> {
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
  async unfinishedRunIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text AS id FROM backtest_run
        WHERE status = 'queued' OR (status = 'running' AND started_at < now() - interval '2 hours') ORDER BY id`,
    );
    return rows.map((row) => row.id);
  }
}

function clampFirst(first: number | null | undefined): number {
  if (first === null || first === undefined) return 20;
  if (!Number.isInteger(first) || first < 1 || first > 100)
    throw InvalidInputError.field(BacktestErrorCode.InvalidBacktest, 'first', 'must be from 1 to 100');
  return first;
}
