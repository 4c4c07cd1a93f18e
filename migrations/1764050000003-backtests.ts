import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backtests: cohorts of historical leads frozen as point-in-time snapshots (one row per lead with
 * its activities before the cutoff as parallel arrays), and the runs that score a cohort under a
 * rule set version or an unsaved definition.
 */
export class Backtests1764050000003 implements MigrationInterface {
  name = 'Backtests1764050000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE backtest_cohort (
        id bigserial PRIMARY KEY,
        -- The normalised cohort spec; its sha256 identifies the cohort (one snapshot per spec).
        spec jsonb NOT NULL,
        checksum text NOT NULL UNIQUE,
        -- Written in the transaction that fills the snapshot: a cohort row is always complete.
        lead_count integer NOT NULL,
        converted_count integer NOT NULL,
        decided_count integer NOT NULL,
        activity_count bigint NOT NULL,
        property_count integer NOT NULL,
        created_by text NOT NULL,
        prepared_at timestamptz NOT NULL DEFAULT now(),
        prepare_ms integer NOT NULL
      );
      CREATE INDEX backtest_cohort_recent ON backtest_cohort (prepared_at DESC);

      -- Distinct activity property objects of a cohort; activities refer to them by id (0 = {}).
      CREATE TABLE backtest_cohort_property (
        cohort_id bigint NOT NULL REFERENCES backtest_cohort (id) ON DELETE CASCADE,
        id integer NOT NULL,
        properties jsonb NOT NULL,
        PRIMARY KEY (cohort_id, id)
      );

      -- One lead as of its cutoff. Rule-set independent: any rule set's facts are computed from it.
      -- No foreign keys on purpose: a snapshot is written a million rows at a time and must not
      -- change when leads do (the lead may even be deleted later).
      CREATE TABLE backtest_cohort_lead (
        cohort_id bigint NOT NULL,
        lead_id bigint NOT NULL,
        external_id text NOT NULL,
        email text NULL,
        segment text NULL,
        source text NULL,
        -- json, not jsonb: read back as stored text, without jsonb's output conversion.
        attributes json NOT NULL,
        created_at timestamptz NOT NULL,
        -- min(chosen cutoff, outcome_at - 1 ms) for decided leads, whole milliseconds.
        cutoff_at timestamptz NOT NULL,
        outcome text NOT NULL,
        converted boolean NOT NULL,
        decided boolean NOT NULL,
        outcome_at timestamptz NULL,
        deal_value numeric(14, 2) NULL,
        -- Activities at or before the cutoff, as parallel arrays: type (1-based index into
        -- ACTIVITY_TYPES, 0 for any other), milliseconds before the cutoff, property object id.
        activity_types smallint[] NOT NULL,
        activity_age_ms double precision[] NOT NULL,
        activity_properties integer[] NOT NULL,
        PRIMARY KEY (cohort_id, lead_id)
      );

      CREATE TABLE backtest_run (
        id bigserial PRIMARY KEY,
        cohort_id bigint NULL REFERENCES backtest_cohort (id),
        -- The cohort spec is kept on the run too: a queued run prepares its cohort first.
        cohort_spec jsonb NOT NULL,
        cohort_checksum text NOT NULL,
        rule_set_key text NOT NULL,
        version_id bigint NULL REFERENCES rule_set_version (id),
        -- The definition backtested when it is not a saved version; its checksum either way.
        definition json NULL,
        definition_checksum text NOT NULL,
        compare_version_id bigint NULL REFERENCES rule_set_version (id),
        compare_checksum text NULL,
        options jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        results jsonb NULL,
        error text NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL,
        duration_ms integer NULL
      );
      CREATE INDEX backtest_run_rule_set ON backtest_run (rule_set_key, id DESC);
      CREATE INDEX backtest_run_pending ON backtest_run (id) WHERE status IN ('queued', 'running');
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE backtest_run;
      DROP TABLE backtest_cohort_lead;
      DROP TABLE backtest_cohort_property;
      DROP TABLE backtest_cohort;
    `);
  }
}
