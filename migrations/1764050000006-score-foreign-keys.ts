import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * lead_score loses its two foreign keys, as score_history did in RescoreThroughput1764050000005.
 *
 * Each was checked row by row (an internal trigger running a query that locks the referenced row FOR
 * KEY SHARE): on every new score (lead_id, rule_set_version_id) and on every score whose version
 * moves, which is every score on a publish. Measured in psql on 200,000 rows shaped like lead_score:
 * inserting them 3.31 s with the keys, 1.40 s without; moving them all to another version 2.31 s
 * with, 0.36 s without. Two re-score workers locking the one version row FOR KEY SHARE at once also
 * make PostgreSQL create multixacts for it.
 *
 * What the keys guaranteed still holds: scores are written only by scoring, for leads it has just
 * read with their row locked (so they exist and cannot be deleted meanwhile), under published
 * versions, which are never deleted. The cascade from lead stays, as a statement trigger that drops
 * the deleted leads' scores.
 */
export class ScoreForeignKeys1764050000006 implements MigrationInterface {
  name = 'ScoreForeignKeys1764050000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE lead_score DROP CONSTRAINT lead_score_lead_id_fkey,
                             DROP CONSTRAINT lead_score_rule_set_version_id_fkey;
      CREATE FUNCTION lead_deleted_drop_score() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM lead_score s WHERE s.lead_id IN (SELECT id FROM old_rows);
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_deleted_drop_score AFTER DELETE ON lead
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_deleted_drop_score();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER lead_deleted_drop_score ON lead;
      DROP FUNCTION lead_deleted_drop_score();
      DELETE FROM lead_score s WHERE NOT EXISTS (SELECT 1 FROM lead l WHERE l.id = s.lead_id);
      ALTER TABLE lead_score
        ADD CONSTRAINT lead_score_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES lead (id) ON DELETE CASCADE,
        ADD CONSTRAINT lead_score_rule_set_version_id_fkey FOREIGN KEY (rule_set_version_id) REFERENCES rule_set_version (id);
    `);
  }
}
