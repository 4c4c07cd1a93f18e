import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scores carried to a new version without being rewritten (issue 20 item 2). A publish's re-score
 * leaves a lead's lead_score row as it is when the new version gives it the same score (signature,
 * days inactive) from the same cached aggregates; the version it was carried to is then resolved at
 * read time through score_carry: once a rule set's full re-score job completes, every row of that
 * rule set last written before the job's completion (write_seq lower than the carry's seq) reads as
 * the job's version. Rows written later name their version themselves.
 *
 * write_seq is taken from score_seq by every write of a score (under the lead's row lock), and the
 * carry's seq when the job completes (after every chunk committed), so their order is the order of
 * the writes. Existing rows have none (null: older than any carry). The default is set after the
 * column is added so that adding it does not rewrite the table.
 */
export class ScoreCarry1764050000026 implements MigrationInterface {
  name = 'ScoreCarry1764050000026';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE SEQUENCE score_seq;
      ALTER TABLE lead_score ADD COLUMN write_seq bigint NULL;
      ALTER TABLE lead_score ALTER COLUMN write_seq SET DEFAULT nextval('score_seq');
      CREATE TABLE score_carry (
        rule_set_key text PRIMARY KEY,
        seq bigint NOT NULL,
        rule_set_version_id bigint NOT NULL REFERENCES rule_set_version (id),
        rule_set_version integer NOT NULL
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Back to every row naming its version: rows carried take the version they were carried to.
    await queryRunner.query(`
      UPDATE lead_score s SET rule_set_version_id = c.rule_set_version_id, rule_set_version = c.rule_set_version
        FROM score_carry c WHERE c.rule_set_key = s.rule_set_key AND c.seq > coalesce(s.write_seq, 0);
      DROP TABLE score_carry;
      ALTER TABLE lead_score DROP COLUMN write_seq;
      DROP SEQUENCE score_seq;
    `);
  }
}
