/** "Did you mean": the allowed value a mistyped one most likely stands for. */

/** Case, spaces, hyphens and dots do not distinguish catalog values: `C-Level` is `c_level`. */
export function normaliseValue(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s\-./]+/g, '_')
    .replace(/_+/g, '_');
}

/**
 * Edits (insert, delete, replace, swap two neighbours) from one text to the other; past `limit`,
 * some number above it. Three rolling rows, no allocation per cell: it runs for every name of a
 * catalog of hundreds (activity types).
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  const cols = b.length + 1;
  if (scratch[0].length < cols) for (let k = 0; k < 3; k++) scratch[k] = new Int32Array(cols * 2);
  let [before, previous, current] = scratch; // rows i - 2, i - 1, i
  for (let j = 0; j < cols; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    let previousMin = i - 1;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
      if (previous[j] < previousMin) previousMin = previous[j];
    }
    // Two rows above the limit: no later row can come back under it (a swap reaches back two rows).
    if (rowMin > limit && previousMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}

/** Rows editDistance reuses (JavaScript runs one call at a time). */
const scratch: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The allowed value `value` most likely means, or undefined when none is close: the same once case
 * and separators are ignored, else the nearest within about a third of its length (ties: the first
 * listed).
 */
export function closestAllowed(value: string, allowed: readonly string[]): string | undefined {
  const wanted = normaliseValue(value);
  if (!wanted) return undefined;
  const normalised = normalisedList(allowed);
  const same = normalised.indexOf(wanted);
  if (same >= 0) return allowed[same];
  const budget = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (let k = 0; k < allowed.length; k++) {
    const candidate = normalised[k];
    if (Math.abs(candidate.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(wanted, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = allowed[k];
      bestDistance = distance;
    }
  }
  return best;
}

/** Normalised allowed values, once per list: callers that keep their list (a catalog) pay it once. */
const normalisedLists = new WeakMap<readonly string[], string[]>();
function normalisedList(allowed: readonly string[]): string[] {
  let list = normalisedLists.get(allowed);
  if (!list) {
    list = allowed.map(normaliseValue);
    normalisedLists.set(allowed, list);
  }
  return list;
}
