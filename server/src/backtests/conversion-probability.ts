import type { DataSource, EntityManager } from 'typeorm';
import { fitCalibration, probabilityOf, type CalibrationStep } from './calibration';

/**
 * When a backtest becomes the calibration of its version's scores ("accepted"): it backtested a
 * saved version (not an unsaved definition), it completed, and its measured leads hold at least
 * `minConversions` conversions and as many leads that did not convert. The latest accepted
 * backtest of a version is the one its scores' probabilities come from; a probability is stale
 * when that backtest's cohort ends more than `maxAgeDays` ago, or the version was edited since.
 */
export const CALIBRATION_POLICY = {
  minConversions: 20,
  minNonConversions: 20,
  /** Each step of the fitted curve rests on at least this many leads. */
  minStepLeads: 20,
  maxAgeDays: 180,
} as const;

/** What a completed run says about calibrating its version (stored with its results). */
export interface CalibrationRecord {
  steps: CalibrationStep[] | null;
  refusedReason: string | null;
  leads: number;
  conversions: number;
}

/** Calibrates the measured leads' scores against their outcomes, or says why it will not. */
export function calibrationRecord(total: Float64Array, converted: Uint8Array, leads: ArrayLike<number>): CalibrationRecord {
  const scores = Float64Array.from(leads, (i) => total[i]);
  const outcomes = Uint8Array.from(leads, (i) => converted[i]);
  const conversions = outcomes.reduce((sum, hit) => sum + hit, 0);
  const base = { leads: scores.length, conversions };
  if (conversions < CALIBRATION_POLICY.minConversions) {
    return {
      ...base,
      steps: null,
      refusedReason: `${conversions} conversions among its ${scores.length} leads; calibration needs at least ${CALIBRATION_POLICY.minConversions}`,
    };
  }
  if (scores.length - conversions < CALIBRATION_POLICY.minNonConversions) {
    return {
      ...base,
      steps: null,
      refusedReason: `only ${scores.length - conversions} leads that did not convert among its ${scores.length}; calibration needs at least ${CALIBRATION_POLICY.minNonConversions}`,
    };
  }
  return { ...base, steps: fitCalibration(scores, outcomes, { minStepLeads: CALIBRATION_POLICY.minStepLeads }).steps, refusedReason: null };
}

/** Stores a completed run's calibration record (in the transaction that completes the run). */
export async function saveCalibration(manager: EntityManager, runId: string, record: CalibrationRecord): Promise<void> {
  await manager.query(
    `INSERT INTO score_calibration (run_id, version_id, definition_checksum, steps, refused_reason, leads, conversions, cohort_to)
     SELECT r.id, r.version_id, r.definition_checksum, $2::jsonb, $3, $4, $5, (r.cohort_spec ->> 'createdTo')::timestamptz
       FROM backtest_run r WHERE r.id = $1::bigint AND r.version_id IS NOT NULL
     ON CONFLICT (run_id) DO NOTHING`,
    [runId, record.steps ? JSON.stringify(record.steps) : null, record.refusedReason, record.leads, record.conversions],
  );
}

/** A version's latest accepted calibration, or (without one) its latest refused backtest. */
export interface VersionCalibration {
  versionId: string;
  runId: string;
  steps: CalibrationStep[] | null;
  refusedReason: string | null;
  leads: number;
  conversions: number;
  cohortTo: Date;
  calibratedAt: Date;
  /** The version's definition is still the one backtested. */
  sameDefinition: boolean;
}

/** One query for many versions: the accepted row first, the newest first. */
export async function latestCalibrations(dataSource: DataSource, versionIds: readonly string[]): Promise<Map<string, VersionCalibration>> {
  const ids = [...new Set(versionIds)].filter((id) => /^\d{1,18}$/.test(id));
  if (!ids.length) return new Map();
  const rows: VersionCalibration[] = await dataSource.query(
    `SELECT DISTINCT ON (c.version_id) c.version_id::text AS "versionId", c.run_id::text AS "runId",
            c.steps, c.refused_reason AS "refusedReason", c.leads, c.conversions, c.cohort_to AS "cohortTo", c.calibrated_at AS "calibratedAt",
            c.definition_checksum = v.checksum AS "sameDefinition"
       FROM score_calibration c JOIN rule_set_version v ON v.id = c.version_id
      WHERE c.version_id = ANY($1::bigint[])
      ORDER BY c.version_id, (c.steps IS NOT NULL) DESC, c.calibrated_at DESC, c.run_id DESC`,
    [ids],
  );
  return new Map(rows.map((row) => [row.versionId, row]));
}

export interface ConversionProbabilityView {
  value: number | null;
  source: { backtestRunId: string; calibratedAt: Date; cohortSize: number; conversions: number; cohortEndsAt: Date } | null;
  stale: boolean;
  reason: string | null;
}

const DAY_MS = 86_400_000;

/** The probability for a score under its version's calibration, or why there is none; says when it is stale. */
export function conversionProbability(
  score: number,
  version: { ruleSetKey: string; version: number },
  calibration: VersionCalibration | null | undefined,
  now: Date = new Date(),
): ConversionProbabilityView {
  const name = `version ${version.version} of ${version.ruleSetKey}`;
  if (!calibration) return { value: null, source: null, stale: false, reason: `no backtest of ${name} yet` };
  const source = {
    backtestRunId: calibration.runId,
    calibratedAt: calibration.calibratedAt,
    cohortSize: calibration.leads,
    conversions: calibration.conversions,
    cohortEndsAt: calibration.cohortTo,
  };
  if (!calibration.steps)
    return {
      value: null,
      source,
      stale: false,
      reason: `no accepted backtest of ${name}: the latest (run ${calibration.runId}) has ${calibration.refusedReason}`,
    };
  const ageDays = Math.floor((now.getTime() - new Date(calibration.cohortTo).getTime()) / DAY_MS);
  const value = probabilityOf({ steps: calibration.steps }, score);
  if (!calibration.sameDefinition)
    return { value, source, stale: true, reason: `${name} was edited after backtest ${calibration.runId}; backtest it again` };
  if (ageDays > CALIBRATION_POLICY.maxAgeDays) {
    return {
      value,
      source,
      stale: true,
      reason: `backtest ${calibration.runId}'s cohort ends ${ageDays} days ago (more than ${CALIBRATION_POLICY.maxAgeDays}); backtest newer leads`,
    };
  }
  return { value, source, stale: false, reason: null };
}
