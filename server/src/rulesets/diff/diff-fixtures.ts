import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES_DIR } from '../../common/paths';
import type { RuleDefinition, RuleSetDefinition } from '../../engine/ruleset-definition';
import type { RuleSetDiff } from './diff-types';

/* Helpers of the diff tests: rules/default-b2b.json and modified copies, and the diffs expected. */

export const DEFAULT_B2B: RuleSetDefinition = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8'));

export function copy(): RuleSetDefinition {
  return structuredClone(DEFAULT_B2B);
}

export function ruleOf(doc: RuleSetDefinition, name: string): RuleDefinition {
  const rule = doc.rules.find((candidate) => candidate.name === name);
  if (!rule) throw new Error(`default-b2b.json has no rule "${name}"`);
  return rule;
}

// Loosely typed access into conditions, which the tests edit in place.
// biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
export function conditionsOf(doc: RuleSetDefinition, name: string): any {
  return ruleOf(doc, name).conditions;
}

export const EMPTY: Omit<RuleSetDiff, 'summary' | 'identical'> = {
  document: [],
  facts: { added: [], removed: [], changed: [] },
  sharedConditions: { added: [], removed: [], changed: [] },
  rules: { added: [], removed: [], changed: [], reordered: false },
  caps: [],
  decay: [],
  grades: [],
  levels: [],
  bands: [],
  qualification: [],
  cells: [],
};

/** The diff expected when only the given parts differ. */
export function only(parts: Partial<RuleSetDiff>): RuleSetDiff {
  return { ...EMPTY, identical: false, summary: [], ...parts };
}

export function rulesPart(parts: Partial<RuleSetDiff['rules']>): RuleSetDiff['rules'] {
  return { ...EMPTY.rules, ...parts };
}
