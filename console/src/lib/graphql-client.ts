import type { TypedDocumentString } from '@/gql/graphql';
import { ApiError, readGraphQLResponse } from './api-error';
import { queriesAffectedBy } from './invalidation';
import { operationOf } from './operation-name';
import { getQueryClient } from './query-client';

export { ApiError, type Problem } from './api-error';

/**
 * Where the console sends GraphQL: its own /graphql route, which forwards to the API (no CORS) with
 * the session cookie turned into the Authorization header (the browser never sees the token).
 */
export const GRAPHQL_ENDPOINT = '/graphql';

const listeners = new Set<(error: ApiError) => void>();

/** Called on every UNAUTHENTICATED answer, so the app can send the user back to sign in. */
export function onUnauthenticated(listener: (error: ApiError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function networkError(): ApiError {
  return new ApiError([{ message: 'The console could not reach the server.', extensions: { code: 'NETWORK_ERROR' } }]);
}

/**
 * Runs one operation. A mutation that succeeds marks the cached queries it affects as stale and
 * resolves once those on screen have been fetched again, so what follows sees the new state.
 */
export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
): Promise<TResult> {
  const text = document.toString();
  let response: Response;
  try {
    response = await fetch(GRAPHQL_ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ query: text, variables: variables ?? {} }),
    });
  } catch {
    throw networkError();
  }
  let data: TResult;
  try {
    data = await readGraphQLResponse<TResult>(response);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') for (const listener of listeners) listener(error);
    throw error;
  }
  const operation = operationOf(text);
  if (operation.kind === 'mutation') await invalidateAfter(operation.name);
  return data;
}

async function invalidateAfter(mutation: string): Promise<void> {
  const affected = queriesAffectedBy(mutation);
  if (affected?.length === 0) return;
  await getQueryClient().invalidateQueries({
    predicate: (query) => affected === null || affected.includes(String(query.queryKey[0])),
  });
}
