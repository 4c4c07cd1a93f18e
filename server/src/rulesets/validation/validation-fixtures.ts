import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Problem } from '../../common/errors';
import { RULES_DIR } from '../../common/paths';

/* Helpers of the validation tests: mutated copies of rules/default-b2b.json, one problem kind at a time. */

// Loosely typed on purpose: the tests break the document in ways RuleSetDefinition forbids.
// biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
export type Doc = any;

export const DEFAULT_B2B: Doc = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8'));

export function copy(): Doc {
  return structuredClone(DEFAULT_B2B);
}

export function indexOfRule(doc: Doc, name: string): number {
  const index = (doc.rules as { name: string }[]).findIndex((rule) => rule.name === name);
  if (index < 0) throw new Error(`default-b2b.json has no rule "${name}"`);
  return index;
}

/** Asserts the validator reports exactly this one problem (path exact, message matching). */
export function expectOnlyProblem(problems: Problem[], path: string, message: RegExp): void {
  expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
}
