import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A re-score job that moves leads between rule sets (segments given up or claimed) records the
 * segments it moves, so that a publish of the same rule set, which supersedes that rule set's
 * running publish job, leaves it running: only it re-scores the leads that changed rule set.
 */
export class RescoreMovedSegments1764050000013 implements MigrationInterface {
  name = 'RescoreMovedSegments1764050000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rescore_job ADD COLUMN moved_segments text[] NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rescore_job DROP COLUMN moved_segments`);
  }
}
