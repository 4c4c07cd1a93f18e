import type { Problem } from './errors';

/** Problems reported per input: the first few are enough to find the field, and the reply stays small. */
export const MAX_TEXT_PROBLEMS = 20;

/**
 * What no text field may hold: a NUL character (PostgreSQL's text and jsonb refuse it) or a UTF-16
 * surrogate without its pair (not a character at all: the driver would store U+FFFD in its place).
 */
export function textDefect(text: string): string | null {
  if (text.includes('\0')) return 'contains a NUL character (\\u0000), which text cannot hold';
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed())
    return 'contains an unpaired UTF-16 surrogate (such as \\ud800), which is not a character';
  return null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `input.attributes.industry`, `input.definition.rules[2].name`, `input.attributes["odd key"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent ? `${parent}.${key}` : key;
  // JSON.stringify escapes NUL and lone surrogates, so the path itself stays printable.
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * The defects in a JSON value (variables, a JSON scalar): its strings and its object keys. Walked
 * with an explicit stack, so a deeply nested body cannot overflow the call stack.
 */
export function jsonTextProblems(root: unknown, rootPath: string, problems: Problem[] = []): Problem[] {
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: rootPath }];
  while (stack.length && problems.length < MAX_TEXT_PROBLEMS) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const defect = textDefect(value);
      if (defect) problems.push({ path, message: defect });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: childPath(path, i) });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const keyPath = childPath(path, key);
        const defect = textDefect(key);
        if (defect) problems.push({ path: keyPath, message: `the key ${defect}` });
        stack.push({ value: child, path: keyPath });
      }
    }
  }
  return problems;
}
