import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '../engine/canonical-json';
import { queryPrepared } from '../db/prepared';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import { decodeCursor, encodeCursor, pageSize, type Page } from '../common/pagination';
import { LeadErrorCode } from '../leads/lead.errors';
import type { ActivityType } from '../engine/ruleset-definition';
import type { ScoringService } from '../scoring/scoring.service';
import type { StoredScore } from '../scoring/stored-score';
import { ActivityErrorCode } from './activity.errors';
import { activityMetrics } from './activity-metrics';
import { type ActivityCatalog, BUILT_IN_CATALOG, storedActivityType } from './activity-catalog';
import { ACTIVITY_LIMITS, validate } from './activity-validation';

export interface RecordActivityData {
  leadExternalId: string;
  /** A type of the activity catalog (or any name when unknown types are mapped to one). */
  type: ActivityType;
  occurredAt: Date;
  idempotencyKey: string;
  properties?: Record<string, unknown> | null;
}

export interface RecordedActivity {
  idempotencyKey: string;
  activityId: string;
  leadId: string;
  leadExternalId: string;
  /** True when this idempotency key had already been recorded: nothing was counted twice. */
  duplicate: boolean;
}

export interface RecordedActivities {
  results: RecordedActivity[];
  /** The new scores of the leads whose activities were recorded (not of duplicates' leads). */
  scores: Map<string, StoredScore>;
}

/** What one recordActivity request recorded, and the lead's new score (absent for a duplicate). */
export interface RecordedSingle {
  result: RecordedActivity;
  score: StoredScore | undefined;
}

export interface ActivityRow {
  id: string;
  leadId: string;
  type: ActivityType;
  occurredAt: Date;
  idempotencyKey: string;
  properties: Record<string, unknown>;
  recordedAt: Date;
}

/** A checked page request of a lead's activities; `after` is the last seen (occurredAt, id). */
export interface ActivityPageArgs {
  size: number;
  after: [string, string] | null;
}

const ACTIVITY_COLUMNS = `a.id::text AS id, a.lead_id::text AS "leadId", a.type, a.occurred_at AS "occurredAt",
  a.idempotency_key AS "idempotencyKey", a.properties, a.recorded_at AS "recordedAt"`;

/** recordActivity transactions one process runs at once by default; see ActivityService. */
export const RECORD_ACTIVITY_CONCURRENCY = 2;

export interface ActivityServiceOptions {
  /** recordActivity transactions run at once by this process (default RECORD_ACTIVITY_CONCURRENCY). */
  recordConcurrency?: number;
  /** The activity catalog types and properties are checked against; the built-in types only when absent. */
  catalog?: () => Promise<ActivityCatalog>;
}

export class ActivityService {
  /**
   * recordActivity requests are written in shared transactions: one lock statement, one insert, one
   * re-score and one commit for all the requests of a batch instead of one each (each database round
   * trip costs this process far more than the per-request work). A batch starts once the requests
   * that arrived together (one round of ready sockets) are in, and only while fewer than
   * `recordConcurrency` batches are being written; requests arriving meanwhile join the next batch,
   * which starts as soon as one finishes. So a lone request is written at once, and under load the
   * batches grow with it instead of the transactions queueing up one per request (group commit). See
   * recordConcurrently for how each request keeps its own answer.
   */
  private readonly singleRequests = new DataLoader<RecordActivityData, RecordedSingle>(
    async (items) => {
      activityMetrics.started(items.length);
      try {
        return await this.recordConcurrently(items);
      } finally {
        this.batchDone();
      }
    },
    {
      cache: false,
      maxBatchSize: 100,
      batchScheduleFn: (dispatch) => setImmediate(() => this.whenWriterFree(dispatch)),
    },
  );

  private readonly recordConcurrency: number;
  private readonly catalog: () => Promise<ActivityCatalog>;
  private batchesInFlight = 0;
  /** Batches (their dispatch) waiting for one in flight to finish, in arrival order. */
  private readonly batchesWaiting: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
    options: ActivityServiceOptions = {},
  ) {
    const concurrency = options.recordConcurrency ?? RECORD_ACTIVITY_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`recordConcurrency must be a whole number of at least 1, got ${concurrency}`);
    this.recordConcurrency = concurrency;
    this.catalog = options.catalog ?? (() => Promise.resolve(BUILT_IN_CATALOG));
  }

  /** The activity catalog as this service checks against it (cached by its owner for a few seconds). */
  activityCatalog(): Promise<ActivityCatalog> {
    return this.catalog();
  }

  private whenWriterFree(dispatch: () => void): void {
    if (this.batchesInFlight < this.recordConcurrency) {
      this.batchesInFlight += 1;
      dispatch();
    } else {
      this.batchesWaiting.push(dispatch);
    }
  }

  private batchDone(): void {
    const next = this.batchesWaiting.shift();
    if (next)
      next(); // takes over the slot
    else this.batchesInFlight -= 1;
  }

  /** One activity (a recordActivity request): validated, then recorded with the requests that arrive with it. */
  async recordActivity(item: RecordActivityData): Promise<RecordedSingle> {
    const catalog = await this.catalog();
    const stored = withStoredType(item, catalog);
    const problems = validate(stored, 'input', new Date(), catalog);
    if (problems.length) throw InvalidInputError.of(ActivityErrorCode.InvalidActivity, problems);
    activityMetrics.queued();
    return this.singleRequests.load(stored);
  }

  /**
   * Concurrent single requests, each answered as if it had been sent alone:
   * - a lead's requests go in separate rounds, one after another, so that each is scored with the
   *   activities before it and gets its own history entry, as when sent one after another;
   * - a round is one all-or-nothing transaction; if it fails (an unknown lead, an idempotency key
   *   reused for another activity, a lost connection), nothing of it was written and it is split in
   *   halves until each failing request is alone and gets its own error, the others their results.
   */
  private async recordConcurrently(items: readonly RecordActivityData[]): Promise<Array<RecordedSingle | Error>> {
    const outcomes: Array<RecordedSingle | Error> = new Array(items.length);
    const rounds: number[][] = [];
    const roundsOfLead = new Map<string, number>();
    items.forEach((item, index) => {
      const round = roundsOfLead.get(item.leadExternalId) ?? 0;
      roundsOfLead.set(item.leadExternalId, round + 1);
      rounds[round] ??= [];
      rounds[round].push(index);
    });
    const settle = async (indices: number[]): Promise<void> => {
      try {
        const { results, scores } = await this.recordActivities(
          indices.map((index) => items[index]),
          { single: indices.length === 1 },
        );
        indices.forEach((index, k) => {
          outcomes[index] = { result: results[k], score: scores.get(results[k].leadId) };
        });
      } catch (error) {
        if (indices.length === 1) {
          outcomes[indices[0]] = error instanceof Error ? error : new Error(String(error));
          return;
        }
        const half = Math.ceil(indices.length / 2);
        await settle(indices.slice(0, half));
        await settle(indices.slice(half));
      }
    };
    for (const round of rounds) await settle(round);
    return outcomes;
  }

  /**
   * Records a batch all-or-nothing: every item is validated first; then one transaction locks the
   * leads (in id order, so concurrent batches cannot deadlock), inserts the activities that are new
   * by idempotency key, and re-scores each touched lead once. A key seen before with the same
   * content is reported as a duplicate; with different content it is a CONFLICT and nothing is written.
   */
  async recordActivities(given: RecordActivityData[], options: { single?: boolean } = {}): Promise<RecordedActivities> {
    const basePath = 'input';
    if (given.length === 0) throw InvalidInputError.field(ActivityErrorCode.InvalidActivity, basePath, 'give at least one activity');
    if (given.length > ACTIVITY_LIMITS.maxBatch) {
      throw InvalidInputError.field(
        ActivityErrorCode.BatchTooLarge,
        basePath,
        `at most ${ACTIVITY_LIMITS.maxBatch} activities per batch, got ${given.length}`,
      );
    }
    const catalog = await this.catalog();
    const items = given.map((item) => withStoredType(item, catalog));
    const now = new Date();
    const single = options.single === true && items.length === 1;
    const suggestions = { left: ACTIVITY_LIMITS.suggestionsPerRequest };
    const problems = items.flatMap((item, index) => validate(item, single ? basePath : `${basePath}[${index}]`, now, catalog, suggestions));
    if (problems.length) throw InvalidInputError.of(ActivityErrorCode.InvalidActivity, problems);

    return this.dataSource.transaction(async (manager) => {
      const externalIds = [...new Set(items.map((item) => item.leadExternalId))];
      // One statement locks the leads (in id order, so concurrent batches cannot deadlock) and inserts
      // the activities that are new by idempotency key, in the order given. If a lead is unknown its
      // activities are not inserted and the transaction is rolled back below.
      const rows = items.map((item, index) => ({
        n: index,
        leadExternalId: item.leadExternalId,
        type: item.type,
        occurredAt: item.occurredAt.toISOString(),
        idempotencyKey: item.idempotencyKey,
        properties: item.properties ?? {},
      }));
      const written = await queryPrepared<{
        leadId: string | null;
        externalId: string | null;
        segment: string | null;
        activityId: string | null;
        idempotencyKey: string | null;
      }>(
        manager,
        `WITH locked AS (
           SELECT id, external_id, segment FROM lead WHERE external_id = ANY($1::text[]) ORDER BY id FOR UPDATE
         ), inserted AS (
           INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
           SELECT locked.id, r.type, r."occurredAt", r."idempotencyKey", r.properties
             FROM jsonb_to_recordset($2::jsonb) AS r(n int, "leadExternalId" text, type text, "occurredAt" timestamptz, "idempotencyKey" text, properties jsonb)
             JOIN locked ON locked.external_id = r."leadExternalId"
            ORDER BY r.n
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING id, idempotency_key
         )
         SELECT id::text AS "leadId", external_id AS "externalId", segment, NULL AS "activityId", NULL AS "idempotencyKey" FROM locked
          UNION ALL
         SELECT NULL, NULL, NULL, id::text, idempotency_key FROM inserted`,
        [externalIds, JSON.stringify(rows)],
      );
      const leadIdByExternal = new Map<string, string>();
      /** Each locked lead's segment, as of the lock: which rule set scores it. */
      const segments = new Map<string, string | null>();
      const inserted: Array<{ id: string; idempotencyKey: string }> = [];
      for (const row of written) {
        if (row.leadId !== null && row.externalId !== null) {
          leadIdByExternal.set(row.externalId, row.leadId);
          segments.set(row.leadId, row.segment);
        } else if (row.activityId !== null && row.idempotencyKey !== null)
          inserted.push({ id: row.activityId, idempotencyKey: row.idempotencyKey });
      }
      const missing = items.flatMap((item, index) =>
        leadIdByExternal.has(item.leadExternalId)
          ? []
          : [
              {
                path: `${single ? basePath : `${basePath}[${index}]`}.leadExternalId`,
                message: `no lead with externalId "${item.leadExternalId}"; create it with upsertLead first`,
              },
            ],
      );
      if (missing.length)
        throw new NotFoundError(LeadErrorCode.LeadNotFound, missing.map((p) => `${p.path}: ${p.message}`).join('; '), missing);

      const resolved = rows.map((row) => ({ ...row, leadId: leadIdByExternal.get(row.leadExternalId) }));
      const insertedByKey = new Map(inserted.map((row) => [row.idempotencyKey, row.id]));
      const previousKeys = resolved.map((row) => row.idempotencyKey).filter((key) => !insertedByKey.has(key));
      const previous: ActivityRow[] = previousKeys.length
        ? await manager.query(`SELECT ${ACTIVITY_COLUMNS} FROM activity a WHERE a.idempotency_key = ANY($1::text[])`, [previousKeys])
        : [];
      const previousByKey = new Map(previous.map((row) => [row.idempotencyKey, row]));

      const firstIndexOfKey = new Map<string, number>();
      const results = resolved.map((row, index): RecordedActivity => {
        const firstIndex = firstIndexOfKey.get(row.idempotencyKey) ?? index;
        firstIndexOfKey.set(row.idempotencyKey, firstIndex);
        const fresh = insertedByKey.get(row.idempotencyKey);
        const stored = previousByKey.get(row.idempotencyKey);
        const same = (other: { leadId?: string; type: string; occurredAt: string | Date; properties: unknown }) =>
          other.leadId === row.leadId &&
          other.type === row.type &&
          new Date(other.occurredAt).getTime() === new Date(row.occurredAt).getTime() &&
          canonicalJson(other.properties) === canonicalJson(row.properties);
        const original = stored ?? resolved[firstIndex];
        if (!same(original)) {
          throw new ConflictError(
            ActivityErrorCode.IdempotencyKeyReused,
            `${single ? basePath : `${basePath}[${index}]`}.idempotencyKey: "${row.idempotencyKey}" was already used for a different activity`,
            [{ path: `${single ? basePath : `${basePath}[${index}]`}.idempotencyKey`, message: 'already used for a different activity' }],
          );
        }
        return {
          idempotencyKey: row.idempotencyKey,
          activityId: (fresh ?? stored?.id) as string,
          leadId: row.leadId as string,
          leadExternalId: items[index].leadExternalId,
          duplicate: fresh === undefined || firstIndex !== index,
        };
      });

      const touched = new Map<string, string>();
      for (const result of results) if (!result.duplicate) touched.set(result.leadId, result.activityId);
      const scores = new Map<string, StoredScore>();
      if (touched.size > 0) {
        // The leads were locked above, in id order, and their cached aggregates voided by the insert.
        const pass = await this.scoring.scoreAfterWrite(manager, {
          leadIds: [...touched.keys()],
          cause: 'activity_recorded',
          activityIds: touched,
          segments,
        });
        for (const score of pass.scores) scores.set(score.leadId, score);
      }
      return { results, scores };
    });
  }

  /** Checks the page arguments of a lead's `activities` (errors name `first` and `after`). */
  activityPageArgs(first?: number | null, after?: string | null): ActivityPageArgs {
    const size = pageSize(first, ActivityErrorCode.InvalidActivity);
    if (!after) return { size, after: null };
    const [occurredAt, id] = decodeCursor(after, 'activity', ActivityErrorCode.InvalidActivity, 'after', ['timestamp', 'id']);
    return { size, after: [String(occurredAt), String(id)] };
  }

  /**
   * The same page of activities (newest first) of each lead, with each lead's number of
   * activities: two statements for a page of leads, each lead's page read through the
   * (lead_id, occurred_at, id) index up to its limit.
   */
  async activitiesOfLeads(
    leadIds: readonly string[],
    args: ActivityPageArgs,
  ): Promise<Map<string, Page<ActivityRow> & { totalCount: number }>> {
    const params: unknown[] = [leadIds];
    let keyset = '';
    if (args.after) {
      params.push(args.after[0], args.after[1]);
      keyset = 'AND (a.occurred_at, a.id) < ($2::timestamptz, $3::bigint)';
    }
    params.push(args.size + 1);
    const [rows, counts] = await Promise.all([
      this.dataSource.query(
        `SELECT p.* FROM unnest($1::bigint[]) AS k(lead_id)
           CROSS JOIN LATERAL (
             SELECT ${ACTIVITY_COLUMNS}, a.occurred_at::text AS "sortOccurred" FROM activity a WHERE a.lead_id = k.lead_id ${keyset}
              ORDER BY a.occurred_at DESC, a.id DESC LIMIT $${params.length}) p`,
        params,
      ) as Promise<Array<ActivityRow & { sortOccurred: string }>>,
      this.dataSource.query(
        'SELECT lead_id::text AS "leadId", count(*)::int AS count FROM activity WHERE lead_id = ANY($1::bigint[]) GROUP BY lead_id',
        [leadIds],
      ) as Promise<Array<{ leadId: string; count: number }>>,
    ]);
    const byLead = new Map<string, Array<ActivityRow & { sortOccurred: string }>>();
    for (const row of rows) {
      const list = byLead.get(row.leadId);
      if (list) list.push(row);
      else byLead.set(row.leadId, [row]);
    }
    const countOf = new Map(counts.map((row) => [row.leadId, row.count]));
    return new Map(
      leadIds.map((leadId) => {
        const nodes = (byLead.get(leadId) ?? []).slice(0, args.size);
        return [
          leadId,
          {
            nodes: nodes.map(({ sortOccurred: _sort, ...row }) => row),
            cursors: nodes.map((row) => encodeCursor(['activity', row.sortOccurred, row.id])),
            hasNextPage: (byLead.get(leadId)?.length ?? 0) > args.size,
            totalCount: countOf.get(leadId) ?? 0,
          },
        ];
      }),
    );
  }
}

/** The item as it is stored: an unknown type mapped when the catalog says so (the same object otherwise). */
function withStoredType(item: RecordActivityData, catalog: ActivityCatalog): RecordActivityData {
  const type = storedActivityType(item.type, catalog);
  return type === item.type ? item : { ...item, type };
}
