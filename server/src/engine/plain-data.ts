/*
 * Values as json-rules-engine sees them: plain data it can clone and compare, and the simple
 * JSONPath steps its almanac resolves. Shared by the condition compiler and the rule walk.
 */

export const hasOwn = (object: object, key: string): boolean => Object.hasOwn(object, key);

/** The fact paths compiled: what validation allows (`$.a.b`, `$[0]`, mixed). */
export const SIMPLE_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+$/;
const PATH_STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;

/** JSONPath-plus (wrap: false) on a simple path, as the almanac applies it. */
export function pathResolver(path: string): (value: unknown) => unknown {
  const steps = [...path.matchAll(PATH_STEP)].map((m) => m[1] ?? m[2]);
  return (value) => {
    // almanac.js factValue: only objects are resolved; anything else is returned as it is.
    if (value === null || typeof value !== 'object') return value;
    let current: unknown = value;
    for (const step of steps) {
      // jsonpath-plus _trace: `val && Object.hasOwn(val, loc)`, else no match (undefined).
      if (current && Object.hasOwn(current as object, step)) current = (current as Record<string, unknown>)[step];
      else return undefined;
    }
    return current;
  };
}

/** Plain data (what JSON can hold, plus undefined and non-finite numbers): safe to clone and embed. */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainData(value[i], depth + 1)) return false;
        return Object.getPrototypeOf(value) === Array.prototype;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      if (hasOwn(value, '__proto__')) return false; // the engine's clone would set the prototype
      return Object.values(value).every((v) => isPlainData(v, depth + 1));
    }
    default:
      return false;
  }
}

/**
 * A private deep copy of plain data that keeps null prototypes, as the engine's per-run clone
 * (rule-result.js, the `clone` package) does: `5 < Object.create(null)` throws, `5 < {}` does not.
 */
export function clonePlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clonePlain);
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) copy[key] = clonePlain(item);
  return copy;
}
