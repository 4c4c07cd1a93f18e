/** "Did you mean": the allowed value a mistyped one most likely stands for. */

/** Case, spaces, hyphens and dots do not distinguish catalog values: `C-Level` is `c_level`. */
export function normaliseValue(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s\-./]+/g, '_')
    .replace(/_+/g, '_');
}

/** Edits (insert, delete, replace, swap two neighbours) from one text to the other. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The allowed value `value` most likely means, or undefined when none is close: the same once case
 * and separators are ignored, else the nearest within about a third of its length (ties: the first
 * listed).
 */
export function closestAllowed(value: string, allowed: readonly string[]): string | undefined {
  const wanted = normaliseValue(value);
  if (!wanted) return undefined;
  const same = allowed.find((candidate) => normaliseValue(candidate) === wanted);
  if (same !== undefined) return same;
  const budget = Math.max(1, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const candidate of allowed) {
    const normalised = normaliseValue(candidate);
    if (Math.abs(normalised.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(wanted, normalised);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
