import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import type { Actor } from '../auth/actor';
import type { LeadOutcome } from './lead.entity';
import { LeadErrorCode } from './lead.errors';
import { LeadOutcomeErrorCode } from './lead-outcome.errors';
import { BULK_LIMITS, type BatchItemResult, batchError, checkBatchSize, itemErrors } from './lead-bulk';

export interface SetLeadOutcomeData {
  externalId: string;
  outcome: LeadOutcome;
  /** When it converted or was lost; defaults to now. Not for open leads. */
  at?: Date | null;
  /** Deal value of a conversion (>= 0, at most 2 decimals). */
  dealValue?: number | null;
}

export const OUTCOME_LIMITS = {
  /** Clocks drift: a time up to this far ahead is not "in the future". */
  maxFutureMs: 5 * 60_000,
  maxDealValue: 999_999_999_999.99,
} as const;

const OUTCOMES: readonly LeadOutcome[] = ['open', 'converted', 'lost'];

/** The checks that need no database; the lead's creation time is checked in the transaction. */
function validate(input: SetLeadOutcomeData, now: Date, base = 'input'): Problem[] {
  const problems: Problem[] = [];
  if (!input.externalId?.trim()) problems.push({ path: `${base}.externalId`, message: 'must not be blank' });
  if (!OUTCOMES.includes(input.outcome)) problems.push({ path: `${base}.outcome`, message: 'must be OPEN, CONVERTED or LOST' });
  if (input.at != null) {
    const time = input.at instanceof Date ? input.at.getTime() : Number.NaN;
    if (input.outcome === 'open') problems.push({ path: `${base}.at`, message: 'an open lead has no outcome date; leave it out' });
    else if (Number.isNaN(time)) problems.push({ path: `${base}.at`, message: 'must be an ISO 8601 date-time' });
    else if (time > now.getTime() + OUTCOME_LIMITS.maxFutureMs)
      problems.push({ path: `${base}.at`, message: `${input.at.toISOString()} is in the future` });
  }
  if (input.dealValue != null) {
    const value = input.dealValue;
    if (input.outcome !== 'converted') problems.push({ path: `${base}.dealValue`, message: 'only a converted lead has a deal value' });
    else if (!Number.isFinite(value) || value < 0) problems.push({ path: `${base}.dealValue`, message: 'must be 0 or more' });
    else if (value > OUTCOME_LIMITS.maxDealValue)
      problems.push({ path: `${base}.dealValue`, message: `at most ${OUTCOME_LIMITS.maxDealValue}` });
    else if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6)
      problems.push({ path: `${base}.dealValue`, message: 'at most 2 decimal places' });
  }
  return problems;
}

/**
 * Records how a lead ended: converted (with an optional deal value) or lost, at a given time, or
 * reopened. Backtests compare scores with these outcomes; the score itself does not read them.
 */
export class LeadOutcomeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit?: AuditService,
  ) {}

  /** Sets the outcome in one transaction (audited when an audit service is given); returns the lead's id. */
  async setOutcome(actor: Actor, input: SetLeadOutcomeData, now = new Date()): Promise<string> {
    const problems = validate(input, now);
    if (problems.length) throw InvalidInputError.of(LeadOutcomeErrorCode.InvalidOutcome, problems);
    const at = input.outcome === 'open' ? null : (input.at ?? now);
    const dealValue = input.outcome === 'converted' && input.dealValue != null ? input.dealValue.toFixed(2) : null;
    return this.dataSource.transaction(async (manager) => {
      const [lead]: Array<{ id: string; createdAt: Date; outcome: LeadOutcome; outcomeAt: Date | null; dealValue: string | null }> =
        await manager.query(
          `SELECT id::text AS id, created_at AS "createdAt", outcome, outcome_at AS "outcomeAt", deal_value::text AS "dealValue"
           FROM lead WHERE external_id = $1 FOR UPDATE`,
          [input.externalId],
        );
      if (!lead)
        throw new NotFoundError(LeadErrorCode.LeadNotFound, `No lead with externalId "${input.externalId}"`, [
          { path: 'input.externalId', message: 'no such lead' },
        ]);
      if (at && at.getTime() < new Date(lead.createdAt).getTime()) {
        throw InvalidInputError.field(
          LeadOutcomeErrorCode.InvalidOutcome,
          'input.at',
          `${at.toISOString()} is before the lead was created (${new Date(lead.createdAt).toISOString()})`,
        );
      }
      await manager.query(
        `UPDATE lead SET outcome = $2, outcome_at = $3, deal_value = $4::numeric, updated_at = now() WHERE id = $1::bigint`,
        [lead.id, input.outcome, at, dealValue],
      );
      await this.audit?.record(manager, {
        actor: actor.name,
        action: 'lead.outcome_set',
        entityType: 'lead',
        entityId: lead.id,
        summary: `Outcome of ${input.externalId}: ${input.outcome}${dealValue ? ` (deal value ${dealValue})` : ''}`,
        before: { outcome: lead.outcome, outcomeAt: lead.outcomeAt, dealValue: lead.dealValue },
        after: { outcome: input.outcome, outcomeAt: at, dealValue },
        requestId: actor.requestId,
      });
      return lead.id;
    });
  }

  /**
   * Sets up to BULK_LIMITS.maxOutcomes outcomes, each checked as setOutcome checks one, in one
   * transaction: the leads locked in one statement (id order), updated in one, one audit entry for
   * the batch. atomic: any bad item fails the call (every item's problems listed), nothing written;
   * otherwise bad items (an unknown lead among them) get their errors and the others are written.
   */
  async setOutcomes(actor: Actor, items: readonly SetLeadOutcomeData[], atomic: boolean, now = new Date()): Promise<BatchItemResult[]> {
    checkBatchSize(items.length, BULK_LIMITS.maxOutcomes, 'input.outcomes', 'outcome');
    const seen = new Map<string, number>();
    const errors = items.map((item, index) => {
      const base = `input.outcomes[${index}]`;
      const found = itemErrors(validate(item, now, base), 'BAD_USER_INPUT', LeadOutcomeErrorCode.InvalidOutcome);
      const earlier = seen.get(item.externalId);
      if (earlier !== undefined)
        found.push(
          ...itemErrors(
            [
              {
                path: `${base}.externalId`,
                message: `"${item.externalId.slice(0, 60)}" is also input.outcomes[${earlier}]; give each lead once per call`,
              },
            ],
            'BAD_USER_INPUT',
            LeadErrorCode.DuplicateInBatch,
          ),
        );
      else seen.set(item.externalId, index);
      return found;
    });
    if (atomic && errors.some((list) => list.length > 0)) throw batchError(errors);
    const leadIds = new Map<number, string>();
    const valid = items.map((item, index) => ({ item, index })).filter(({ index }) => errors[index].length === 0);
    if (valid.length > 0) {
      await this.dataSource.transaction(async (manager) => {
        const locked: Array<{
          id: string;
          externalId: string;
          createdAt: Date;
          outcome: LeadOutcome;
          outcomeAt: Date | null;
          dealValue: string | null;
        }> = await manager.query(
          `SELECT id::text AS id, external_id AS "externalId", created_at AS "createdAt", outcome, outcome_at AS "outcomeAt", deal_value::text AS "dealValue"
               FROM lead WHERE external_id = ANY($1::text[]) ORDER BY lead.id FOR UPDATE`,
          [valid.map(({ item }) => item.externalId)],
        );
        const byExternalId = new Map(locked.map((lead) => [lead.externalId, lead]));
        const updates: Array<{ id: string; outcome: LeadOutcome; at: string | null; dealValue: string | null }> = [];
        const changes: Array<{ externalId: string; before: unknown; after: unknown }> = [];
        for (const { item, index } of valid) {
          const base = `input.outcomes[${index}]`;
          const lead = byExternalId.get(item.externalId);
          const at = item.outcome === 'open' ? null : (item.at ?? now);
          if (!lead) {
            errors[index] = itemErrors([{ path: `${base}.externalId`, message: 'no such lead' }], 'NOT_FOUND', LeadErrorCode.LeadNotFound);
          } else if (at && at.getTime() < new Date(lead.createdAt).getTime()) {
            errors[index] = itemErrors(
              [
                {
                  path: `${base}.at`,
                  message: `${at.toISOString()} is before the lead was created (${new Date(lead.createdAt).toISOString()})`,
                },
              ],
              'BAD_USER_INPUT',
              LeadOutcomeErrorCode.InvalidOutcome,
            );
          } else {
            const dealValue = item.outcome === 'converted' && item.dealValue != null ? item.dealValue.toFixed(2) : null;
            updates.push({ id: lead.id, outcome: item.outcome, at: at?.toISOString() ?? null, dealValue });
            changes.push({
              externalId: item.externalId,
              before: { outcome: lead.outcome, outcomeAt: lead.outcomeAt, dealValue: lead.dealValue },
              after: { outcome: item.outcome, outcomeAt: at, dealValue },
            });
            leadIds.set(index, lead.id);
          }
        }
        // Rolls back: nothing of an atomic batch is written when one of its leads does not fit.
        if (atomic && errors.some((list) => list.length > 0)) throw batchError(errors);
        if (updates.length === 0) return;
        await manager.query(
          `UPDATE lead l SET outcome = r.outcome, outcome_at = r.at, deal_value = r."dealValue", updated_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, outcome text, at timestamptz, "dealValue" numeric)
            WHERE l.id = r.id`,
          [JSON.stringify(updates)],
        );
        await this.audit?.record(manager, {
          actor: actor.name,
          action: 'lead.outcomes_set',
          entityType: 'lead',
          entityId: updates.length === 1 ? updates[0].id : `${updates.length} leads`,
          summary: `Outcomes of ${updates.length} lead${updates.length === 1 ? '' : 's'} set in one batch`,
          before: changes.map(({ externalId, before }) => ({ externalId, ...(before as object) })),
          after: changes.map(({ externalId, after }) => ({ externalId, ...(after as object) })),
          requestId: actor.requestId,
        });
      });
    }
    return items.map((item, index) => ({
      index,
      externalId: item.externalId,
      leadId: leadIds.get(index) ?? null,
      created: false,
      errors: errors[index],
    }));
  }
}
