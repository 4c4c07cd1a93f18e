import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../server/src/common/paths';
import type { GqlError, GqlResult } from './test-app';

/* What the scoring tests share: the default rule set's points, and assertions on GraphQL results. */

/** The default rule set's points, levels, decay and threshold, read from the file so the expectations follow it. */
export interface RuleFile {
  rules: Array<{ name: string; event: { params: { dimension: 'fit' | 'engagement'; points: number } } }>;
  decay: { model: string; halfLifeDays: number; graceDays: number };
  levels: Record<'1' | '2' | '3', number>;
  qualification: { threshold: number };
}
export const RULES = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleFile;
export function points(rule: string): number {
  const found = RULES.rules.find((candidate) => candidate.name === rule);
  if (!found) throw new Error(`rule ${rule} is not in default-b2b.json`);
  return found.event.params.points;
}

export interface Reason {
  rule: string;
  dimension: 'FIT' | 'ENGAGEMENT';
  points: number;
}

/** The result's data, after asserting it has no error. */
export function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  expect(result.data).toBeTruthy();
  return result.data as T;
}

/** The result's one error, after asserting there is exactly one. */
export function onlyError<T>(result: GqlResult<T>): GqlError {
  expect(result.errors, 'expected an error').toBeDefined();
  expect(result.errors).toHaveLength(1);
  return (result.errors as GqlError[])[0];
}

/** A score's reasons add up to its fit and engagement, and those to its total. */
export function expectReasonsAddUp(score: { total: number; fit: number; engagement: number; reasons: Reason[] }): void {
  const sum = (dimension: Reason['dimension']) =>
    score.reasons.filter((r) => r.dimension === dimension).reduce((acc, r) => acc + r.points, 0);
  expect(sum('FIT')).toBe(score.fit);
  expect(sum('ENGAGEMENT')).toBe(score.engagement);
  expect(score.total).toBe(score.fit + score.engagement);
}
