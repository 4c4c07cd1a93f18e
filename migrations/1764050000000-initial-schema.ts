import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764050000000 implements MigrationInterface {
  name = 'InitialSchema1764050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rule_set (
        id bigserial PRIMARY KEY,
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        is_default boolean NOT NULL DEFAULT false,
        segments text[] NOT NULL DEFAULT '{}',
        active_version_id bigint NULL,
        archived_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX rule_set_one_default ON rule_set (is_default) WHERE is_default;

      CREATE TABLE rule_set_version (
        id bigserial PRIMARY KEY,
        rule_set_id bigint NOT NULL REFERENCES rule_set (id),
        version integer NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'published', 'retired')),
        definition json NOT NULL,
        checksum text NOT NULL,
        revision integer NOT NULL DEFAULT 1,
        created_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        UNIQUE (rule_set_id, version)
      );
      ALTER TABLE rule_set ADD CONSTRAINT rule_set_active_version_fk
        FOREIGN KEY (active_version_id) REFERENCES rule_set_version (id);

      CREATE TABLE attribute_definition (
        name text PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('string', 'number', 'boolean', 'string[]', 'date')),
        label text NOT NULL,
        description text NOT NULL DEFAULT '',
        allowed_values text[] NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE lead (
        id bigserial PRIMARY KEY,
        external_id text NOT NULL UNIQUE,
        email text NULL,
        segment text NULL,
        source text NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        outcome text NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'converted', 'lost')),
        outcome_at timestamptz NULL,
        deal_value numeric(14, 2) NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX lead_email ON lead (lower(email));
      CREATE INDEX lead_created_at ON lead (created_at, id);

      CREATE TABLE activity (
        id bigserial PRIMARY KEY,
        lead_id bigint NOT NULL REFERENCES lead (id) ON DELETE CASCADE,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        properties jsonb NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX activity_lead_occurred ON activity (lead_id, occurred_at DESC, id DESC);

      CREATE TABLE lead_score (
        lead_id bigint PRIMARY KEY REFERENCES lead (id) ON DELETE CASCADE,
        rule_set_version_id bigint NOT NULL REFERENCES rule_set_version (id),
        rule_set_key text NOT NULL,
        rule_set_version integer NOT NULL,
        fit integer NOT NULL,
        engagement integer NOT NULL,
        total integer NOT NULL,
        fit_grade char(1) NOT NULL,
        engagement_level smallint NOT NULL,
        cell text NOT NULL,
        band text NOT NULL,
        qualified boolean NOT NULL,
        action text NOT NULL,
        action_label text NOT NULL,
        -- The explanation, compactly: indexes of the version's rules that fired, and the adjustments.
        fired_rules smallint[] NOT NULL,
        cap_fit integer NOT NULL DEFAULT 0,
        cap_engagement integer NOT NULL DEFAULT 0,
        decay integer NOT NULL DEFAULT 0,
        days_inactive integer NOT NULL DEFAULT 0,
        scored_at timestamptz NOT NULL,
        last_activity_at timestamptz NULL
      );
      CREATE INDEX lead_score_total ON lead_score (total DESC, lead_id DESC);
      CREATE INDEX lead_score_cell ON lead_score (cell, total DESC);

      CREATE TABLE score_history (
        id bigserial PRIMARY KEY,
        lead_id bigint NOT NULL REFERENCES lead (id) ON DELETE CASCADE,
        cause text NOT NULL,
        rule_set_version_id bigint NOT NULL REFERENCES rule_set_version (id),
        activity_id bigint NULL,
        old_fit integer NULL,
        new_fit integer NOT NULL,
        old_engagement integer NULL,
        new_engagement integer NOT NULL,
        old_total integer NULL,
        new_total integer NOT NULL,
        old_cell text NULL,
        new_cell text NOT NULL,
        old_band text NULL,
        new_band text NOT NULL,
        old_qualified boolean NULL,
        new_qualified boolean NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX score_history_lead ON score_history (lead_id, id DESC);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE score_history;
      DROP TABLE lead_score;
      DROP TABLE activity;
      DROP TABLE lead;
      DROP TABLE attribute_definition;
      ALTER TABLE rule_set DROP CONSTRAINT rule_set_active_version_fk;
      DROP TABLE rule_set_version;
      DROP TABLE rule_set;
    `);
  }
}
