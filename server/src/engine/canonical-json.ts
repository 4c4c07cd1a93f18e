import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';

/** JSON with keys sorted, so equal documents have equal text and checksum. */
export function canonicalJson(value: unknown): string {
  return stableStringify(value);
}

export function checksumOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
