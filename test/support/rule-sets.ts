import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES_DIR } from '../../server/src/common/paths';
export { ok } from './scores';

/* What the rule set tests share: the shipped default rule set, and successful GraphQL results. */

// Loosely typed on purpose: the tests break the document in ways RuleSetDefinition forbids.
// biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
export type Doc = any;

export const DEFAULT_FILE = path.join(RULES_DIR, 'default-b2b.json');
/** rules/default-b2b.json as the file holds it. */
export const DEFAULT_TEXT = readFileSync(DEFAULT_FILE, 'utf8');
/** rules/default-b2b.json; copy it (structuredClone) before changing it. */
export const DEFAULT_B2B: Doc = JSON.parse(DEFAULT_TEXT);

export function indexOfRule(doc: Doc, name: string): number {
  const index = (doc.rules as Array<{ name: string }>).findIndex((rule) => rule.name === name);
  if (index < 0) throw new Error(`default-b2b.json has no rule "${name}"`);
  return index;
}

/** The data of a GraphQL result that must have succeeded. */
