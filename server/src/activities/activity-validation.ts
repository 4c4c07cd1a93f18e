import type { Problem } from '../common/errors';
import { closestAllowed } from '../rulesets/validation/suggest';
import { type ActivityCatalog, BUILT_IN_CATALOG, checkActivityProperties } from './activity-catalog';
import type { RecordActivityData } from './activity.service';

export const ACTIVITY_LIMITS = {
  maxBatch: 500,
  idempotencyKey: 200,
  maxProperties: 50,
  propertyKey: 100,
  propertyValue: 2000,
  /** Clients' clocks drift; later than this is a mistake. */
  maxFutureMs: 5 * 60_000,
  earliest: new Date('2000-01-01T00:00:00Z'),
  /** Unknown types of one request that get a "did you mean" (each is compared with every catalog name). */
  suggestionsPerRequest: 20,
} as const;

/** How many more "did you mean" searches a request may make; validate takes one per unknown type. */
export interface SuggestionBudget {
  left: number;
}

/** The current (not retired) type names of a catalog, once per catalog: suggestions cache their work per list. */
const currentNamesOf = new WeakMap<ActivityCatalog, string[]>();
function currentNames(catalog: ActivityCatalog): string[] {
  let names = currentNamesOf.get(catalog);
  if (!names) {
    names = [...catalog.types.values()].filter((t) => !t.retiredAt).map((t) => t.name);
    currentNamesOf.set(catalog, names);
  }
  return names;
}

/** Why a type name is not one an activity may be recorded with, or null when it is. */
function typeProblem(type: unknown, catalog: ActivityCatalog, suggestions: SuggestionBudget): string | null {
  if (typeof type !== 'string' || !type.trim()) return 'is required: an activity type of the catalog (activityTypes)';
  const spec = catalog.types.get(type);
  if (spec?.retiredAt) return `${JSON.stringify(type)} was retired on ${spec.retiredAt.toISOString()}: record a current type`;
  if (spec) return null;
  let suggestion: string | undefined;
  if (suggestions.left > 0) {
    suggestions.left -= 1;
    suggestion = closestAllowed(type.slice(0, 100), currentNames(catalog));
  }
  return `${JSON.stringify(type.slice(0, 100))} is not an activity type of the catalog${
    suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ' (activityTypes lists them; defineActivityType adds one)'
  }`;
}

/**
 * What is wrong with an activity to record, each problem at its path under `base`. The type must
 * be a current type of `catalog` (unknown types are mapped before, when the catalog says so), and
 * the properties fit its definition.
 */
export function validate(
  item: RecordActivityData,
  base: string,
  now: Date,
  catalog: ActivityCatalog = BUILT_IN_CATALOG,
  suggestions: SuggestionBudget = { left: ACTIVITY_LIMITS.suggestionsPerRequest },
): Problem[] {
  const problems: Problem[] = [];
  if (!item.leadExternalId?.trim()) problems.push({ path: `${base}.leadExternalId`, message: 'must not be blank' });
  const wrongType = typeProblem(item.type, catalog, suggestions);
  if (wrongType) problems.push({ path: `${base}.type`, message: wrongType });
  const key = item.idempotencyKey ?? '';
  if (!key.trim())
    problems.push({
      path: `${base}.idempotencyKey`,
      message: 'is required: a key unique to this activity, so a retried request never counts twice',
    });
  else if (key.length > ACTIVITY_LIMITS.idempotencyKey)
    problems.push({ path: `${base}.idempotencyKey`, message: `at most ${ACTIVITY_LIMITS.idempotencyKey} characters` });
  const time = item.occurredAt instanceof Date ? item.occurredAt.getTime() : Number.NaN;
  if (Number.isNaN(time)) problems.push({ path: `${base}.occurredAt`, message: 'must be an ISO 8601 date-time' });
  else if (time > now.getTime() + ACTIVITY_LIMITS.maxFutureMs)
    problems.push({ path: `${base}.occurredAt`, message: `${item.occurredAt.toISOString()} is in the future` });
  else if (time < ACTIVITY_LIMITS.earliest.getTime())
    problems.push({ path: `${base}.occurredAt`, message: `must be after ${ACTIVITY_LIMITS.earliest.toISOString()}` });
  const properties = item.properties ?? {};
  const shapeChecked = problems.length;
  const entries = Object.entries(properties);
  if (entries.length > ACTIVITY_LIMITS.maxProperties)
    problems.push({ path: `${base}.properties`, message: `at most ${ACTIVITY_LIMITS.maxProperties} properties` });
  for (const [name, value] of entries.slice(0, ACTIVITY_LIMITS.maxProperties)) {
    const path = `${base}.properties.${name.slice(0, ACTIVITY_LIMITS.propertyKey)}`;
    if (name.length > ACTIVITY_LIMITS.propertyKey)
      problems.push({ path, message: `property names are at most ${ACTIVITY_LIMITS.propertyKey} characters` });
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      problems.push({ path, message: 'must be a string, number, boolean or null' });
    else if (typeof value === 'string' && value.length > ACTIVITY_LIMITS.propertyValue)
      problems.push({ path, message: `at most ${ACTIVITY_LIMITS.propertyValue} characters` });
    else if (typeof value === 'number' && !Number.isFinite(value)) problems.push({ path, message: 'must be a finite number' });
  }
  const spec = wrongType ? undefined : catalog.types.get(item.type);
  // Against the definition only once every property has a valid shape.
  if (spec && problems.length === shapeChecked) problems.push(...checkActivityProperties(properties, spec, base));
  return problems;
}
