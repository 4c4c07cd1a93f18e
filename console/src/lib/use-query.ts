'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '@/gql/graphql';
import { ApiError, request } from './graphql-client';

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Runs the query again; keeps the current data on screen meanwhile. */
  refetch(): Promise<T | undefined>;
}

export interface QueryOptions {
  /** Do not run (yet), e.g. while an id is unknown. */
  skip?: boolean;
  /** Re-run every pollMs while mounted (and while not skipped). */
  pollMs?: number;
}

/** Runs a typed query when the component mounts and whenever its variables change. */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
  options: QueryOptions = {},
): QueryState<TResult> {
  const [data, setData] = useState<TResult>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(!options.skip);
  const key = JSON.stringify(variables ?? {});
  const latest = useRef(0);

  const run = useCallback(async () => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const result = await request(document, JSON.parse(key) as TVariables);
      if (ticket === latest.current) {
        setData(result);
        setError(undefined);
      }
      return result;
    } catch (caught) {
      if (ticket === latest.current) setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
      return undefined;
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [document, key]);

  useEffect(() => {
    if (options.skip) return;
    void run();
    if (!options.pollMs) return;
    const timer = setInterval(() => void run(), options.pollMs);
    return () => clearInterval(timer);
  }, [run, options.skip, options.pollMs]);

  return { data, error, loading, refetch: run };
}

export interface MutationState<TResult, TVariables> {
  run(variables: TVariables): Promise<TResult>;
  running: boolean;
  error: ApiError | undefined;
  reset(): void;
}

/** A mutation (or an on-demand query): `run` resolves with its data or rejects with an ApiError, also kept in `error`. */
export function useMutation<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>): MutationState<TResult, TVariables> {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(
    async (variables: TVariables) => {
      setRunning(true);
      setError(undefined);
      try {
        return await request(document, variables);
      } catch (caught) {
        const apiError = caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]);
        setError(apiError);
        throw apiError;
      } finally {
        setRunning(false);
      }
    },
    [document],
  );
  return { run, running, error, reset: useCallback(() => setError(undefined), []) };
}
