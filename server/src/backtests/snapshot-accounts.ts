import type { EntityManager } from 'typeorm';
import { ACCOUNT_COLUMNS, ACCOUNT_JOINS, type LeadColumns } from '../engine/facts';
import { type RuleSetDefinition, usesAccountFacts } from '../engine/ruleset-definition';
import type { CohortSnapshot, SnapshotAccounts } from './cohort-snapshot';

/**
 * Facts about a lead's account in a backtest. Accounts keep no history (an account's attributes and
 * its score in the default account model are only known as they are now), so a backtest reads the
 * CURRENT values for every lead of the cohort, not the values as of the lead's cutoff: a rule on the
 * account's grade is backtested against today's grades, which may know more than the cutoff did.
 */

/** Leads read per statement: bounded parameters and result sets for cohorts of any size. */
const CHUNK = 5_000;

/**
 * The snapshot with its leads' current account columns when one of `definitions` reads facts about
 * accounts (a copy: the cached snapshot stays as prepared); the snapshot itself otherwise.
 */
export async function withAccountColumns(
  manager: EntityManager,
  snapshot: CohortSnapshot,
  definitions: ReadonlyArray<RuleSetDefinition | null | undefined>,
): Promise<CohortSnapshot> {
  if (!definitions.some((definition) => definition && usesAccountFacts(definition))) return snapshot;
  const index = new Map(snapshot.leadIds.map((id, i) => [id, i]));
  const accounts: SnapshotAccounts = {
    attributes: new Array(snapshot.size).fill(null),
    scores: new Array(snapshot.size).fill(null),
  };
  for (let start = 0; start < snapshot.leadIds.length; start += CHUNK) {
    const ids = snapshot.leadIds.slice(start, start + CHUNK);
    const rows: Array<Pick<LeadColumns, 'account_attributes' | 'account_score'> & { lead_id: string }> = await manager.query(
      `SELECT l.id::text AS lead_id, ${ACCOUNT_COLUMNS} FROM lead l ${ACCOUNT_JOINS}
        WHERE l.id = ANY($1::bigint[]) AND l.account_id IS NOT NULL`,
      [ids],
    );
    for (const row of rows) {
      const i = index.get(row.lead_id);
      if (i === undefined) continue;
      accounts.attributes[i] = row.account_attributes ?? null;
      accounts.scores[i] = row.account_score ?? null;
    }
  }
  return { ...snapshot, accounts };
}
