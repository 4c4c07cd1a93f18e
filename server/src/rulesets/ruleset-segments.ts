import type { EntityManager } from 'typeorm';
import { InvalidInputError, type Problem } from '../common/errors';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { RuleSetErrorCode } from './ruleset.errors';
import type { RuleSetRow } from './ruleset-store';

/** Bounds of a rule set's segment list (a lead's segment is at most 200 characters too). */
const MAX_SEGMENTS = 100;
const MAX_SEGMENT_LENGTH = 200;

/** Shape of a segment list: bounded, no blank, padded or repeated segment. */
export function checkSegmentList(segments: string[], path: string): void {
  const problems: Problem[] = [];
  if (segments.length > MAX_SEGMENTS) problems.push({ path, message: `at most ${MAX_SEGMENTS} segments, got ${segments.length}` });
  const seen = new Set<string>();
  segments.slice(0, MAX_SEGMENTS).forEach((segment, index) => {
    if (segment.trim() === '' || segment !== segment.trim() || segment.length > MAX_SEGMENT_LENGTH)
      problems.push({
        path: `${path}[${index}]`,
        message: `must be 1 to ${MAX_SEGMENT_LENGTH} characters, without leading or trailing spaces`,
      });
    else if (seen.has(segment)) problems.push({ path: `${path}[${index}]`, message: `"${segment}" is listed twice` });
    seen.add(segment);
  });
  if (problems.length) throw InvalidInputError.of(RuleSetErrorCode.InvalidRuleSet, problems);
}

/**
 * A rule set file may list the segments its rule set scores; they belong to the rule set (set with
 * setSegments, which re-scores the leads that move), not to a version, so versions are stored without them.
 */
export function withoutSegments(definition: RuleSetDefinition): RuleSetDefinition {
  if (!('segments' in definition)) return definition;
  const { segments: _segments, ...rest } = definition as RuleSetDefinition & { segments?: unknown };
  return rest as RuleSetDefinition;
}

/** The segments a rule set file lists, or null. */
export function segmentsOf(definition: unknown): string[] | null {
  const segments = definition !== null && typeof definition === 'object' ? (definition as { segments?: unknown }).segments : undefined;
  return Array.isArray(segments) && segments.every((s) => typeof s === 'string') ? (segments as string[]) : null;
}

/** Every rule set's row, in id order: two changes cannot claim the same segment at once. */
export async function lockRuleSets(manager: EntityManager): Promise<void> {
  await manager.query('SELECT id FROM rule_set ORDER BY id FOR UPDATE');
}

/**
 * Refuses segments for the default rule set, and segments another rule set of the same model claims. A segment no
 * lead has yet is accepted: a rule set may be set up before its leads are imported.
 */
export async function checkSegmentClaims(
  manager: EntityManager,
  ruleSet: Pick<RuleSetRow, 'id' | 'key' | 'model' | 'isDefault' | 'segments'>,
  segments: string[],
  path: string,
): Promise<void> {
  if (ruleSet.isDefault && segments.length) {
    throw InvalidInputError.field(
      RuleSetErrorCode.InvalidRuleSet,
      path,
      `"${ruleSet.key}" is the default rule set: it scores every lead no other rule set claims and takes no segments`,
    );
  }
  const claims: Array<{ key: string; segment: string }> = await manager.query(
    // Claims are per score model: each model maps segments to its own rule sets.
    `SELECT rs.key, s.segment FROM rule_set rs, unnest(rs.segments) AS s(segment)
      WHERE rs.id <> $1::bigint AND rs.model = $3 AND rs.archived_at IS NULL AND s.segment = ANY($2::text[])`,
    [ruleSet.id, segments, ruleSet.model],
  );
  const problems: Problem[] = [];
  for (const [index, segment] of segments.entries()) {
    const claim = claims.find((row) => row.segment === segment);
    if (claim)
      problems.push({ path: `${path}[${index}]`, message: `"${segment}" is scored by rule set "${claim.key}"; remove it there first` });
  }
  if (problems.length) throw InvalidInputError.of(RuleSetErrorCode.InvalidRuleSet, problems);
}
