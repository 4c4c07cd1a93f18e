import { type ConditionLeaf, type FactDefinition, subjectOf } from '../../engine/ruleset-definition';
import { factLabel, forEachLeaf, quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';
import { closestAllowed } from './suggest';

/**
 * What validation reads of a catalog attribute (leads/ owns the catalog; app.ts passes it in). The
 * allowed values of an enumerated attribute are `allowedValues` in the service's catalog and
 * `values` in rules/attributes.json.
 */
export interface CatalogAttribute {
  type: string;
  label?: string;
  allowedValues?: readonly string[] | null;
  values?: readonly string[] | null;
}

/** Operators whose value is compared with the fact's own values (the others match parts of text). */
const COMPARES_VALUES = new Set(['equal', 'notEqual', 'in', 'notIn', 'contains', 'doesNotContain']);

/**
 * Attribute facts name an attribute of the catalog, of the same type; compared values are allowed
 * ones. The attributes of an account rule set, and `accountAttribute` facts, are the account scope's
 * (`accountCatalog`); a scope whose catalog is not given is not checked.
 */
export function checkCatalog(
  checks: RuleSetChecks,
  catalog: ReadonlyMap<string, CatalogAttribute> | undefined,
  accountCatalog?: ReadonlyMap<string, CatalogAttribute>,
): void {
  const account = subjectOf(checks.doc) === 'account';
  const enumerated = new Map<string, { fact: FactDefinition; label: string; allowed: readonly string[] }>();
  checks.doc.facts.forEach((fact, index) => {
    // accountAttribute facts in an account rule set are refused by checkSubjectFacts.
    if (fact.source !== 'attribute' && (fact.source !== 'accountAttribute' || account)) return;
    const ofAccount = account || fact.source === 'accountAttribute';
    const scoped = ofAccount ? accountCatalog : catalog;
    if (!scoped) return;
    const name = fact.attribute ?? fact.name;
    const spec = scoped.get(name);
    const path = `facts[${index}].${fact.attribute ? 'attribute' : 'name'}`;
    if (!spec && ofAccount) {
      const suggestion = closestAllowed(name, [...scoped.keys()]);
      const hint = suggestion !== undefined ? `; did you mean ${quoted(suggestion)}?` : ': pick one of its account attributes';
      checks.add(path, `There is no account attribute ${quoted(name)} in the attribute catalog${hint}`, { suggestion });
    } else if (!spec) checks.add(path, `There is no lead attribute ${quoted(name)} in the attribute catalog: pick one of its attributes`);
    else if (spec.type !== fact.type)
      checks.add(
        `facts[${index}].type`,
        `The attribute ${factLabel(fact, spec.label)} is a ${spec.type} in the catalog, not a ${fact.type}: set the fact's type to ${spec.type}`,
      );
    else {
      const allowed = spec.allowedValues ?? spec.values;
      if (allowed?.length) enumerated.set(fact.name, { fact, label: factLabel(fact, spec.label), allowed });
    }
  });
  if (enumerated.size === 0) return;
  forEachLeaf(checks, (leaf, path) => {
    const attribute = enumerated.get(leaf.fact);
    if (!attribute || leaf.path !== undefined || !COMPARES_VALUES.has(leaf.operator)) return;
    for (const [value, at] of comparedValues(leaf, `${path}.value`)) {
      // Blank values are the blank check's; other types the value check's.
      if (typeof value !== 'string' || value.trim() === '' || attribute.allowed.includes(value)) continue;
      const suggestion = closestAllowed(value, attribute.allowed);
      const hint = suggestion !== undefined ? `; did you mean ${quoted(suggestion)}?` : ` (${listed(attribute.allowed)})`;
      checks.add(at, `${attribute.label} ${quoted(value)} is not one of the allowed values${hint}`, { suggestion });
    }
  });
}

function comparedValues(leaf: ConditionLeaf, path: string): Array<[unknown, string]> {
  if (Array.isArray(leaf.value)) return leaf.value.map((item, i) => [item, `${path}[${i}]`]);
  return [[leaf.value, path]];
}

function listed(allowed: readonly string[]): string {
  const shown = allowed.slice(0, 8).map(quoted).join(', ');
  return allowed.length > 8 ? `allowed: ${shown} and ${allowed.length - 8} more` : `allowed: ${shown}`;
}
