import type { Problem } from '../common/errors';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { BUILT_IN_ACTIVITY_CATALOG, type CatalogActivityType, checkActivityTypes } from './validation/activity-types';
import { type CatalogAttribute, checkCatalog } from './validation/catalog';
import { checkRules, checkSharedConditions } from './validation/conditions';
import { checkFacts, checkThresholds } from './validation/document';
import { checkDuplicateRules } from './validation/duplicates';
import { atMost, checkExpandedSize, NESTED_TOO_DEEPLY, tooDeeplyNested, tooLarge } from './validation/limits';
import { NeverFiring } from './validation/never-firing';
import { isError, type RuleSetProblem, withoutRepeats } from './validation/problems';
import { checkReferenceCycles } from './validation/references';
import { RuleSetChecks } from './validation/rule-set-checks';
import { isSchemaValid, schemaProblemsOf } from './validation/schema';
import { checkContactsCatalog, checkSubjectFacts } from './validation/subject';

// The entry point of validation; each family of checks has its file in validation/. The API
// (validateRuleSet, createDraft, updateDraft), the rules CLI and the console (through the API) all
// call checkRuleSetDefinition.
export type { CatalogAttribute } from './validation/catalog';
export type { CatalogActivityType } from './validation/activity-types';
export { OPERATORS_BY_TYPE } from './validation/conditions';
export { RULE_SET_LIMITS } from './validation/limits';
export { isError, type RuleSetProblem } from './validation/problems';

export interface ValidationContext {
  /** The attribute catalog: attribute facts name a known attribute of the same type, and compare allowed values. */
  attributes?: ReadonlyMap<string, CatalogAttribute>;
  /** The account-scope catalog: attributes of account rule sets and accountAttribute facts (not checked when not given). */
  accountAttributes?: ReadonlyMap<string, CatalogAttribute>;
  /** The activity catalog: activity facts name known types (the built-in types when not given). */
  activityTypes?: ReadonlyMap<string, CatalogActivityType>;
}

/**
 * Every problem with a rule set document, errors and warnings: first its shape (JSON Schema), then
 * its meaning. It is valid when none is an error (isError).
 */
export function checkRuleSetDefinition(doc: unknown, context: ValidationContext = {}): RuleSetProblem[] {
  const deep = tooDeeplyNested(doc);
  if (deep) return [{ path: deep, message: NESTED_TOO_DEEPLY }];
  const size = tooLarge(doc);
  if (size) return [size];
  if (!isSchemaValid(doc)) return atMost(withoutRepeats(schemaProblemsOf(doc)));
  const checks = new RuleSetChecks(doc as RuleSetDefinition);
  // First, in linear time: what the others (and json-rules-engine) would expand without bound.
  checkReferenceCycles(checks);
  checkExpandedSize(checks);
  // Following references is safe (and linear) only without cycles or expansion past the limits.
  const never = new NeverFiring(checks, checks.problems.length === 0);
  checkFacts(checks);
  checkSubjectFacts(checks);
  checkSharedConditions(checks, never);
  checkRules(checks, never);
  checkDuplicateRules(checks);
  checkThresholds(checks);
  checkCatalog(checks, context.attributes, context.accountAttributes);
  checkContactsCatalog(checks, context.attributes);
  checkActivityTypes(checks, context.activityTypes ?? BUILT_IN_ACTIVITY_CATALOG);
  return atMost(withoutRepeats(checks.problems));
}

/** The errors of a rule set document (checkRuleSetDefinition without its warnings). An empty list means it is valid. */
export function validateRuleSetDefinition(doc: unknown, context: ValidationContext = {}): Problem[] {
  return checkRuleSetDefinition(doc, context).filter(isError);
}
