import type { Problem } from '../common/errors';
import { type AttributeSpec, checkAttributes } from '../leads/attribute-catalog';

/**
 * An identify's traits as a lead's email and attributes, pure. A trait maps to the catalog attribute
 * of the same name or to the one a trait mapping names; `email` sets the lead's email; other traits
 * are ignored and counted. Values are coerced to the attribute's type the way senders commonly
 * send them ("42" for a number, "true" for a boolean, "a, b" for a list, a case variant of an
 * allowed value); what cannot be coerced is a problem naming the trait (`batch[2].traits.employees`).
 */
export interface MappedTraits {
  email: string | null | undefined;
  attributes: Record<string, unknown>;
  /** The spec'd `company.id` trait: the client's key of the lead's account (undefined: not sent). */
  accountExternalId?: string;
  /** Traits that map to no attribute (left out). */
  unknownTraits: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Segment's spec'd `company` trait is an object: its name, size and industry become flat traits. */
function flattenSpecTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const company = traits.company;
  if (!isObject(company)) return traits;
  const flat: Record<string, unknown> = { ...traits, company: company.name ?? null };
  if (flat.employees === undefined && company.employee_count !== undefined) flat.employees = company.employee_count;
  if (flat.industry === undefined && company.industry !== undefined) flat.industry = company.industry;
  return flat;
}

/** `traits.company.id` (a string or a number) as the lead's account external id; a bad one is a problem naming it. */
function companyId(traits: Record<string, unknown>, path: string, problems: Problem[]): string | undefined {
  const id = isObject(traits.company) ? traits.company.id : undefined;
  if (id === undefined || id === null) return undefined;
  const text = typeof id === 'number' && Number.isFinite(id) ? String(id) : typeof id === 'string' ? id.trim() : null;
  if (text && text.length <= 200) return text;
  problems.push({ path: `${path}.traits.company.id`, message: 'must be a string or number of 1 to 200 characters (the account id)' });
  return undefined;
}

function coerce(value: unknown, spec: AttributeSpec): unknown {
  if (value === null) return null;
  switch (spec.type) {
    case 'number':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return value;
    case 'boolean':
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      return value;
    case 'string[]':
      if (typeof value === 'string')
        return value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
          .map((item) => allowedVariant(item, spec));
      if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? allowedVariant(item, spec) : item));
      return value;
    case 'date':
      return value;
    default:
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (typeof value === 'string') return allowedVariant(value, spec);
      return value;
  }
}

function allowedVariant(value: string, spec: AttributeSpec): string {
  if (!spec.allowedValues || spec.allowedValues.includes(value)) return value;
  const lower = value.trim().toLowerCase();
  return spec.allowedValues.find((allowed) => allowed.toLowerCase() === lower) ?? value;
}

export function mapTraits(
  raw: Record<string, unknown>,
  catalog: ReadonlyMap<string, AttributeSpec>,
  traitAttribute: ReadonlyMap<string, string>,
  path: string,
  problems: Problem[],
): MappedTraits {
  const traits = flattenSpecTraits(raw);
  const accountExternalId = companyId(raw, path, problems);
  const attributes: Record<string, unknown> = {};
  let email: string | null | undefined;
  let unknownTraits = 0;
  for (const [trait, value] of Object.entries(traits)) {
    const tracePath = `${path}.traits.${trait}`;
    if (trait === 'email') {
      if (value === null || value === '') email = null;
      else if (typeof value !== 'string' || value.length > 320 || !EMAIL.test(value))
        problems.push({ path: tracePath, message: 'must be an email address' });
      else email = value.trim();
      continue;
    }
    const name = traitAttribute.get(trait) ?? (catalog.has(trait) ? trait : null);
    const spec = name ? catalog.get(name) : undefined;
    if (!name || !spec) {
      unknownTraits += 1;
      continue;
    }
    const coerced = coerce(value, spec);
    const found = checkAttributes({ [name]: coerced }, catalog, 'attributes');
    if (found.length) {
      for (const problem of found)
        problems.push({ path: tracePath, message: `${problem.message}${name === trait ? '' : ` (mapped to attribute ${name})`}` });
      continue;
    }
    attributes[name] = coerced;
  }
  return { email, attributes, unknownTraits, ...(accountExternalId !== undefined ? { accountExternalId } : {}) };
}
