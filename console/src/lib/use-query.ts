'use client';

import { useMutation as useTanstackMutation, useQuery as useTanstackQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { TypedDocumentString } from '@/gql/graphql';
import { type ApiError, toApiError } from './api-error';
import { request } from './graphql-client';
import { operationOf } from './operation-name';

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** A request is under way (the first one, or a refresh with the cached data still on screen). */
  loading: boolean;
  /** Runs the query again; keeps the current data on screen meanwhile. */
  refetch(): Promise<T | undefined>;
}

export interface QueryOptions<T> {
  /** Do not run (yet), e.g. while an id is unknown. */
  skip?: boolean;
  /** Asks again every pollMs while mounted, until `done` says the work it follows has ended. */
  pollMs?: number;
  done?: (data: T) => boolean;
}

/** The cache key of an operation: its name, then its variables (so invalidation can go by name). */
export function queryKey(document: TypedDocumentString<unknown, unknown>, variables: unknown): [string, unknown] {
  return [operationOf(document.toString()).name, variables ?? {}];
}

/** Runs a typed query, cached by operation and variables, again whenever the variables change. */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
  options: QueryOptions<TResult> = {},
): QueryState<TResult> {
  const { pollMs, done } = options;
  const query = useTanstackQuery<TResult, ApiError>({
    queryKey: queryKey(document as TypedDocumentString<unknown, unknown>, variables),
    queryFn: async () => {
      try {
        return await request(document, variables);
      } catch (caught) {
        throw toApiError(caught);
      }
    },
    enabled: !options.skip,
    refetchInterval: pollMs ? (current) => (current.state.data !== undefined && done?.(current.state.data) ? false : pollMs) : false,
    // A poll follows work that moves on its own: each answer is new.
    staleTime: pollMs ? 0 : undefined,
  });
  const { refetch: refetchQuery } = query;
  const refetch = useCallback(async () => (await refetchQuery()).data, [refetchQuery]);
  return { data: query.data, error: query.error ?? undefined, loading: query.isFetching, refetch };
}

export interface MutationState<TResult, TVariables> {
  run(variables: TVariables): Promise<TResult>;
  running: boolean;
  error: ApiError | undefined;
  reset(): void;
}

/** A mutation (or an on-demand query): `run` resolves with its data or rejects with an ApiError, also kept in `error`. */
export function useMutation<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>): MutationState<TResult, TVariables> {
  const mutation = useTanstackMutation<TResult, ApiError, TVariables>({
    mutationFn: async (variables) => {
      try {
        return await request(document, variables);
      } catch (caught) {
        throw toApiError(caught);
      }
    },
  });
  return { run: mutation.mutateAsync, running: mutation.isPending, error: mutation.error ?? undefined, reset: mutation.reset };
}
