import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversion probability by score: what each completed backtest of a saved version says about
 * calibrating that version's scores. An accepted row carries the isotonic steps; a refused one
 * says why (too few conversions, ...), so a missing probability can be explained.
 */
export class ScoreCalibration1764050000012 implements MigrationInterface {
  name = 'ScoreCalibration1764050000012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE score_calibration (
        run_id bigint PRIMARY KEY REFERENCES backtest_run (id) ON DELETE CASCADE,
        version_id bigint NOT NULL REFERENCES rule_set_version (id),
        -- The version's definition as backtested: a later edit of a draft makes the calibration stale.
        definition_checksum text NOT NULL,
        -- [{score, p, leads}], non-decreasing in p; null when the backtest was not accepted.
        steps jsonb NULL,
        refused_reason text NULL,
        leads integer NOT NULL,
        conversions integer NOT NULL,
        -- The newest lead creation time the cohort covers: how old the evidence is.
        cohort_to timestamptz NOT NULL,
        calibrated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((steps IS NULL) <> (refused_reason IS NULL))
      );
      CREATE INDEX score_calibration_latest ON score_calibration (version_id, calibrated_at DESC);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE score_calibration');
  }
}
