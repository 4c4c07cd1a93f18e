/** One problem of a GraphQL error: the JSON path of the wrong field (e.g. rules[3].conditions.all[1].value) and why. */
export interface Problem {
  path: string;
  message: string;
}

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; reason?: string; problems?: Problem[]; retryAfterSeconds?: number };
}

/** A GraphQL error answer: the first error's code (BAD_USER_INPUT, CONFLICT, ...), reason and problems. */
export class ApiError extends Error {
  readonly code: string;
  readonly reason: string | undefined;
  readonly problems: Problem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly errors: GraphQLErrorShape[],
    status?: number,
  ) {
    super(errors.map((error) => error.message).join('; ') || `Request failed (HTTP ${status ?? '?'})`);
    this.name = 'ApiError';
    const [first] = errors;
    this.code = first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    this.reason = first?.extensions?.reason;
    this.retryAfterSeconds = first?.extensions?.retryAfterSeconds;
    // The same problem can come from several errors (one per failed field): each is listed once.
    const seen = new Set<string>();
    this.problems = errors
      .flatMap((error) => error.extensions?.problems ?? [])
      .filter((problem) => {
        const key = `${problem.path}\u0000${problem.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }
}

/** Any thrown value as an ApiError (a bug in the console reads as an internal error, not a crash). */
export function toApiError(caught: unknown): ApiError {
  return caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]);
}

/** Reads a GraphQL answer (or a console route's answer in the same shape) into its data, or throws an ApiError. */
export async function readGraphQLResponse<TResult>(response: Response): Promise<TResult> {
  let body: { data?: TResult | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError([
      { message: `The server answered HTTP ${response.status} without a GraphQL body`, extensions: { code: 'BAD_RESPONSE' } },
    ]);
  }
  if (body.errors?.length) throw new ApiError(body.errors, response.status);
  if (!body.data) throw new ApiError([], response.status);
  return body.data;
}
