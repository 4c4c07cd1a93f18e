import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import type { Actor } from '../auth/actor';
import type { LeadOutcome } from './lead.entity';
import { LeadErrorCode } from './lead.errors';
import { LeadOutcomeErrorCode } from './lead-outcome.errors';

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
function validate(input: SetLeadOutcomeData, now: Date): Problem[] {
  const problems: Problem[] = [];
  if (!input.externalId?.trim()) problems.push({ path: 'input.externalId', message: 'must not be blank' });
  if (!OUTCOMES.includes(input.outcome)) problems.push({ path: 'input.outcome', message: 'must be OPEN, CONVERTED or LOST' });
  if (input.at != null) {
    const time = input.at instanceof Date ? input.at.getTime() : Number.NaN;
    if (input.outcome === 'open') problems.push({ path: 'input.at', message: 'an open lead has no outcome date; leave it out' });
    else if (Number.isNaN(time)) problems.push({ path: 'input.at', message: 'must be an ISO 8601 date-time' });
    else if (time > now.getTime() + OUTCOME_LIMITS.maxFutureMs)
      problems.push({ path: 'input.at', message: `${input.at.toISOString()} is in the future` });
  }
  if (input.dealValue != null) {
    const value = input.dealValue;
    if (input.outcome !== 'converted') problems.push({ path: 'input.dealValue', message: 'only a converted lead has a deal value' });
    else if (!Number.isFinite(value) || value < 0) problems.push({ path: 'input.dealValue', message: 'must be 0 or more' });
    else if (value > OUTCOME_LIMITS.maxDealValue)
      problems.push({ path: 'input.dealValue', message: `at most ${OUTCOME_LIMITS.maxDealValue}` });
    else if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6)
      problems.push({ path: 'input.dealValue', message: 'at most 2 decimal places' });
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
}
