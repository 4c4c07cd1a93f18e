/** A value an array parameter may hold: times go as ISO 8601 text, null as SQL NULL. */
export type ArrayElement = string | number | boolean | Date | null | undefined;

/** Needs no quotes in an array literal: not empty, no space, brace, comma, quote or backslash, not NULL. */
const BARE = /^[A-Za-z0-9_.:+-]+$/;

/**
 * A one-dimensional PostgreSQL array literal (`{1,2,NULL,"a b"}`) for a `$n::type[]` parameter.
 *
 * The driver turns a JS array parameter into the same text, but quotes and escapes every element
 * with two regular expressions and formats each Date with its local offset: a real share of a
 * re-score worker's CPU on the parallel arrays of a chunk (tens of thousands of elements). Numbers
 * are written as JS formats them (which PostgreSQL reads back exactly); strings are quoted only
 * when they must be.
 */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = 'NULL';
    else if (typeof value === 'string')
      parts[i] = BARE.test(value) && value.toUpperCase() !== 'NULL' ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`arrayLiteral: ${value} is not a finite number`);
      parts[i] = String(value);
    } else if (typeof value === 'boolean') parts[i] = value ? 't' : 'f';
    else parts[i] = value.toISOString();
  }
  return `{${parts.join(',')}}`;
}
