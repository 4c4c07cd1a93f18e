import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cohort spec may be prepared again once the outcomes it froze have changed: each preparation of a
 * spec is a generation (0, 1, ...), unique per checksum, and a new backtest of the spec uses the newest.
 */
export class CohortRefresh1764050000010 implements MigrationInterface {
  name = 'CohortRefresh1764050000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE backtest_cohort ADD COLUMN generation integer NOT NULL DEFAULT 0;
      ALTER TABLE backtest_cohort DROP CONSTRAINT backtest_cohort_checksum_key;
      ALTER TABLE backtest_cohort ADD CONSTRAINT backtest_cohort_checksum_generation_key UNIQUE (checksum, generation);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Back to one cohort per spec: the older generations go (their runs keep their results, not their cohort).
    await queryRunner.query(`
      CREATE TEMP TABLE superseded_cohort AS
        SELECT c.id FROM backtest_cohort c
         WHERE EXISTS (SELECT 1 FROM backtest_cohort n WHERE n.checksum = c.checksum AND n.generation > c.generation);
      UPDATE backtest_run SET cohort_id = NULL WHERE cohort_id IN (SELECT id FROM superseded_cohort);
      DELETE FROM backtest_cohort_lead WHERE cohort_id IN (SELECT id FROM superseded_cohort);
      DELETE FROM backtest_cohort WHERE id IN (SELECT id FROM superseded_cohort);
      DROP TABLE superseded_cohort;
      ALTER TABLE backtest_cohort DROP CONSTRAINT backtest_cohort_checksum_generation_key;
      ALTER TABLE backtest_cohort ADD CONSTRAINT backtest_cohort_checksum_key UNIQUE (checksum);
      ALTER TABLE backtest_cohort DROP COLUMN generation;
    `);
  }
}
