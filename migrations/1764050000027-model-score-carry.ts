import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * model_score rows carried to a new version without being rewritten (issue 18, account model
 * publish), as migration 26 does for lead_score: a full re-score job of a non-default model leaves
 * a row as it is when the job's version gives it the same result, and once the job completes every
 * row of that model and rule set last written before then (write_seq lower than the carry's seq)
 * reads as the job's version (model_score_carry). Rows written later name their version themselves.
 *
 * write_seq comes from score_seq (migration 26), taken by every write of a model score under its
 * subject's lock; the carry's seq is taken when the job completes, after every chunk committed.
 * Existing rows have none (null: older than any carry). The default is set after the column is
 * added so that adding it does not rewrite the table.
 */
export class ModelScoreCarry1764050000027 implements MigrationInterface {
  name = 'ModelScoreCarry1764050000027';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE model_score ADD COLUMN write_seq bigint NULL;
      ALTER TABLE model_score ALTER COLUMN write_seq SET DEFAULT nextval('score_seq');
      CREATE TABLE model_score_carry (
        model text NOT NULL,
        rule_set_key text NOT NULL,
        seq bigint NOT NULL,
        rule_set_version_id bigint NOT NULL REFERENCES rule_set_version (id),
        rule_set_version integer NOT NULL,
        PRIMARY KEY (model, rule_set_key)
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Back to every row naming its version: rows carried take the version they were carried to.
    await queryRunner.query(`
      UPDATE model_score s SET rule_set_version_id = c.rule_set_version_id, rule_set_version = c.rule_set_version
        FROM model_score_carry c
       WHERE c.model = s.model AND c.rule_set_key = s.rule_set_key AND c.seq > coalesce(s.write_seq, 0);
      DROP TABLE model_score_carry;
      ALTER TABLE model_score DROP COLUMN write_seq;
    `);
  }
}
