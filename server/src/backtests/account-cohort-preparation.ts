import type { EntityManager } from 'typeorm';
import { type AccountCohortSpec, accountOutcomesSql, contactFilter } from './account-cohort';
import { snapshotActivities } from './cohort-preparation';

/**
 * Fills a new account cohort inside its preparation's transaction, set-based:
 * 1. the accounts of the contacts the spec selects, each with its first such contact's creation;
 * 2. their outcome now (account-cohort.ts) and their cutoff: the spec's (a fixed time, or N days
 *    after the first contact), never after the preparation, and for a decided account 1 ms before
 *    its decision, so nothing after a conversion leaks into the facts (as for leads);
 * 3. every contact of those accounts that existed at the account's cutoff, with its activities up
 *    to that cutoff, stored like a lead cohort's leads (snapshotActivities, the account noted).
 * Membership is the contacts' current account (lead.account_id): moves are not replayed.
 */
export async function fillAccountCohort(
  manager: EntityManager,
  cohortId: string,
  spec: AccountCohortSpec,
  preparedAt: Date,
): Promise<void> {
  const seedParams: unknown[] = [];
  const contacts = contactFilter(spec, seedParams);
  const cutoffParams: unknown[] = spec.cutoff.kind === 'fixed' ? [spec.cutoff.at] : [spec.cutoff.days, preparedAt.toISOString()];
  const chosen =
    spec.cutoff.kind === 'fixed'
      ? '$1::timestamptz'
      : `least(date_trunc('milliseconds', s.first_contact_at + make_interval(days => $1::int)), $2::timestamptz)`;

  await manager.query(`SET LOCAL work_mem = '256MB'`);
  await manager.query(
    `CREATE TEMP TABLE backtest_prep_seed ON COMMIT DROP AS
     SELECT l.account_id, min(l.created_at) AS first_contact_at FROM lead l WHERE ${contacts} GROUP BY l.account_id`,
    seedParams,
  );
  await manager.query('ANALYZE backtest_prep_seed');
  await manager.query(
    `CREATE TEMP TABLE backtest_prep_account ON COMMIT DROP AS
     SELECT s.account_id, s.first_contact_at, o.outcome, o.outcome_at, o.deal_value,
            least(${chosen}, CASE WHEN o.outcome <> 'open' AND o.outcome_at IS NOT NULL
                                  THEN date_trunc('milliseconds', o.outcome_at) - interval '1 millisecond' END) AS cutoff_at
       FROM backtest_prep_seed s
       JOIN (${accountOutcomesSql('a.id IN (SELECT account_id FROM backtest_prep_seed)')}) o ON o.account_id = s.account_id`,
    cutoffParams,
  );
  await manager.query('ANALYZE backtest_prep_account');
  await manager.query(
    `CREATE TEMP TABLE backtest_prep_contact ON COMMIT DROP AS
     SELECT l.id, l.external_id, l.email, l.segment, l.source, l.attributes, l.created_at, l.outcome, l.outcome_at, l.deal_value,
            l.account_id, p.cutoff_at
       FROM backtest_prep_account p JOIN lead l ON l.account_id = p.account_id AND l.created_at <= p.cutoff_at`,
  );
  await manager.query('ANALYZE backtest_prep_contact');
  await snapshotActivities(manager, cohortId, 'backtest_prep_contact', { withAccount: true });
  await manager.query(
    `INSERT INTO backtest_cohort_account (cohort_id, account_id, external_id, name, attributes, first_contact_at, cutoff_at,
                                          outcome, converted, decided, outcome_at, deal_value, contact_count)
     SELECT $1::bigint, p.account_id, a.external_id, a.name, a.attributes::json, p.first_contact_at, p.cutoff_at,
            p.outcome, p.outcome = 'converted', p.outcome <> 'open', p.outcome_at, p.deal_value,
            coalesce(n.contacts, 0)::int
       FROM backtest_prep_account p JOIN account a ON a.id = p.account_id
       LEFT JOIN (SELECT account_id, count(*) AS contacts FROM backtest_prep_contact GROUP BY account_id) n ON n.account_id = p.account_id`,
    [cohortId],
  );
  await manager.query('DROP TABLE backtest_prep_contact, backtest_prep_account, backtest_prep_seed');
}
