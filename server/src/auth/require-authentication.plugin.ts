import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { UnauthenticatedError, type DomainError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { AuthErrorCode } from './auth.errors';

/**
 * Root fields that answer without credentials: signIn, the single sign-on providers and the
 * exchange of a finished sign-on's one-time code, and introspection (the schema is public in
 * schema.graphql anyway, and Apollo turns introspection off in production).
 */
const PUBLIC_ROOT_FIELDS = new Set(['signIn', 'authProviders', 'exchangeSsoCode', '__typename', '__schema', '__type']);

function rootFieldNames(selectionSet: SelectionSetNode, document: DocumentNode, names: Set<string> = new Set()): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFieldNames(selection.selectionSet, document, names);
    else {
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) rootFieldNames(fragment.selectionSet, document, names);
    }
  }
  return names;
}

export function isPublicOperation(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  return [...rootFieldNames(operation.selectionSet, document)].every((name) => PUBLIC_ROOT_FIELDS.has(name));
}

/** An authentication failure as a request error: HTTP 401 with a Bearer challenge, mapped like any domain error. */
export function unauthenticatedRequestError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer realm="lead-scoring"']]) } },
  });
}

/**
 * Refuses, before anything executes, an operation from a caller without valid credentials unless it
 * only signs in. Which roles or scopes an operation needs is checked per field by @Authorized.
 */
export function requireAuthenticationPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (contextValue.principal || (operation && isPublicOperation(operation, document))) return;
          throw unauthenticatedRequestError(
            contextValue.authenticationError ?? new UnauthenticatedError(AuthErrorCode.NotAuthenticated, 'Sign in or send an API key'),
          );
        },
      };
    },
  };
}
