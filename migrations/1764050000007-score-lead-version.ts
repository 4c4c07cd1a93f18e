import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * lead_score.lead_xmin: which version of the lead row a score was computed from (the row's xmin, the
 * transaction that last wrote it, as scoring read it). A re-score may carry a score's fired rules
 * over to a version with the same conditions and facts without evaluating them (carry-plan.ts) only
 * while the lead row is that same version: any later write to the lead, by the service or behind its
 * back, gives the row another xmin. Null (scores written before this column): always evaluated.
 */
export class ScoreLeadVersion1764050000007 implements MigrationInterface {
  name = 'ScoreLeadVersion1764050000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE lead_score ADD COLUMN lead_xmin xid NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE lead_score DROP COLUMN lead_xmin');
  }
}
