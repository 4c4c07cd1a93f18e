import { InvalidInputError } from './errors';

export const PAGE_LIMITS = {
  defaultFirst: 20,
  maxFirst: 200,
  /** `leads` pages: a client app syncing its leads asks for large pages (the complexity budget still applies). */
  maxLeadsFirst: 1000,
} as const;

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  /** Set by connections that page both ways (Relay `last`/`before`); false when not known. */
  hasPreviousPage?: boolean;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** What a cursor position holds: a bigint id, a 32-bit integer, or a timestamp as PostgreSQL prints it. */
export type CursorValueKind = 'id' | 'int' | 'timestamp';

const CURSOR_VALUE: Record<CursorValueKind, (value: unknown) => boolean> = {
  id: (value) => (typeof value === 'string' && /^\d{1,18}$/.test(value)) || (Number.isSafeInteger(value) && (value as number) >= 0),
  int: (value) => Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1,
  timestamp: (value) =>
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(value) &&
    !Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))),
};

/**
 * Decodes a cursor made by encodeCursor for the same ordering; anything else is the caller's mistake.
 * With `kinds`, each value must be of its kind, so a hand-made cursor never reaches a SQL cast.
 */
export function decodeCursor(
  cursor: string,
  expectedTag: string,
  code: string,
  path = 'after',
  kinds?: readonly CursorValueKind[],
): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values[0] === expectedTag) {
      const rest = values.slice(1);
      if (!kinds || (rest.length === kinds.length && kinds.every((kind, index) => CURSOR_VALUE[kind](rest[index])))) return rest;
    }
  } catch {
    // falls through to the error below
  }
  throw InvalidInputError.field(code, path, 'is not a cursor returned by this query with the same ordering');
}

export function pageSize(first: number | null | undefined, code: string, max: number = PAGE_LIMITS.maxFirst, path = 'first'): number {
  const size = first ?? PAGE_LIMITS.defaultFirst;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw InvalidInputError.field(code, path, `must be between 1 and ${max}, got ${size}`);
  }
  return size;
}
