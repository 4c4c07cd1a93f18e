import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Score models (issue 18): named scoring streams, each for one subject (lead or account), with their
 * own rule sets. `default` keeps scoring into `lead_score` exactly as before; every other lead model
 * and every account model stores into `model_score` (+ `model_score_history`). model_score has no
 * foreign key to its subject (the subject is a lead or an account by the model), so statement
 * triggers delete a deleted lead's or account's rows. A re-score job can run for one model over its
 * subject (`rescore_job.model`, `.subject`; NULL: the default model over leads, as before).
 */
export class ScoreModels1764050000022 implements MigrationInterface {
  name = 'ScoreModels1764050000022';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE score_model (
        key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_-]{1,62}$'),
        subject text NOT NULL CHECK (subject IN ('lead', 'account')),
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX score_model_one_default ON score_model (subject) WHERE is_default;
      INSERT INTO score_model (key, subject, name, is_default) VALUES
        ('default', 'lead', 'Lead score', true), ('account', 'account', 'Account score', true);

      ALTER TABLE rule_set ADD COLUMN model text NOT NULL DEFAULT 'default' REFERENCES score_model (key);
      DROP INDEX rule_set_one_default;
      CREATE UNIQUE INDEX rule_set_one_default ON rule_set (model) WHERE is_default;

      CREATE TABLE model_score (
        model text NOT NULL,
        subject_id bigint NOT NULL,
        rule_set_version_id bigint NOT NULL,
        rule_set_key text NOT NULL,
        rule_set_version integer NOT NULL,
        fit integer NOT NULL, engagement integer NOT NULL, total integer NOT NULL,
        fit_grade char(1) NOT NULL, engagement_level smallint NOT NULL, cell text NOT NULL, band text NOT NULL,
        qualified boolean NOT NULL, action text NOT NULL, action_label text NOT NULL,
        reasons jsonb NOT NULL DEFAULT '[]',
        scored_at timestamptz NOT NULL,
        last_activity_at timestamptz NULL,
        PRIMARY KEY (model, subject_id)
      );
      CREATE INDEX model_score_total ON model_score (model, total DESC, subject_id DESC);
      CREATE INDEX model_score_cell ON model_score (model, cell, total DESC);

      CREATE TABLE model_score_history (
        id bigserial PRIMARY KEY,
        model text NOT NULL, subject_id bigint NOT NULL, cause text NOT NULL, rule_set_version_id bigint NOT NULL,
        old_total integer NULL, new_total integer NOT NULL, old_cell text NULL, new_cell text NOT NULL,
        old_band text NULL, new_band text NOT NULL, old_qualified boolean NULL, new_qualified boolean NOT NULL,
        reasons jsonb NULL, changed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX model_score_history_subject ON model_score_history (model, subject_id, id DESC);

      CREATE FUNCTION model_score_forget_subjects() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM model_score_history h USING old_rows o, score_model m
          WHERE m.subject = TG_ARGV[0] AND h.model = m.key AND h.subject_id = o.id;
        DELETE FROM model_score s USING old_rows o, score_model m
          WHERE m.subject = TG_ARGV[0] AND s.model = m.key AND s.subject_id = o.id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_deleted_forget_model_scores AFTER DELETE ON lead
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION model_score_forget_subjects('lead');

      ALTER TABLE rescore_job
        ADD COLUMN model text NULL REFERENCES score_model (key),
        ADD COLUMN subject text NULL CHECK (subject IN ('lead', 'account'));
      CREATE INDEX rescore_job_model ON rescore_job (model, id DESC) WHERE model IS NOT NULL;
    `);
    // The account table comes from migration 21 (accounts); it always precedes this one once both
    // are registered, the check only keeps this migration runnable on its own.
    const [{ present }] = (await queryRunner.query(`SELECT to_regclass('account') IS NOT NULL AS present`)) as Array<{ present: boolean }>;
    if (present) {
      await queryRunner.query(`
        CREATE TRIGGER account_deleted_forget_model_scores AFTER DELETE ON account
          REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION model_score_forget_subjects('account')`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER IF EXISTS account_deleted_forget_model_scores ON account;
      DROP TRIGGER lead_deleted_forget_model_scores ON lead;
      DROP FUNCTION model_score_forget_subjects();
      DROP INDEX rescore_job_model;
      ALTER TABLE rescore_job DROP COLUMN subject, DROP COLUMN model;
      DROP TABLE model_score_history;
      DROP TABLE model_score;
      DROP INDEX rule_set_one_default;
      CREATE UNIQUE INDEX rule_set_one_default ON rule_set (is_default) WHERE is_default;
      ALTER TABLE rule_set DROP COLUMN model;
      DROP TABLE score_model;
    `);
  }
}
