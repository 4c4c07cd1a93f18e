import { ACTIVITY_TYPES, unknownActivityTypes } from '../../engine/ruleset-definition';
import { quoted } from './leaves';
import type { RuleSetChecks } from './rule-set-checks';
import { closestAllowed } from './suggest';

/**
 * What validation reads of a catalog activity type (activities/ owns the catalog; app.ts passes it
 * in). A retired type may still be counted (its past activities stay) but gets no new ones.
 */
export interface CatalogActivityType {
  name: string;
  retired?: boolean;
}

const SUGGESTION_SEARCHES = 50;

/** The built-in types: the catalog when none is given (the rules CLI, files in rules/). */
export const BUILT_IN_ACTIVITY_CATALOG: ReadonlyMap<string, CatalogActivityType> = new Map(ACTIVITY_TYPES.map((name) => [name, { name }]));

/**
 * Activity facts name types of the catalog: an unknown name is an error with a "did you mean"
 * (the JSON Schema only checks the name's shape, since the catalog is open); a retired one a warning.
 */
export function checkActivityTypes(checks: RuleSetChecks, catalog: ReadonlyMap<string, CatalogActivityType>): void {
  const names = [...catalog.values()].filter((type) => !type.retired).map((type) => type.name);
  // Each search compares with every catalog name: the first ones get a suggestion, not all of a huge document's.
  let searches = SUGGESTION_SEARCHES;
  for (const { path, type } of unknownActivityTypes(checks.doc, new Set(catalog.keys()))) {
    const suggestion = searches-- > 0 ? closestAllowed(type, names) : undefined;
    const hint =
      suggestion !== undefined ? `; did you mean ${quoted(suggestion)}?` : ': define it in the activity catalog or pick one of its types';
    checks.add(path, `There is no activity type ${quoted(type)} in the activity catalog${hint}`, { suggestion });
  }
  checks.doc.facts.forEach((fact, index) => {
    if (fact.source !== 'activity' || !Array.isArray(fact.activityTypes)) return;
    fact.activityTypes.forEach((type, at) => {
      if (catalog.get(type)?.retired)
        checks.warn(
          `facts[${index}].activityTypes[${at}]`,
          `The activity type ${quoted(type)} is retired: only activities recorded before it was retired are counted`,
        );
    });
  });
}
