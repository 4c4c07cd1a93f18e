import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './graphql-client';

/** Errors worth one more try: the network or the API process, not a refusal that would only repeat. */
const TRANSIENT = new Set(['NETWORK_ERROR', 'API_UNREACHABLE', 'SERVICE_UNAVAILABLE', 'BAD_RESPONSE']);

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Cached answers are shown at once on a revisit and refreshed behind them after this long.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => failures < 1 && error instanceof ApiError && TRANSIENT.has(error.code),
      },
      mutations: { retry: false },
    },
  });
}

let browserClient: QueryClient | undefined;

/** One client per browser tab (so the cache survives navigations); a fresh one per server render. */
export function getQueryClient(): QueryClient {
  if (typeof window === 'undefined') return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}
