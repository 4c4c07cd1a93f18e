import type { FiredRule } from './rule-engine';
import type { DecayDefinition, Dimension, Grade, Level, RuleSetDefinition } from './ruleset-definition';

/** A line of the score's explanation. Rules, and the adjustments (caps, decay) that change their sum. */
export interface ScoreReason {
  rule: string;
  label: string;
  dimension: Dimension;
  points: number;
}

export interface ScoreOutcome {
  fit: number;
  engagement: number;
  total: number;
  fitGrade: Grade;
  engagementLevel: Level;
  cell: string;
  band: string;
  qualified: boolean;
  action: string;
  actionLabel: string;
  /** Sum of reasons' points per dimension equals fit and engagement: every point is explained. */
  reasons: ScoreReason[];
  /** The same explanation as stored with the score. */
  compact: CompactReasons;
}

export const CAP_RULE_PREFIX = '$cap.';
export const DECAY_RULE = '$decay';

function sumPoints(fired: FiredRule[], dimension: Dimension): number {
  return fired.reduce((sum, rule) => (rule.dimension === dimension ? sum + rule.points : sum), 0);
}

/** Engagement after `daysInactive` days without activity. Only positive engagement decays. */
export function applyDecay(engagement: number, decay: DecayDefinition, daysInactive: number): number {
  if (engagement <= 0 || decay.model === 'none') return engagement;
  const days = Math.max(0, daysInactive - decay.graceDays);
  if (days === 0) return engagement;
  if (decay.model === 'halfLife') return Math.round(engagement * 0.5 ** (days / decay.halfLifeDays));
  return Math.max(0, Math.round(engagement - decay.pointsPerDay * days));
}

export function gradeFor(fit: number, grades: RuleSetDefinition['grades']): Grade {
  if (fit >= grades.A) return 'A';
  if (fit >= grades.B) return 'B';
  if (fit >= grades.C) return 'C';
  return 'D';
}

export function levelFor(engagement: number, levels: RuleSetDefinition['levels']): Level {
  if (engagement >= levels['1']) return 1;
  if (engagement >= levels['2']) return 2;
  if (engagement >= levels['3']) return 3;
  return 4;
}

export function bandFor(total: number, bands: RuleSetDefinition['bands']): string {
  const band = bands.find((candidate) => candidate.min === undefined || total >= candidate.min);
  // A valid definition's last band has no minimum; fall back to it regardless.
  return (band ?? bands[bands.length - 1]).name;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** How a score is stored: which rules fired (indexes into the version's rules) and the adjustments. */
export interface CompactReasons {
  firedRules: number[];
  capFit: number;
  capEngagement: number;
  decay: number;
  daysInactive: number;
}

/** The cap and decay lines of the explanation, rebuilt from their points (stored or just computed). */
function adjustmentReasons(
  definition: RuleSetDefinition,
  fit: number,
  engagement: number,
  compact: Omit<CompactReasons, 'firedRules'>,
): ScoreReason[] {
  const reasons: ScoreReason[] = [];
  if (compact.capFit !== 0) {
    reasons.push({
      rule: `${CAP_RULE_PREFIX}fit`,
      label: `Fit capped at ${fit === definition.caps.fit.max ? 'maximum' : 'minimum'} ${fit}`,
      dimension: 'fit',
      points: compact.capFit,
    });
  }
  const capped = engagement - compact.decay;
  if (compact.capEngagement !== 0) {
    reasons.push({
      rule: `${CAP_RULE_PREFIX}engagement`,
      label: `Engagement capped at ${capped === definition.caps.engagement.max ? 'maximum' : 'minimum'} ${capped}`,
      dimension: 'engagement',
      points: compact.capEngagement,
    });
  }
  if (compact.decay !== 0) {
    const whole = Math.floor(compact.daysInactive);
    reasons.push({
      rule: DECAY_RULE,
      label: `Engagement decayed after ${whole} day${whole === 1 ? '' : 's'} without activity`,
      dimension: 'engagement',
      points: compact.decay,
    });
  }
  return reasons;
}

/** A stored score's reasons, from the version's rules and the stored adjustments. */
export function expandReasons(definition: RuleSetDefinition, fit: number, engagement: number, compact: CompactReasons): ScoreReason[] {
  const rules: ScoreReason[] = compact.firedRules.map((index) => {
    const rule = definition.rules[index];
    return { rule: rule.name, label: rule.event.params.label, dimension: rule.event.params.dimension, points: rule.event.params.points };
  });
  return [...rules, ...adjustmentReasons(definition, fit, engagement, compact)];
}

const ruleIndexes = new WeakMap<RuleSetDefinition, Map<string, number>>();

/** Each rule's position in the definition, by name (built once per definition). */
function ruleIndex(definition: RuleSetDefinition): Map<string, number> {
  let index = ruleIndexes.get(definition);
  if (!index) {
    index = new Map(definition.rules.map((rule, i) => [rule.name, i]));
    ruleIndexes.set(definition, index);
  }
  return index;
}

/**
 * Turns the rules that fired into a score: sum per dimension, clamp to caps, decay engagement by
 * days without activity, then grade, level, cell, band and qualification. With `reasons: false`
 * the outcome's reasons are left empty (its `compact` form is complete).
 */
export function computeScore(
  definition: RuleSetDefinition,
  fired: FiredRule[],
  daysInactive: number,
  options: {
    reasons?: boolean /** `fired`'s indexes in the definition's rules, when the caller has them. */;
    firedIndexes?: number[];
  } = {},
): ScoreOutcome {
  const rawFit = sumPoints(fired, 'fit');
  const fit = clamp(rawFit, definition.caps.fit.min, definition.caps.fit.max);
  const rawEngagement = sumPoints(fired, 'engagement');
  const cappedEngagement = clamp(rawEngagement, definition.caps.engagement.min, definition.caps.engagement.max);
  const engagement = applyDecay(cappedEngagement, definition.decay, daysInactive);
  const index = options.firedIndexes ? null : ruleIndex(definition);
  const compact: CompactReasons = {
    firedRules: options.firedIndexes ?? fired.map((rule) => index?.get(rule.rule) ?? -1),
    capFit: fit - rawFit,
    capEngagement: cappedEngagement - rawEngagement,
    decay: engagement - cappedEngagement,
    daysInactive,
  };
  // Bulk re-scoring stores only `compact` and can skip building the explanation (expandReasons rebuilds it).
  const reasons: ScoreReason[] =
    options.reasons === false
      ? []
      : [
          ...fired.map(({ rule, label, dimension, points }) => ({ rule, label, dimension, points })),
          ...adjustmentReasons(definition, fit, engagement, compact),
        ];

  const fitGrade = gradeFor(fit, definition.grades);
  const engagementLevel = levelFor(engagement, definition.levels);
  const cell = `${fitGrade}${engagementLevel}`;
  const total = fit + engagement;
  const cellAction = definition.cells[cell];
  return {
    fit,
    engagement,
    total,
    fitGrade,
    engagementLevel,
    cell,
    band: bandFor(total, definition.bands),
    qualified: total >= definition.qualification.threshold,
    action: cellAction.action,
    actionLabel: cellAction.label,
    reasons,
    compact,
  };
}
