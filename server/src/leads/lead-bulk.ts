import type { EntityManager } from 'typeorm';
import { matchLeadAccounts } from '../accounts/account-matching';
import { type DomainError, InvalidInputError, type Problem } from '../common/errors';
import type { ScoringService } from '../scoring/scoring.service';
import type { StoredScore } from '../scoring/stored-score';
import { mergeAttributes, type AttributeSpec } from './attribute-catalog';
import type { AttributeValue, LeadEntity } from './lead.entity';
import { LeadErrorCode } from './lead.errors';
import { type UpsertLeadData, upsertProblems } from './lead-validation';

/* upsertLeads: many leads per call, validated like upsertLead, written with a few set-based statements. */

export const BULK_LIMITS = {
  /** Leads of one upsertLeads call. */
  maxLeads: 1000,
  /** Outcomes of one setLeadOutcomes call. */
  maxOutcomes: 1000,
} as const;

/** One thing wrong with one item of a batch: where, why, and the code the whole call would have failed with. */
export interface ItemError {
  path: string;
  message: string;
  /** BAD_USER_INPUT, NOT_FOUND...: what extensions.code says for the same mistake made alone. */
  code: string;
  /** The domain's code (INVALID_LEAD, DUPLICATE_IN_BATCH, LEAD_NOT_FOUND...). */
  reason: string;
}

/** An item's outcome: its lead (created or updated), or its errors and nothing written for it. */
export interface BatchItemResult {
  index: number;
  externalId: string;
  leadId: string | null;
  created: boolean;
  errors: ItemError[];
}

export interface UpsertLeadsResult {
  results: BatchItemResult[];
  /** The new scores of the leads written, by lead id. */
  scores: Map<string, StoredScore>;
}

export function itemErrors(problems: Problem[], code: string, reason: string): ItemError[] {
  return problems.map((problem) => ({ ...problem, code, reason }));
}

/** The error a whole batch fails with: every item's problems, in item order. */
export function batchError(errors: ItemError[][]): DomainError {
  const all = errors.flat();
  const problems = all.map(({ path, message }) => ({ path, message }));
  return InvalidInputError.of(
    all.length && all.every((error) => error.reason === all[0].reason) ? all[0].reason : LeadErrorCode.InvalidBatch,
    problems,
  );
}

/** Refuses an empty or oversized batch, naming the list (`input.leads`). */
export function checkBatchSize(length: number, max: number, path: string, what: string): void {
  if (length === 0) throw InvalidInputError.field(LeadErrorCode.InvalidBatch, path, `give at least one ${what}`);
  if (length > max) throw InvalidInputError.field(LeadErrorCode.InvalidBatch, path, `at most ${max} ${what}s per call, got ${length}`);
}

/**
 * Each item's problems: those upsertLead finds, at `input.leads[i]`, and a later item repeating an
 * earlier item's externalId (the earlier one is written, the later one is not).
 */
export function upsertBatchProblems(items: readonly UpsertLeadData[], catalog: Map<string, AttributeSpec>): ItemError[][] {
  const firstIndex = new Map<string, number>();
  return items.map((item, index) => {
    const base = `input.leads[${index}]`;
    const errors = itemErrors(upsertProblems(item, catalog, base), 'BAD_USER_INPUT', LeadErrorCode.InvalidLead);
    const earlier = firstIndex.get(item.externalId);
    if (earlier !== undefined) {
      errors.push(
        ...itemErrors(
          [
            {
              path: `${base}.externalId`,
              message: `"${item.externalId.slice(0, 60)}" is also input.leads[${earlier}]; give each lead once per call`,
            },
          ],
          'BAD_USER_INPUT',
          LeadErrorCode.DuplicateInBatch,
        ),
      );
    } else if (item.externalId != null) {
      firstIndex.set(item.externalId, index);
    }
    return errors;
  });
}

const LOCK_COLUMNS = `l.id::text AS id, l.external_id AS "externalId", l.email, l.segment, l.source, l.attributes`;
type LockedLead = Pick<LeadEntity, 'id' | 'externalId' | 'email' | 'segment' | 'source' | 'attributes'>;

/**
 * Writes valid items (distinct externalIds) in the caller's transaction and scores them as
 * upsertLead does (`scoreAfterWrite`, under the row locks): existing leads locked in one statement
 * (in id order, so concurrent batches do not deadlock), new ones inserted in one (in externalId
 * order, for the same reason), the existing ones updated in one; a lead another request created
 * meanwhile is locked and updated in a fourth. Then the leads' accounts (accounts/account-matching.ts,
 * a few statements for the batch) and one scoring pass per cause (created, updated).
 */
export async function writeLeadBatch(
  manager: EntityManager,
  scoring: ScoringService,
  items: ReadonlyArray<{ index: number; data: UpsertLeadData }>,
): Promise<{ written: Map<number, { leadId: string; created: boolean }>; scores: Map<string, StoredScore> }> {
  const lock = (externalIds: string[]): Promise<LockedLead[]> =>
    manager.query(`SELECT ${LOCK_COLUMNS} FROM lead l WHERE l.external_id = ANY($1::text[]) ORDER BY l.id FOR UPDATE`, [externalIds]);
  const existing = new Map((await lock(items.map((item) => item.data.externalId))).map((lead) => [lead.externalId, lead]));
  const fresh = items.filter((item) => !existing.has(item.data.externalId));
  const createdIds = new Map<string, string>();
  if (fresh.length > 0) {
    const rows = fresh.map(({ data }) => ({
      external_id: data.externalId,
      email: data.email?.toLowerCase() ?? null,
      segment: data.segment ?? null,
      source: data.source ?? null,
      attributes: mergeAttributes({}, data.attributes ?? {}),
    }));
    const inserted: Array<{ id: string; externalId: string }> = await manager.query(
      `INSERT INTO lead (external_id, email, segment, source, attributes)
       SELECT r.external_id, r.email, r.segment, r.source, r.attributes
         FROM jsonb_to_recordset($1::jsonb) AS r(external_id text, email text, segment text, source text, attributes jsonb)
        ORDER BY r.external_id
       ON CONFLICT (external_id) DO NOTHING
       RETURNING id::text AS id, external_id AS "externalId"`,
      [JSON.stringify(rows)],
    );
    for (const row of inserted) createdIds.set(row.externalId, row.id);
    const raced = fresh.filter((item) => !createdIds.has(item.data.externalId)).map((item) => item.data.externalId);
    if (raced.length > 0) for (const lead of await lock(raced)) existing.set(lead.externalId, lead);
  }
  const updates = items
    .filter((item) => existing.has(item.data.externalId))
    .map(({ data }) => {
      const lead = existing.get(data.externalId) as LockedLead;
      return {
        id: lead.id,
        email: data.email === undefined ? lead.email : (data.email?.toLowerCase() ?? null),
        segment: data.segment === undefined ? lead.segment : data.segment,
        source: data.source === undefined ? lead.source : data.source,
        attributes: mergeAttributes(lead.attributes as Record<string, AttributeValue>, data.attributes ?? {}),
      };
    });
  if (updates.length > 0) {
    await manager.query(
      `UPDATE lead l SET email = r.email, segment = r.segment, source = r.source, attributes = r.attributes, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, email text, segment text, source text, attributes jsonb)
        WHERE l.id = r.id`,
      [JSON.stringify(updates)],
    );
  }
  const written = new Map<number, { leadId: string; created: boolean }>();
  for (const { index, data } of items) {
    const createdId = createdIds.get(data.externalId);
    written.set(
      index,
      createdId ? { leadId: createdId, created: true } : { leadId: (existing.get(data.externalId) as LockedLead).id, created: false },
    );
  }
  // Accounts before scores: account facts and account scores follow the lead's account.
  await matchLeadAccounts(
    manager,
    items.map(({ index, data }) => ({
      leadId: (written.get(index) as { leadId: string }).leadId,
      accountExternalId: data.accountExternalId,
    })),
  );
  const scores = new Map<string, StoredScore>();
  const created = [...createdIds.values()];
  const updated = updates.map((update) => update.id);
  for (const [leadIds, cause] of [
    [created, 'lead_created'],
    [updated, 'lead_updated'],
  ] as const) {
    if (leadIds.length === 0) continue;
    const pass = await scoring.scoreAfterWrite(manager, { leadIds, cause });
    for (const score of pass.scores) scores.set(score.leadId, score);
  }
  return { written, scores };
}
