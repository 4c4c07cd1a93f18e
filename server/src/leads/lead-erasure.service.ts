import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { InvalidInputError, NotFoundError } from '../common/errors';
import type { Actor } from '../auth/actor';
import { LeadErasureErrorCode } from './lead-erasure.errors';
import { LeadErrorCode } from './lead.errors';

export interface EraseLeadData {
  id?: string | null;
  externalId?: string | null;
}

/** Rows removed (or, for backtest runs and audit entries, rewritten) by one erasure. */
export interface ErasedRows {
  activities: number;
  scores: number;
  scoreHistory: number;
  outboxEvents: number;
  webhookDeliveries: number;
  /** Backtest cohort snapshots that held the lead, dropped whole (a later run prepares them again). */
  backtestCohorts: number;
  /** Backtest runs whose stored results listed the lead's external id among their examples. */
  backtestRunsScrubbed: number;
  /** Earlier audit entries about the lead whose details (summary, before/after) were blanked. */
  auditEntriesScrubbed: number;
  /** Tracking API (ingestion) links from an anonymousId to the lead, with events still kept for those visitors. */
  trackingIdentities: number;
}

export interface LeadErasure {
  /** The erased lead's internal id: opaque, never reused (a re-created external id gets a new one). */
  leadId: string;
  erasedAt: Date;
  removed: ErasedRows;
}

const ERASED_SUMMARY = 'Details removed when the lead was erased';

/**
 * Erases a lead for a data-subject request (GDPR/CCPA): the lead and every row that holds its data,
 * in one transaction that first locks the lead row, so a concurrent activity or upsert for it waits
 * and then finds no lead (or creates a new one). The audit log keeps that the erasure happened, by
 * whom, when, the lead's internal id and the counts, without personal data.
 */
export class LeadErasureService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async eraseLead(actor: Actor, input: EraseLeadData): Promise<LeadErasure> {
    const byId = input.id != null;
    if (byId === (input.externalId != null)) {
      throw InvalidInputError.of(LeadErasureErrorCode.InvalidErasure, [{ path: 'id', message: 'give exactly one of id and externalId' }]);
    }
    if (byId && !/^\d{1,18}$/.test(input.id as string)) throw this.notFound('id', input.id as string);
    if (!byId && !(input.externalId as string).trim())
      throw InvalidInputError.field(LeadErasureErrorCode.InvalidErasure, 'externalId', 'must not be blank');
    return this.dataSource.transaction(async (manager) => {
      const [lead]: Array<{ id: string; externalId: string }> = await manager.query(
        `SELECT id::text AS id, external_id AS "externalId" FROM lead WHERE ${byId ? 'id = $1::bigint' : 'external_id = $1'} FOR UPDATE`,
        [byId ? input.id : input.externalId],
      );
      if (!lead) throw byId ? this.notFound('id', input.id as string) : this.notFound('externalId', input.externalId as string);
      const removed = await this.removeRows(manager, lead);
      const erasedAt = new Date();
      const counts = Object.entries(removed)
        .filter(([, count]) => count > 0)
        .map(([what, count]) => `${count} ${what}`)
        .join(', ');
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'lead.erased',
        entityType: 'lead',
        entityId: lead.id,
        summary: `Erased lead ${lead.id}${counts ? ` (${counts})` : ''}`,
        after: { removed },
        requestId: actor.requestId,
      });
      return { leadId: lead.id, erasedAt, removed };
    });
  }

  private async removeRows(manager: EntityManager, lead: { id: string; externalId: string }): Promise<ErasedRows> {
    const count = async (sql: string, params: unknown[]): Promise<number> => {
      const rows: Array<{ n: number }> = await manager.query(
        `WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
        params,
      );
      return rows[0].n;
    };
    const id = [lead.id];
    // The score first: deleting activities would otherwise clear its cached aggregates (a trigger) just before it goes.
    const scores = await count('DELETE FROM lead_score WHERE lead_id = $1::bigint', id);
    const scoreHistory = await count('DELETE FROM score_history WHERE lead_id = $1::bigint', id);
    // Activities take their idempotency keys with them: a retry of one after the erasure is a new request.
    const activities = await count('DELETE FROM activity WHERE lead_id = $1::bigint', id);
    // Every event of the lead carries its external id and email, delivered or not.
    const webhookDeliveries = await count(
      'DELETE FROM webhook_delivery WHERE event_id IN (SELECT e.id FROM outbox_event e WHERE e.lead_id = $1::bigint)',
      id,
    );
    const outboxEvents = await count('DELETE FROM outbox_event WHERE lead_id = $1::bigint', id);
    // A cohort snapshot is a cache of its spec: dropped whole (its activity properties too), and a
    // run that needs it again prepares it afresh, without the lead. Dropping one row instead would
    // leave the cohort's counts, and any process's snapshot cached by cohort id, still holding it.
    const cohorts: Array<{ id: string }> = await manager.query(
      'SELECT DISTINCT cohort_id::text AS id FROM backtest_cohort_lead WHERE lead_id = $1::bigint',
      id,
    );
    const cohortIds = cohorts.map((cohort) => cohort.id);
    if (cohortIds.length) {
      await manager.query('UPDATE backtest_run SET cohort_id = NULL WHERE cohort_id = ANY($1::bigint[])', [cohortIds]);
      await manager.query('DELETE FROM backtest_cohort_lead WHERE cohort_id = ANY($1::bigint[])', [cohortIds]);
      await manager.query('DELETE FROM backtest_cohort WHERE id = ANY($1::bigint[])', [cohortIds]);
    }
    // Finished runs keep their aggregates; the lead's external id leaves the cell moves' examples.
    const backtestRunsScrubbed = await count(
      `UPDATE backtest_run r SET results = jsonb_set(r.results, '{comparison,cellMoves}', (
              SELECT jsonb_agg(CASE WHEN m.move->'examples' @> jsonb_build_array($1::text)
                                    THEN jsonb_set(m.move, '{examples}', (m.move->'examples') - $1::text) ELSE m.move END ORDER BY m.i)
                FROM jsonb_array_elements(r.results->'comparison'->'cellMoves') WITH ORDINALITY AS m(move, i)))
        WHERE jsonb_typeof(r.results->'comparison'->'cellMoves') = 'array'
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(r.results->'comparison'->'cellMoves') AS m(move)
                       WHERE m.move->'examples' @> jsonb_build_array($1::text))`,
      [lead.externalId],
    );
    // Earlier entries about the lead (outcomes: the external id in the summary, deal values) keep who, what and when.
    const auditEntriesScrubbed = await count(
      `UPDATE audit_log SET summary = $2, before = NULL, after = NULL, diff = NULL WHERE entity_type = 'lead' AND entity_id = $1`,
      [lead.id, ERASED_SUMMARY],
    );
    // Otherwise a later tracking event from a linked visitor would re-create the lead under the same external id.
    await manager.query(
      `DELETE FROM ingestion_anonymous_event WHERE anonymous_id IN (SELECT anonymous_id FROM ingestion_identity WHERE external_id = $1)`,
      [lead.externalId],
    );
    const trackingIdentities = await count('DELETE FROM ingestion_identity WHERE external_id = $1', [lead.externalId]);
    await manager.query('DELETE FROM lead WHERE id = $1::bigint', id);
    return {
      trackingIdentities,
      activities,
      scores,
      scoreHistory,
      outboxEvents,
      webhookDeliveries,
      backtestCohorts: cohortIds.length,
      backtestRunsScrubbed,
      auditEntriesScrubbed,
    };
  }

  private notFound(path: 'id' | 'externalId', value: string): NotFoundError {
    return new NotFoundError(LeadErrorCode.LeadNotFound, `No lead with ${path} "${value.slice(0, 100)}"`, [
      { path, message: 'no such lead' },
    ]);
  }
}
