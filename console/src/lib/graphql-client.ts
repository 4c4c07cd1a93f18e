import type { TypedDocumentString } from '@/gql/graphql';
import { readSession } from './session';

/** One problem of a GraphQL error: the JSON path of the wrong field (e.g. rules[3].conditions.all[1].value) and why. */
export interface Problem {
  path: string;
  message: string;
}

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; reason?: string; problems?: Problem[] };
}

/** A GraphQL error answer: the first error's code (BAD_USER_INPUT, CONFLICT, ...), reason and problems. */
export class ApiError extends Error {
  readonly code: string;
  readonly reason: string | undefined;
  readonly problems: Problem[];

  constructor(
    readonly errors: GraphQLErrorShape[],
    status?: number,
  ) {
    super(errors.map((error) => error.message).join('; ') || `Request failed (HTTP ${status ?? '?'})`);
    this.name = 'ApiError';
    const [first] = errors;
    this.code = first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    this.reason = first?.extensions?.reason;
    this.problems = errors.flatMap((error) => error.extensions?.problems ?? []);
  }
}

/** Where the console sends GraphQL: its own /graphql route, which forwards to the API (no CORS). */
export const GRAPHQL_ENDPOINT = '/graphql';

const listeners = new Set<(error: ApiError) => void>();

/** Called on every UNAUTHENTICATED answer, so the app can send the user back to sign in. */
export function onUnauthenticated(listener: (error: ApiError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
): Promise<TResult> {
  const session = readSession();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch(GRAPHQL_ENDPOINT, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError([
      { message: 'The console could not reach the server. Check your connection and try again.', extensions: { code: 'NETWORK_ERROR' } },
    ]);
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorShape[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError([
      { message: `The server answered HTTP ${response.status} without a GraphQL body`, extensions: { code: 'BAD_RESPONSE' } },
    ]);
  }
  if (body.errors?.length) {
    const error = new ApiError(body.errors, response.status);
    if (error.code === 'UNAUTHENTICATED') for (const listener of listeners) listener(error);
    throw error;
  }
  if (!body.data) throw new ApiError([], response.status);
  return body.data;
}
