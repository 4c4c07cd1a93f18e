/** The API's GraphQL address, chosen when the console starts (API_URL), not when it is built. */
export function apiGraphqlUrl(): string {
  return process.env.API_URL ?? process.env.NEXT_PUBLIC_API_URL ?? 'http://127.0.0.1:4000/graphql';
}

/** The API's origin (for its plain HTTP routes such as backtest exports). */
export function apiBase(): string {
  return apiGraphqlUrl().replace(/\/graphql\/?$/, '');
}

/** The answer when the API does not answer, in GraphQL's error shape. */
export function apiUnreachable(): Response {
  return Response.json(
    { errors: [{ message: `The lead scoring API at ${apiGraphqlUrl()} does not answer.`, extensions: { code: 'API_UNREACHABLE' } }] },
    { status: 502 },
  );
}
