/** Structural comparison of JSON values, and the property paths the diff reports. */

import type { FieldChange } from './diff-types';

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values; key order is irrelevant and `undefined` members count as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...definedKeys(a), ...definedKeys(b)]);
    for (const key of keys) if (!jsonEqual(a[key], b[key])) return false;
    return true;
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

function definedKeys(value: Json): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/** Keys of both objects: `after`'s order first, then those only in `before`. */
export function unionKeys(before: Json, after: Json): string[] {
  const keys = definedKeys(after);
  for (const key of definedKeys(before)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

export function joinPath(base: string, key: string): string {
  const segment = /^[A-Za-z0-9_$]+$/.test(key) ? key : null;
  if (segment === null) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? segment : `${base}.${segment}`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/**
 * Generic JSON diff: recurses into objects and into arrays that hold objects (index by index);
 * arrays of plain values (e.g. `activityTypes`) change as a whole.
 */
export function diffValues(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (jsonEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of unionKeys(before, after)) diffValues(before[key], after[key], joinPath(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => typeof item === 'object' && item !== null)) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index++) diffValues(before[index], after[index], indexPath(path, index), out);
    return;
  }
  out.push({ path, old: before, new: after });
}

export function orderedKeys(before: Json, after: Json, preferred: string[]): string[] {
  const keys = unionKeys(before, after);
  return [...preferred.filter((key) => keys.includes(key)), ...keys.filter((key) => !preferred.includes(key)).sort()];
}

export function listDelta(before: unknown[], after: unknown[]): { added: unknown[]; removed: unknown[] } {
  return {
    added: after.filter((item) => !before.some((other) => jsonEqual(other, item))),
    removed: before.filter((item) => !after.some((other) => jsonEqual(other, item))),
  };
}
