import type { Problem } from '../common/errors';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { type CatalogAttribute, checkCatalog } from './validation/catalog';
import { checkRules, checkSharedConditions } from './validation/conditions';
import { checkFacts, checkThresholds } from './validation/document';
import { atMost, checkExpandedSize, NESTED_TOO_DEEPLY, tooDeeplyNested, tooLarge } from './validation/limits';
import { checkReferenceCycles } from './validation/references';
import { RuleSetChecks } from './validation/rule-set-checks';
import { isSchemaValid, schemaProblemsOf } from './validation/schema';

// The entry point of validation; each family of checks has its file in validation/.
export type { CatalogAttribute } from './validation/catalog';
export { OPERATORS_BY_TYPE } from './validation/conditions';
export { RULE_SET_LIMITS } from './validation/limits';

export interface ValidationContext {
  /** The attribute catalog: attribute facts must name a known attribute of the same type. */
  attributes?: ReadonlyMap<string, CatalogAttribute>;
}

/**
 * Every problem with a rule set document: first its shape (JSON Schema), then its meaning.
 * An empty list means it is valid.
 */
export function validateRuleSetDefinition(doc: unknown, context: ValidationContext = {}): Problem[] {
  const deep = tooDeeplyNested(doc);
  if (deep) return [{ path: deep, message: NESTED_TOO_DEEPLY }];
  const size = tooLarge(doc);
  if (size) return [size];
  if (!isSchemaValid(doc)) return atMost(schemaProblemsOf(doc));
  const checks = new RuleSetChecks(doc as RuleSetDefinition);
  // First, in linear time: what the others (and json-rules-engine) would expand without bound.
  checkReferenceCycles(checks);
  checkExpandedSize(checks);
  checkFacts(checks);
  checkSharedConditions(checks);
  checkRules(checks);
  checkThresholds(checks);
  if (context.attributes) checkCatalog(checks, context.attributes);
  return atMost(checks.problems);
}
