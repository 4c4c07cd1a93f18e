import type { RuleSetChecks } from './rule-set-checks';

/** What validation reads of a catalog attribute (leads/ owns the catalog; app.ts passes it in). */
export interface CatalogAttribute {
  type: string;
}

/** Attribute facts name an attribute of the catalog, of the same type. */
export function checkCatalog(checks: RuleSetChecks, catalog: ReadonlyMap<string, CatalogAttribute>): void {
  checks.doc.facts.forEach((fact, index) => {
    if (fact.source !== 'attribute') return;
    const name = fact.attribute ?? fact.name;
    const spec = catalog.get(name);
    if (!spec)
      checks.add(`facts[${index}].${fact.attribute ? 'attribute' : 'name'}`, `no lead attribute "${name}" in the attribute catalog`);
    else if (spec.type !== fact.type) checks.add(`facts[${index}].type`, `attribute "${name}" is a ${spec.type}, not ${fact.type}`);
  });
}
