import type { MigrationInterface, QueryRunner } from 'typeorm';

const FORGET_SUBJECTS = `
  DELETE FROM model_score_history h USING old_rows o, score_model m
    WHERE m.subject = TG_ARGV[0] AND h.model = m.key AND h.subject_id = o.id;
  DELETE FROM model_score s USING old_rows o, score_model m
    WHERE m.subject = TG_ARGV[0] AND s.model = m.key AND s.subject_id = o.id;`;

/**
 * A deleted (erased) lead also leaves the reasons of its account's scores: account models name the
 * contacts behind a reason (leadId and a label, its name or e-mail), in model_score and in
 * model_score_history, and an erasure must leave no trace of the person. The lead-delete trigger of
 * migration 22 now strips the deleted leads from the contacts of those reasons, for the accounts the
 * leads belonged to (lead.account_id, by index; a contact that moved was re-scored out of its old
 * account's current reasons by account scoring).
 */
export class ModelScoreErasure1764050000023 implements MigrationInterface {
  name = 'ModelScoreErasure1764050000023';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION model_reasons_without_contacts(reasons jsonb, gone text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(jsonb_agg(
                 CASE WHEN jsonb_typeof(r -> 'contacts') = 'array' THEN
                   jsonb_set(r, '{contacts}', coalesce(
                     (SELECT jsonb_agg(c ORDER BY n) FROM jsonb_array_elements(r -> 'contacts') WITH ORDINALITY AS e(c, n)
                       WHERE NOT (c ->> 'leadId' = ANY(gone))),
                     '[]'::jsonb))
                 ELSE r END ORDER BY i), '[]'::jsonb)
          FROM jsonb_array_elements(reasons) WITH ORDINALITY AS x(r, i)
      $$;

      CREATE OR REPLACE FUNCTION model_score_forget_subjects() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        gone text[];
        accounts bigint[];
      BEGIN
        ${FORGET_SUBJECTS}
        IF TG_ARGV[0] = 'lead' THEN
          SELECT array_agg(o.id::text), array_agg(DISTINCT o.account_id) FILTER (WHERE o.account_id IS NOT NULL)
            INTO gone, accounts FROM old_rows o;
          IF accounts IS NOT NULL THEN
            UPDATE model_score s SET reasons = model_reasons_without_contacts(s.reasons, gone)
              FROM score_model m
             WHERE m.subject = 'account' AND s.model = m.key AND s.subject_id = ANY(accounts);
            UPDATE model_score_history h SET reasons = model_reasons_without_contacts(h.reasons, gone)
              FROM score_model m
             WHERE m.subject = 'account' AND h.model = m.key AND h.subject_id = ANY(accounts) AND h.reasons IS NOT NULL;
          END IF;
        END IF;
        RETURN NULL;
      END $$;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION model_score_forget_subjects() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${FORGET_SUBJECTS}
        RETURN NULL;
      END $$;
      DROP FUNCTION model_reasons_without_contacts(jsonb, text[]);
    `);
  }
}
