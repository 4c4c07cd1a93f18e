import type { CompactReasons, ScoreOutcome, ScoreReason } from '../engine/grading';
import type { ActivityValues } from '../engine/facts';
import type { ActiveRuleSet } from '../rulesets/ruleset.service';

/** A lead's stored score, as read from lead_score. */
export interface StoredScore {
  leadId: string;
  ruleSetVersionId: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  fit: number;
  engagement: number;
  total: number;
  fitGrade: string;
  engagementLevel: number;
  cell: string;
  band: string;
  qualified: boolean;
  action: string;
  actionLabel: string;
  /** Expanded from `compact` with the version's rules. */
  reasons: ScoreReason[];
  compact: CompactReasons;
  scoredAt: Date;
  lastActivityAt: Date | null;
  /** The version (xmin) of the lead row the score was computed from (only on scores just computed). */
  leadXmin?: string | null;
  /** The activity aggregates the score was computed from, cached with it (only on scores just computed). */
  facts?: {
    key: string;
    /** The aggregates; with `text` (carried over as stored), only those the carry read (the others are holes). */
    values: ActivityValues;
    /** The aggregates as stored (formatFacts), when taken over unparsed. */
    text?: string;
    validUntil: Date | null;
    reused: boolean;
  };
}

/** A lead_score row as read, before its reasons are expanded. */
export type ScoreRow = Omit<StoredScore, 'reasons' | 'compact'> & CompactReasons;

export interface ScoreSnapshotRow {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}

export interface ScoreChangeRow {
  id: string;
  cause: string;
  changedAt: Date;
  activityId: string | null;
  ruleSetKey: string;
  ruleSetVersion: number;
  old: ScoreSnapshotRow | null;
  new: ScoreSnapshotRow;
}

export interface ScorePassResult {
  leadsScored: number;
  leadsChanged: number;
}

export function toStored(
  leadId: string,
  ruleSet: ActiveRuleSet,
  outcome: ScoreOutcome,
  asOf: Date,
  lastActivityAt: Date | null,
): StoredScore {
  return {
    leadId,
    ruleSetVersionId: ruleSet.versionId,
    ruleSetKey: ruleSet.key,
    ruleSetVersion: ruleSet.version,
    fit: outcome.fit,
    engagement: outcome.engagement,
    total: outcome.total,
    fitGrade: outcome.fitGrade,
    engagementLevel: outcome.engagementLevel,
    cell: outcome.cell,
    band: outcome.band,
    qualified: outcome.qualified,
    action: outcome.action,
    actionLabel: outcome.actionLabel,
    reasons: outcome.reasons,
    compact: outcome.compact,
    scoredAt: asOf,
    lastActivityAt,
  };
}
