import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { InvalidInputError, type Problem } from '../common/errors';
import { childPath, jsonTextProblems, MAX_TEXT_PROBLEMS, textDefect } from '../common/text-hygiene';
import type { GraphQLContext } from './context';

export enum InputHygieneErrorCode {
  InvalidCharacters = 'INVALID_CHARACTERS',
}

/** The defects in the string literals of a document, each named by its argument (or variable default) path. */
function literalProblems(document: DocumentNode, problems: Problem[]): void {
  const walk = (node: ValueNode, path: string) => {
    if (problems.length >= MAX_TEXT_PROBLEMS) return;
    if (node.kind === Kind.STRING) {
      const defect = textDefect(node.value);
      if (defect) problems.push({ path, message: defect });
    } else if (node.kind === Kind.LIST) {
      node.values.forEach((item, index) => {
        walk(item, childPath(path, index));
      });
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
          const error = InvalidInputError.of(InputHygieneErrorCode.InvalidCharacters, problems.slice(0, MAX_TEXT_PROBLEMS));
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
