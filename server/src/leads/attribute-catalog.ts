import type { Problem } from '../common/errors';
import type { AttributeType } from './attribute-definition.entity';
import type { AttributeValue } from './lead.entity';

export interface AttributeSpec {
  name: string;
  type: AttributeType;
  label: string;
  description: string;
  allowedValues: string[] | null;
}

export const ATTRIBUTE_LIMITS = { maxAttributes: 100, maxStringLength: 500, maxListItems: 100 } as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return `${Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`} ${text && text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/**
 * Checks incoming attributes against the catalog. Pure: returns the problems, each naming
 * `<basePath>.<attribute>`; null means "remove this attribute".
 */
export function checkAttributes(
  attributes: Record<string, unknown>,
  catalog: ReadonlyMap<string, AttributeSpec>,
  basePath: string,
): Problem[] {
  const problems: Problem[] = [];
  const entries = Object.entries(attributes);
  if (entries.length > ATTRIBUTE_LIMITS.maxAttributes) {
    return [{ path: basePath, message: `at most ${ATTRIBUTE_LIMITS.maxAttributes} attributes` }];
  }
  for (const [name, value] of entries) {
    const path = `${basePath}.${name}`;
    const spec = catalog.get(name);
    if (!spec) {
      problems.push({ path, message: `unknown attribute; known attributes are ${[...catalog.keys()].sort().join(', ')}` });
      continue;
    }
    if (value === null) continue;
    switch (spec.type) {
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value))
          problems.push({ path, message: `must be a number, got ${describe(value)}` });
        break;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push({ path, message: `must be true or false, got ${describe(value)}` });
        break;
      case 'string[]':
        if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
          problems.push({ path, message: `must be a list of strings, got ${describe(value)}` });
        } else if (value.length > ATTRIBUTE_LIMITS.maxListItems) {
          problems.push({ path, message: `at most ${ATTRIBUTE_LIMITS.maxListItems} items` });
        } else if (value.some((item) => item.length > ATTRIBUTE_LIMITS.maxStringLength)) {
          problems.push({ path, message: `items are at most ${ATTRIBUTE_LIMITS.maxStringLength} characters` });
        } else if (spec.allowedValues) {
          const bad = value.filter((item) => !spec.allowedValues?.includes(item));
          if (bad.length)
            problems.push({
              path,
              message: `${bad.map((b) => JSON.stringify(b)).join(', ')} not allowed; use ${spec.allowedValues.join(', ')}`,
            });
        }
        break;
      case 'date':
        if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
          problems.push({ path, message: `must be an ISO 8601 date such as 2026-01-31, got ${describe(value)}` });
        }
        break;
      default:
        if (typeof value !== 'string') problems.push({ path, message: `must be a string, got ${describe(value)}` });
        else if (value.length > ATTRIBUTE_LIMITS.maxStringLength)
          problems.push({ path, message: `at most ${ATTRIBUTE_LIMITS.maxStringLength} characters` });
        else if (spec.allowedValues && !spec.allowedValues.includes(value)) {
          problems.push({ path, message: `${JSON.stringify(value)} is not allowed; use one of ${spec.allowedValues.join(', ')}` });
        }
    }
  }
  return problems;
}

/** Merges an update into stored attributes: given keys overwrite, null removes. */
export function mergeAttributes(current: Record<string, AttributeValue>, update: Record<string, unknown>): Record<string, AttributeValue> {
  const merged: Record<string, AttributeValue> = { ...current };
  for (const [name, value] of Object.entries(update)) {
    if (value === null) delete merged[name];
    else merged[name] = value as AttributeValue;
  }
  return merged;
}
