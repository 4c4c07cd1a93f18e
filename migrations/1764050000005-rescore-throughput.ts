import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each lead's behavioural facts, as last computed, kept with its score so that re-scoring under a
 * new version whose activity facts are the same does not aggregate the lead's activities again.
 *
 * - facts_key: checksum of the activity fact definitions the values belong to (null: nothing cached);
 * - facts: the raw aggregates, one per activity fact in definition order (counts, sums, newest
 *   occurrence as epoch milliseconds), as of scored_at, comma-separated (`n`: null). Text, not
 *   float8[]: it is only ever written and read back whole, and text costs nothing to format;
 * - facts_valid_until: the first moment (epoch ms, rounded down) any of them can change without a
 *   new activity (an activity leaving a time window, or a future-dated one coming into view); null: never.
 *
 * And signature: what the lead sees of its score (points, cell, band, qualification, action,
 * explanation) in one string, so that re-scoring compares one column instead of reading twelve.
 *
 * score_history loses its foreign keys: checking them cost 29 us of the 39 us of each history row
 * written (a re-score of a million leads writes hundreds of thousands). Its rows are only written
 * by scoring, for leads it holds locked, under published versions, which are never deleted; the
 * cascade from lead stays, as a statement trigger.
 *
 * Any write to a lead's activities clears its key in the same statement (a trigger), so the
 * cache can never outlive the activities it was computed from, whichever code path wrote them.
 */
export class RescoreThroughput1764050000005 implements MigrationInterface {
  name = 'RescoreThroughput1764050000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE lead_score
        ADD COLUMN facts_key text NULL,
        ADD COLUMN facts text NULL,
        ADD COLUMN facts_valid_until bigint NULL,
        ADD COLUMN signature text NULL;
      -- The format of scoreSignature in server/src/scoring/scoring.service.ts.
      UPDATE lead_score SET signature = concat_ws('|', fit, engagement, total, CASE WHEN qualified THEN 'true' ELSE 'false' END,
        cap_fit, cap_engagement, decay, array_to_string(fired_rules, ','),
        concat_ws(',', to_json(cell), to_json(band), to_json(action), to_json(action_label)));
      -- Half of each page free: re-scoring every lead (a publish, the daily decay pass) rewrites every
      -- row, and a row whose indexed columns (total, cell) did not change can then be rewritten in its
      -- page without touching the indexes (a HOT update): about 3x cheaper.
      ALTER TABLE lead_score SET (fillfactor = 50);

      ALTER TABLE score_history DROP CONSTRAINT score_history_lead_id_fkey,
                                DROP CONSTRAINT score_history_rule_set_version_id_fkey;
      CREATE FUNCTION lead_deleted_drop_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM score_history h WHERE h.lead_id IN (SELECT id FROM old_rows);
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_deleted_drop_history AFTER DELETE ON lead
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_deleted_drop_history();

      CREATE FUNCTION lead_score_forget_facts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          UPDATE lead_score s SET facts_key = NULL
            WHERE s.facts_key IS NOT NULL AND s.lead_id IN (SELECT DISTINCT lead_id FROM old_rows);
        ELSIF TG_OP = 'UPDATE' THEN
          UPDATE lead_score s SET facts_key = NULL
            WHERE s.facts_key IS NOT NULL
              AND s.lead_id IN (SELECT lead_id FROM old_rows UNION SELECT lead_id FROM new_rows);
        ELSE
          UPDATE lead_score s SET facts_key = NULL
            WHERE s.facts_key IS NOT NULL AND s.lead_id IN (SELECT DISTINCT lead_id FROM new_rows);
        END IF;
        RETURN NULL;
      END $$;

      CREATE TRIGGER activity_inserted_forget_facts AFTER INSERT ON activity
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_score_forget_facts();
      CREATE TRIGGER activity_updated_forget_facts AFTER UPDATE ON activity
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_score_forget_facts();
      CREATE TRIGGER activity_deleted_forget_facts AFTER DELETE ON activity
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_score_forget_facts();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER activity_deleted_forget_facts ON activity;
      DROP TRIGGER activity_updated_forget_facts ON activity;
      DROP TRIGGER activity_inserted_forget_facts ON activity;
      DROP FUNCTION lead_score_forget_facts();
      DROP TRIGGER lead_deleted_drop_history ON lead;
      DROP FUNCTION lead_deleted_drop_history();
      DELETE FROM score_history h WHERE NOT EXISTS (SELECT 1 FROM lead l WHERE l.id = h.lead_id);
      ALTER TABLE score_history
        ADD CONSTRAINT score_history_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES lead (id) ON DELETE CASCADE,
        ADD CONSTRAINT score_history_rule_set_version_id_fkey FOREIGN KEY (rule_set_version_id) REFERENCES rule_set_version (id);
      ALTER TABLE lead_score RESET (fillfactor);
      ALTER TABLE lead_score DROP COLUMN signature, DROP COLUMN facts_valid_until, DROP COLUMN facts, DROP COLUMN facts_key;
    `);
  }
}
