import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { InvalidInputError, type Problem } from '../common/errors';
import type { GraphQLContext } from './context';

export enum InputHygieneErrorCode {
  InvalidCharacters = 'INVALID_CHARACTERS',
}

/** Problems reported per request: the first few are enough to find the field, and the reply stays small. */
const MAX_PROBLEMS = 20;

/**
 * What no text field may hold: a NUL character (PostgreSQL's text and jsonb refuse it) or a UTF-16
 * surrogate without its pair (not a character at all: the driver would store U+FFFD in its place).
 */
export function textDefect(text: string): string | null {
  if (text.includes('\0')) return 'contains a NUL character (\\u0000), which text cannot hold';
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return 'contains an unpaired UTF-16 surrogate (such as \\ud800), which is not a character';
  return null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `input.attributes.industry`, `input.definition.rules[2].name`, `input.attributes["odd key"]`. */
function childPath(parent: string, key: string | number): string {
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
  while (stack.length && problems.length < MAX_PROBLEMS) {
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

/** The defects in the string literals of a document, each named by its argument (or variable default) path. */
function literalProblems(document: DocumentNode, problems: Problem[]): void {
  const walk = (node: ValueNode, path: string) => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (node.kind === Kind.STRING) {
      const defect = textDefect(node.value);
      if (defect) problems.push({ path, message: defect });
    } else if (node.kind === Kind.LIST) {
      node.values.forEach((item, index) => walk(item, childPath(path, index)));
    } else if (node.kind === Kind.OBJECT) {
      for (const field of node.fields) walk(field.value, childPath(path, field.name.value));
    }
  };
  visit(document, {
    Argument(node) {
      walk(node.value, node.name.value);
    },
    VariableDefinition(node) {
      if (node.defaultValue) walk(node.defaultValue, node.variable.name.value);
    },
  });
}

/**
 * Refuses, before any resolver runs, a request whose text holds a NUL character or an unpaired
 * surrogate anywhere: in its variables (values and object keys, JSON scalars included) or in the
 * document's string literals. One check for every field, so that no resolver, service or SQL
 * statement meets such text.
 */
export function inputHygienePlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const problems: Problem[] = [];
          for (const [name, value] of Object.entries(request.variables ?? {})) jsonTextProblems(value, name, problems);
          literalProblems(document, problems);
          if (!problems.length) return;
          const error = InvalidInputError.of(InputHygieneErrorCode.InvalidCharacters, problems.slice(0, MAX_PROBLEMS));
          throw new GraphQLError(error.message, { originalError: error, extensions: { http: { status: 400 } } });
        },
      };
    },
  };
}

/** Request ids a client or proxy may set: printable ASCII without spaces, short enough for a log line. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The client's `x-request-id` when it is a plausible id; otherwise a fresh one (never log what a client sends unchecked). */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
