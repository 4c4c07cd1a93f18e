import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backtests of account models (issue 18): a cohort and a run say which subject they are about. An
 * account cohort keeps its accounts (their outcome derived from the account's and its contacts'
 * outcomes, and the cutoff their facts are taken at) in backtest_cohort_account, and their contacts
 * as of that cutoff in backtest_cohort_lead like a lead cohort's leads, with the account they
 * belong to. Lead cohorts and runs stay as they are (subject 'lead', no account rows).
 */
export class AccountBacktests1764050000025 implements MigrationInterface {
  name = 'AccountBacktests1764050000025';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE backtest_cohort
        ADD COLUMN subject text NOT NULL DEFAULT 'lead' CHECK (subject IN ('lead', 'account')),
        ADD COLUMN account_count integer NULL;
      ALTER TABLE backtest_cohort_lead ADD COLUMN account_id bigint NULL;

      -- One account as of its cutoff. Like backtest_cohort_lead, no foreign key to the account: the
      -- snapshot must not change when the account does. Deleting the cohort (lead erasure) deletes it.
      CREATE TABLE backtest_cohort_account (
        cohort_id bigint NOT NULL REFERENCES backtest_cohort (id) ON DELETE CASCADE,
        account_id bigint NOT NULL,
        external_id text NULL,
        name text NOT NULL,
        -- json, not jsonb: read back as stored text (as backtest_cohort_lead.attributes).
        attributes json NOT NULL,
        first_contact_at timestamptz NOT NULL,
        -- min(chosen cutoff, decision - 1 ms) for decided accounts, whole milliseconds.
        cutoff_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('open', 'converted', 'lost')),
        converted boolean NOT NULL,
        decided boolean NOT NULL,
        outcome_at timestamptz NULL,
        deal_value numeric(14, 2) NULL,
        contact_count integer NOT NULL,
        PRIMARY KEY (cohort_id, account_id)
      );

      ALTER TABLE backtest_run ADD COLUMN subject text NOT NULL DEFAULT 'lead' CHECK (subject IN ('lead', 'account'));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM backtest_run WHERE subject = 'account';
      ALTER TABLE backtest_run DROP COLUMN subject;
      DROP TABLE backtest_cohort_account;
      DELETE FROM backtest_cohort_lead WHERE cohort_id IN (SELECT id FROM backtest_cohort WHERE subject = 'account');
      DELETE FROM backtest_cohort WHERE subject = 'account';
      ALTER TABLE backtest_cohort_lead DROP COLUMN account_id;
      ALTER TABLE backtest_cohort DROP COLUMN account_count, DROP COLUMN subject;
    `);
  }
}
