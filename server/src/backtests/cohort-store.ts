import { activityTypeNamesByCode } from '../activities/activity-catalog.service';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { BacktestErrorCode } from './backtest.errors';
import { clampFirst, type CohortRow, isId } from './backtest-rows';
import { concatSnapshots, type CohortSnapshot, SnapshotBuilder, type SnapshotRow } from './cohort-snapshot';
import { fillCohortSnapshot } from './cohort-preparation';
import { type CohortSpec, cohortChecksum, describeCohort } from './cohort-spec';

/** How many prepared cohorts stay in memory. */
export interface CohortCacheLimits {
  /** Prepared cohorts kept in memory (least recently used dropped first)... */
  cacheCohorts: number;
  /** ...as long as they hold no more leads than this together. */
  cacheLeads: number;
}

const LOAD_BATCH = 20_000;

const COHORT_COLUMNS = `c.id::text AS id, c.checksum, c.generation, c.spec, c.lead_count AS "leadCount", c.converted_count AS "convertedCount",
  c.decided_count AS "decidedCount", c.activity_count::float8 AS "activityCount", c.property_count AS "propertyCount",
  c.created_by AS "createdBy", c.prepared_at AS "preparedAt", c.prepare_ms AS "prepareMs", c.subject,
  CASE WHEN c.subject = 'account' THEN c.account_count END AS "accountCount"`;

/**
 * Prepared cohorts: their rows, their preparation (once per spec and generation) and their
 * snapshots, read from backtest_cohort_lead and kept in memory, columnar, for the most recently used.
 */
export class CohortStore {
  private readonly cache = new Map<string, Promise<CohortSnapshot>>();
  private readonly cachedLeads = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly limits: CohortCacheLimits,
  ) {}

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
   * do, so they see current outcomes), or always. One transaction (cohort-preparation.ts).
   */
  async prepare(
    spec: CohortSpec,
    createdBy: string,
    refresh: 'never' | 'ifOutcomesChanged' | 'always' = 'ifOutcomesChanged',
  ): Promise<CohortRow> {
    const checksum = cohortChecksum(spec);
    const existing = await this.findByChecksum(checksum);
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
      await fillCohortSnapshot(manager, cohortId, spec, new Date(started));
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
    const cohort = id ? await this.get(id) : await this.findByChecksum(checksum);
    if (!cohort) throw new Error(`cohort ${checksum} vanished while it was prepared`);
    if (id)
      this.logger.info(
        { cohortId: cohort.id, generation, leads: cohort.leadCount, activities: cohort.activityCount, ms: cohort.prepareMs },
        'backtest cohort prepared',
      );
    return cohort;
  }

  async findByChecksum(checksum: string): Promise<CohortRow | null> {
    const rows: CohortRow[] = await this.dataSource.query(
      `SELECT ${COHORT_COLUMNS} FROM backtest_cohort c WHERE c.checksum = $1 ORDER BY c.generation DESC LIMIT 1`,
      [checksum],
    );
    return rows[0] ? this.withCache(rows[0]) : null;
  }

  async get(id: string, path = 'id'): Promise<CohortRow> {
    const rows: CohortRow[] = isId(id)
      ? await this.dataSource.query(`SELECT ${COHORT_COLUMNS} FROM backtest_cohort c WHERE c.id = $1::bigint`, [id])
      : [];
    if (!rows[0])
      throw new NotFoundError(BacktestErrorCode.CohortNotFound, `No backtest cohort with id "${id}"`, [
        { path, message: 'no such cohort' },
      ]);
    return this.withCache(rows[0]);
  }

  async list(first?: number | null): Promise<CohortRow[]> {
    const rows: CohortRow[] = await this.dataSource.query(
      `SELECT ${COHORT_COLUMNS} FROM backtest_cohort c ORDER BY c.prepared_at DESC, c.id DESC LIMIT $1`,
      [clampFirst(first)],
    );
    return rows.map((row) => this.withCache(row));
  }

  private withCache(row: CohortRow): CohortRow {
    const description = describeCohort(row.spec);
    return {
      ...row,
      // An account cohort holds the accounts of the leads its spec selects.
      description: row.subject === 'account' ? `Accounts of ${description.charAt(0).toLowerCase()}${description.slice(1)}` : description,
      cached: this.cache.has(row.id),
    };
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
      if (this.cache.size <= this.limits.cacheCohorts && leads <= this.limits.cacheLeads) break;
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
    const activityTypeNames = await activityTypeNamesByCode(this.dataSource);
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
        return builder.build({ cohortId: cohort.id, checksum: cohort.checksum, properties, activityTypeNames });
      }),
    );
    if (!parts.length)
      return new SnapshotBuilder(1, 1).build({ cohortId: cohort.id, checksum: cohort.checksum, properties, activityTypeNames });
    return concatSnapshots(parts);
  }
}
