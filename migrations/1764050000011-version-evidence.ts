import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a version was built from, for its reviewers: a draft made from a backtest's suggestions keeps
 * the run it came from and the holdout comparison with the version that was active then.
 */
export class VersionEvidence1764050000011 implements MigrationInterface {
  name = 'VersionEvidence1764050000011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rule_set_version ADD COLUMN backtest_run_id bigint REFERENCES backtest_run(id) ON DELETE SET NULL;
      ALTER TABLE rule_set_version ADD COLUMN evidence jsonb;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE rule_set_version DROP COLUMN evidence;
      ALTER TABLE rule_set_version DROP COLUMN backtest_run_id;
    `);
  }
}
