import { hostname } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors';
import { metrics } from '../../observability/metrics';
import type { RuleSetService } from '../../rulesets/ruleset.service';
import { type SubjectScorer, SubjectScorerRegistry } from '../models/subject-scorer';
import type { ScoringService } from '../scoring.service';

export const RESCORE_CHUNK_SIZE = 5000;
/** How many pg-boss jobs a re-score fans out to; each loops over chunks, so this bounds parallel workers. */
export const RESCORE_FANOUT = 4;

export type RescoreStatus = 'running' | 'completed' | 'failed' | 'superseded';

export interface RescoreJobRow {
  id: string;
  ruleSetId: string;
  ruleSetKey: string;
  /** The score model it re-scores ('default': lead_score). */
  model: string;
  /** What it re-scores: leads, or accounts (an account model's job; its "leads" counts are accounts). */
  subject: 'lead' | 'account';
  versionId: string;
  version: number;
  status: RescoreStatus;
  totalLeads: number;
  doneLeads: number;
  changedLeads: number;
  totalChunks: number;
  doneChunks: number;
  createdBy: string;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RescoreProgress extends RescoreJobRow {
  /** Leads re-scored per second since the job started. */
  leadsPerSecond: number | null;
  /** Estimated seconds to completion at the current rate. */
  etaSeconds: number | null;
  percent: number;
}

/** Sends work to the job queue; pg-boss in the service, anything that calls runWorker in tests. */
export interface RescoreDispatcher {
  dispatch(jobId: string, workers: number): Promise<void>;
}

const JOB_COLUMNS = `j.id::text AS id, j.rule_set_id::text AS "ruleSetId", rs.key AS "ruleSetKey", j.version_id::text AS "versionId",
  coalesce(j.model, 'default') AS model, coalesce(j.subject, 'lead') AS subject,
  v.version, j.status, j.total_leads AS "totalLeads", j.done_leads AS "doneLeads", j.changed_leads AS "changedLeads",
  j.total_chunks AS "totalChunks", j.done_chunks AS "doneChunks", j.created_by AS "createdBy", j.error,
  j.created_at AS "createdAt", j.started_at AS "startedAt", j.finished_at AS "finishedAt"`;

export function withProgress(job: RescoreJobRow, now = new Date()): RescoreProgress {
  const elapsed = job.startedAt ? ((job.finishedAt ?? now).getTime() - new Date(job.startedAt).getTime()) / 1000 : 0;
  const rate = job.startedAt && elapsed > 0 ? job.doneLeads / elapsed : null;
  const remaining = job.totalLeads - job.doneLeads;
  return {
    ...job,
    leadsPerSecond: rate === null ? null : Math.round(rate),
    etaSeconds: job.status !== 'running' ? 0 : rate && rate > 0 ? Math.ceil(remaining / rate) : null,
    percent: job.totalLeads === 0 ? 100 : Math.floor((job.doneLeads / job.totalLeads) * 1000) / 10,
  };
}

/**
 * Re-scores every lead of a rule set after a publish or rollback. The job's leads are split into
 * chunks when it is created; workers claim chunks with FOR UPDATE SKIP LOCKED and score, write and
 * mark a chunk done in one transaction. A crashed worker's chunk rolls back and is claimed again, a
 * finished chunk is never redone, and any number of processes can work on one job at once.
 */
export class RescoreService {
  private dispatcher: RescoreDispatcher | null = null;
  private readonly scorers = new SubjectScorerRegistry();

  constructor(
    private readonly dataSource: DataSource,
    private readonly scoring: ScoringService,
    private readonly ruleSets: RuleSetService,
  ) {}

  /** How jobs of non-default models score their subjects: leads' and accounts' scorers, registered by app.ts. */
  registerSubjectScorer(scorer: SubjectScorer): void {
    this.scorers.registerSubjectScorer(scorer);
  }

  setDispatcher(dispatcher: RescoreDispatcher): void {
    this.dispatcher = dispatcher;
  }

  /**
   * Creates the job and its chunks in the caller's transaction (the publish). With `movedSegments`
   * (segments that changed rule set): only the leads of those segments, each scored by the rule set
   * that now scores it; such a job does not supersede a running publish's job, nor does a publish supersede it.
   */
  async createJob(
    manager: EntityManager,
    options: {
      ruleSetId: string;
      versionId: string;
      createdBy: string;
      isDefault: boolean;
      segments: string[];
      claimedSegments: string[];
      movedSegments?: string[];
      model?: string;
      subject?: 'lead' | 'account';
    },
  ): Promise<string> {
    if (options.model && options.model !== 'default')
      return createModelJob(manager, { ...options, model: options.model, subject: options.subject ?? 'lead' }, this.scorers);
    if (!options.movedSegments) {
      await manager.query(
        `UPDATE rescore_job SET status = 'superseded', finished_at = now() WHERE rule_set_id = $1 AND status = 'running' AND moved_segments IS NULL`,
        [options.ruleSetId],
      );
    }
    // The leads this rule set scores: its segments, or (the default) every lead no other rule set claims.
    const leadFilter =
      options.isDefault && !options.movedSegments ? `(segment IS NULL OR NOT (segment = ANY($2::text[])))` : `segment = ANY($2::text[])`;
    const segmentParam = options.movedSegments ?? (options.isDefault ? options.claimedSegments : options.segments);
    const [job]: Array<{ id: string }> = await manager.query(
      `INSERT INTO rescore_job (rule_set_id, version_id, status, total_leads, total_chunks, created_by, moved_segments)
       VALUES ($1, $2, 'running', 0, 0, $3, $4::text[]) RETURNING id::text AS id`,
      [options.ruleSetId, options.versionId, options.createdBy, options.movedSegments ?? null],
    );
    await manager.query(
      `INSERT INTO rescore_chunk (job_id, chunk_no, lead_ids)
       SELECT $1::bigint, (rn - 1) / $3, array_agg(id ORDER BY id)
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM lead WHERE ${leadFilter}) numbered
        GROUP BY (rn - 1) / $3`,
      [job.id, segmentParam, RESCORE_CHUNK_SIZE],
    );
    await manager.query(
      `UPDATE rescore_job j SET total_chunks = c.chunks, total_leads = c.leads,
              status = CASE WHEN c.chunks = 0 THEN 'completed' ELSE 'running' END,
              finished_at = CASE WHEN c.chunks = 0 THEN now() END
         FROM (SELECT count(*)::int AS chunks, coalesce(sum(cardinality(lead_ids)), 0)::int AS leads
                 FROM rescore_chunk WHERE job_id = $1::bigint) c
        WHERE j.id = $1::bigint`,
      [job.id],
    );
    return job.id;
  }

  /** After the publish commits: hand the job to the workers. */
  async dispatch(jobId: string): Promise<void> {
    const job = await this.getJob(jobId);
    if (job.status !== 'running' || !this.dispatcher) return;
    await this.dispatcher.dispatch(jobId, Math.max(1, Math.min(RESCORE_FANOUT, job.totalChunks)));
  }

  /** Claims and processes chunks until none is left; then completes the job. Safe to run anywhere, any number of times. */
  async runWorker(jobId: string, worker = `${hostname()}:${process.pid}`): Promise<{ chunks: number }> {
    let chunks = 0;
    // Segments may have moved between rule sets since this process cached them (a job follows each move).
    this.ruleSets.invalidate();
    metrics.rescoreJobsRunning.inc();
    try {
      for (let leads = await this.processNextChunk(jobId, worker); leads > 0; leads = await this.processNextChunk(jobId, worker)) {
        chunks += 1;
        metrics.rescoreLeads.inc(leads);
      }
    } finally {
      metrics.rescoreJobsRunning.dec();
    }
    // A full job records its carry as it completes (after every chunk committed): the rule set's rows
    // last written before now read as the job's version (score_carry for the default model,
    // model_score_carry by model for the others), unless a later publish replaced the version: that
    // publish's own job carries the rows.
    await this.dataSource.query(
      `WITH done AS (
         UPDATE rescore_job SET status = 'completed', finished_at = now()
          WHERE id = $1::bigint AND status = 'running' AND done_chunks = total_chunks
          RETURNING rule_set_id, version_id, model, moved_segments
       ), carry AS (
         SELECT done.model, rs.key, nextval('score_seq') AS seq, v.id, v.version, rs.active_version_id = v.id AS active
           FROM done JOIN rule_set rs ON rs.id = done.rule_set_id JOIN rule_set_version v ON v.id = done.version_id
          WHERE done.moved_segments IS NULL
       ), model_carry AS (
         INSERT INTO model_score_carry (model, rule_set_key, seq, rule_set_version_id, rule_set_version)
         SELECT model, key, seq, id, version FROM carry WHERE model IS NOT NULL AND active
         ON CONFLICT (model, rule_set_key) DO UPDATE SET seq = EXCLUDED.seq, rule_set_version_id = EXCLUDED.rule_set_version_id,
            rule_set_version = EXCLUDED.rule_set_version
       )
       INSERT INTO score_carry (rule_set_key, seq, rule_set_version_id, rule_set_version)
       SELECT key, seq, id, version FROM carry WHERE model IS NULL AND active
       ON CONFLICT (rule_set_key) DO UPDATE SET seq = EXCLUDED.seq, rule_set_version_id = EXCLUDED.rule_set_version_id,
          rule_set_version = EXCLUDED.rule_set_version`,
      [jobId],
    );
    return { chunks };
  }

  /** Claims one pending chunk and scores, writes and marks it done in one transaction; 0 when none is left. */
  private processNextChunk(jobId: string, worker: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [job]: Array<{
        status: RescoreStatus;
        versionId: string;
        model: string | null;
        subject: 'lead' | 'account' | null;
        full: boolean;
      }> = await manager.query(
        `SELECT status, version_id::text AS "versionId", model, subject, moved_segments IS NULL AS full FROM rescore_job WHERE id = $1::bigint`,
        [jobId],
      );
      if (job?.status !== 'running') return 0;
      // The ids comma-separated: the driver's array parser reads 5,000 ids character by character.
      const [claimed]: Array<{ chunkNo: number; leadIds: string }> = await manager.query(
        `SELECT chunk_no AS "chunkNo", array_to_string(lead_ids, ',') AS "leadIds" FROM rescore_chunk
          WHERE job_id = $1::bigint AND done_at IS NULL ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [jobId],
      );
      if (!claimed) return 0;
      const chunk = { chunkNo: claimed.chunkNo, leadIds: claimed.leadIds === '' ? [] : claimed.leadIds.split(',') };
      // This process's cache of active rule sets may predate the publish that created the job.
      await this.ruleSets.ensureActiveVersion(manager, job.versionId);
      // Leads deleted since the job was created simply drop out of the chunk.
      const changed = job.model
        ? (
            await this.scorerOf(job.subject ?? 'lead').scoreModel(manager, job.model, chunk.leadIds, 'rule_set_published', new Date(), {
              carryTo: job.full ? job.versionId : undefined,
            })
          ).changed
        : (
            await this.scoring.rescoreWithCarry(manager, chunk.leadIds, 'rule_set_published', new Date(), {
              // Only a full job's completion records a carry (leads left unwritten need one).
              carryTo: job.full ? job.versionId : undefined,
            })
          ).leadsChanged;
      await manager.query(`UPDATE rescore_chunk SET done_at = now(), worker = $3 WHERE job_id = $1::bigint AND chunk_no = $2`, [
        jobId,
        chunk.chunkNo,
        worker,
      ]);
      await manager.query(
        `UPDATE rescore_job SET done_leads = done_leads + $2, changed_leads = changed_leads + $3, done_chunks = done_chunks + 1,
                started_at = coalesce(started_at, now()) WHERE id = $1::bigint`,
        [jobId, chunk.leadIds.length, changed],
      );
      return chunk.leadIds.length;
    });
  }

  private scorerOf(subject: 'lead' | 'account'): SubjectScorer {
    const scorer = this.scorers.scorerFor(subject);
    if (!scorer) throw new Error(`No ${subject} scorer is registered for score model re-score jobs`);
    return scorer;
  }

  async recordFailure(jobId: string, error: Error): Promise<void> {
    await this.dataSource.query('UPDATE rescore_job SET error = $2 WHERE id = $1::bigint', [jobId, error.message.slice(0, 1000)]);
  }

  async getJob(jobId: string): Promise<RescoreProgress> {
    const rows: RescoreJobRow[] = /^\d{1,18}$/.test(jobId)
      ? await this.dataSource.query(
          `SELECT ${JOB_COLUMNS} FROM rescore_job j JOIN rule_set rs ON rs.id = j.rule_set_id
             JOIN rule_set_version v ON v.id = j.version_id WHERE j.id = $1::bigint`,
          [jobId],
        )
      : [];
    if (!rows[0])
      throw new NotFoundError('RESCORE_JOB_NOT_FOUND', `No re-score job with id "${jobId}"`, [{ path: 'id', message: 'no such job' }]);
    return withProgress(rows[0]);
  }

  async listJobs(ruleSetKey: string | null, limit = 20): Promise<RescoreProgress[]> {
    const rows: RescoreJobRow[] = await this.dataSource.query(
      `SELECT ${JOB_COLUMNS} FROM rescore_job j JOIN rule_set rs ON rs.id = j.rule_set_id
         JOIN rule_set_version v ON v.id = j.version_id
        WHERE ($1::text IS NULL OR rs.key = $1) ORDER BY j.id DESC LIMIT $2`,
      [ruleSetKey, limit],
    );
    return rows.map((row) => withProgress(row));
  }

  /** Jobs left running by a crash or restart, to be dispatched again on start. */
  async unfinishedJobIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id::text AS id FROM rescore_job WHERE status = 'running' ORDER BY rescore_job.id`,
    );
    return rows.map((row) => row.id);
  }
}

/**
 * A job re-scoring one non-default model over every subject of its kind, chunked as listed by the
 * subject's scorer. It supersedes the model's running job: the newest publish scores every subject.
 * Without a scorer for the subject (accounts not wired), the job completes with nothing to do.
 */
async function createModelJob(
  manager: EntityManager,
  options: { ruleSetId: string; versionId: string; createdBy: string; model: string; subject: 'lead' | 'account' },
  scorers: SubjectScorerRegistry,
): Promise<string> {
  await manager.query(`UPDATE rescore_job SET status = 'superseded', finished_at = now() WHERE model = $1 AND status = 'running'`, [
    options.model,
  ]);
  const [job]: Array<{ id: string }> = await manager.query(
    `INSERT INTO rescore_job (rule_set_id, version_id, status, total_leads, total_chunks, created_by, model, subject)
     VALUES ($1, $2, 'running', 0, 0, $3, $4, $5) RETURNING id::text AS id`,
    [options.ruleSetId, options.versionId, options.createdBy, options.model, options.subject],
  );
  const scorer = scorers.scorerFor(options.subject);
  let chunks = 0;
  let subjects = 0;
  for (let afterId: string | null = null; scorer; chunks += 1) {
    const ids = await scorer.listIds(manager, afterId, RESCORE_CHUNK_SIZE);
    if (ids.length === 0) break;
    await manager.query('INSERT INTO rescore_chunk (job_id, chunk_no, lead_ids) VALUES ($1::bigint, $2, $3::bigint[])', [
      job.id,
      chunks,
      ids,
    ]);
    subjects += ids.length;
    afterId = ids[ids.length - 1];
  }
  await manager.query(
    `UPDATE rescore_job SET total_chunks = $2::int, total_leads = $3::int,
            status = CASE WHEN $2::int = 0 THEN 'completed' ELSE 'running' END, finished_at = CASE WHEN $2::int = 0 THEN now() END
      WHERE id = $1::bigint`,
    [job.id, chunks, subjects],
  );
  return job.id;
}
