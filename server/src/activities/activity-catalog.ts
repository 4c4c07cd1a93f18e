import type { Problem } from '../common/errors';
import { ACTIVITY_TYPE_NAME, ACTIVITY_TYPES } from '../engine/ruleset-definition';

export const ACTIVITY_PROPERTY_TYPES = ['string', 'number', 'boolean'] as const;
export type ActivityPropertyType = (typeof ACTIVITY_PROPERTY_TYPES)[number];

export interface ActivityPropertySpec {
  name: string;
  type: ActivityPropertyType;
  /** A required property must be present (not null) on every activity of the type. */
  required: boolean;
}

/** One activity type of the catalog. */
export interface ActivityTypeSpec {
  name: string;
  /** Stable and never reused: backtest cohort snapshots store types by code. */
  code: number;
  label: string;
  description: string;
  properties: ActivityPropertySpec[];
  /** Whether properties not listed are accepted (as flat string/number/boolean/null values). */
  openProperties: boolean;
  builtIn: boolean;
  retiredAt: Date | null;
}

export type UnknownActivityTypePolicy = { policy: 'REFUSE' } | { policy: 'MAP_TO'; mapTo: string };

/** The catalog as one request reads it: every type (retired ones too) and the unknown-type policy. */
export interface ActivityCatalog {
  types: ReadonlyMap<string, ActivityTypeSpec>;
  unknownTypes: UnknownActivityTypePolicy;
}

/** Caps on the catalog: each define is bounded, and so is what a request validates against. */
export const ACTIVITY_CATALOG_LIMITS = {
  /** Types in the catalog, retired ones included (codes are smallint; snapshots index by code). */
  maxTypes: 500,
  /** Declared properties per type (an activity carries at most 50 properties). */
  maxProperties: 50,
  propertyName: 100,
  label: 200,
  description: 1000,
} as const;

const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The built-in types as the catalog holds them on first start: any flat properties accepted, as before the catalog existed. */
export const BUILT_IN_ACTIVITY_TYPES: readonly ActivityTypeSpec[] = ACTIVITY_TYPES.map((name, index) => ({
  name,
  code: index + 1,
  label: name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' '),
  description: '',
  properties: [],
  openProperties: true,
  builtIn: true,
  retiredAt: null,
}));

/** A catalog of the built-in types only, unknown types refused: what ActivityService checks against without a catalog. */
export const BUILT_IN_CATALOG: ActivityCatalog = {
  types: new Map(BUILT_IN_ACTIVITY_TYPES.map((spec) => [spec.name, spec])),
  unknownTypes: { policy: 'REFUSE' },
};

export interface DefineActivityTypeData {
  name: string;
  label: string;
  description?: string | null;
  properties?: ActivityPropertySpec[] | null;
  openProperties?: boolean | null;
}

/** What is wrong with a type definition, each problem under `input.` (the mutation's argument). */
export function checkActivityTypeDefinition(data: DefineActivityTypeData): Problem[] {
  const problems: Problem[] = [];
  if (typeof data.name !== 'string' || !ACTIVITY_TYPE_NAME.test(data.name))
    problems.push({
      path: 'input.name',
      message: 'must be snake_case: a lowercase letter, then lowercase letters, digits or _ (2 to 63 characters)',
    });
  if (typeof data.label !== 'string' || !data.label.trim() || data.label.length > ACTIVITY_CATALOG_LIMITS.label)
    problems.push({ path: 'input.label', message: `must be 1 to ${ACTIVITY_CATALOG_LIMITS.label} characters` });
  if ((data.description ?? '').length > ACTIVITY_CATALOG_LIMITS.description)
    problems.push({ path: 'input.description', message: `at most ${ACTIVITY_CATALOG_LIMITS.description} characters` });
  const properties = data.properties ?? [];
  if (properties.length > ACTIVITY_CATALOG_LIMITS.maxProperties) {
    problems.push({ path: 'input.properties', message: `at most ${ACTIVITY_CATALOG_LIMITS.maxProperties} properties` });
    return problems;
  }
  const seen = new Set<string>();
  properties.forEach((property, index) => {
    const path = `input.properties[${index}]`;
    if (
      typeof property.name !== 'string' ||
      !PROPERTY_NAME.test(property.name) ||
      property.name.length > ACTIVITY_CATALOG_LIMITS.propertyName
    )
      problems.push({
        path: `${path}.name`,
        message: `must start with a letter and hold letters, digits or _ (at most ${ACTIVITY_CATALOG_LIMITS.propertyName})`,
      });
    else if (seen.has(property.name)) problems.push({ path: `${path}.name`, message: `"${property.name}" is listed twice` });
    else seen.add(property.name);
    if (!ACTIVITY_PROPERTY_TYPES.includes(property.type))
      problems.push({ path: `${path}.type`, message: `must be one of ${ACTIVITY_PROPERTY_TYPES.join(', ')}` });
  });
  return problems;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return `${value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`} ${text && text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/**
 * Properties of one activity against its type's definition: declared ones have their type, required
 * ones are present, others only when the type is open. Each problem at `<base>.properties.<name>`.
 * The shape every property must have (flat, capped) is activity-validation's check.
 */
export function checkActivityProperties(properties: Record<string, unknown>, spec: ActivityTypeSpec, base: string): Problem[] {
  const problems: Problem[] = [];
  const declared = new Map(spec.properties.map((property) => [property.name, property]));
  for (const [name, value] of Object.entries(properties)) {
    const property = declared.get(name);
    const path = `${base}.properties.${name.slice(0, ACTIVITY_CATALOG_LIMITS.propertyName)}`;
    if (!property) {
      if (!spec.openProperties) {
        const known = spec.properties.map((p) => p.name);
        problems.push({
          path,
          message: `unknown property of ${spec.name}; ${known.length ? `its properties are ${known.join(', ')}` : 'it has no properties'}`,
        });
      }
      continue;
    }
    if (value === null) continue;
    const ok = property.type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === property.type;
    if (!ok) problems.push({ path, message: `must be a ${property.type}, got ${describe(value)}` });
  }
  for (const property of spec.properties) {
    if (property.required && (properties[property.name] === undefined || properties[property.name] === null))
      problems.push({ path: `${base}.properties.${property.name}`, message: `is required for ${spec.name} (a ${property.type})` });
  }
  return problems;
}

/**
 * The type an activity is stored under: its own when the catalog knows it (retired or not; the
 * validation refuses retired ones), the configured one when the policy maps unknown types.
 */
export function storedActivityType(type: string, catalog: ActivityCatalog): string {
  if (typeof type !== 'string' || !type.trim() || catalog.types.has(type) || catalog.unknownTypes.policy !== 'MAP_TO') return type;
  return catalog.unknownTypes.mapTo;
}
