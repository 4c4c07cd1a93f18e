import DataLoader from 'dataloader';
import type { DomainError } from '../common/errors';

/**
 * The per-request loaders, batching reads so a page of leads costs a handful of queries. Each domain
 * declares its loaders beside their factory, by declaration merging (`declare module
 * '../graphql/context'`): scoring/score-loaders.ts, activities/activity-loaders.ts,
 * leads/lead-loaders.ts, backtests/calibration-loaders.ts. The composition root (app.ts) builds them
 * for each request (App.createLoaders), so this folder names no domain.
 */
export interface RequestLoaders extends Record<never, never> {}

/** Builds a request's loaders (given by app.ts). */
export type LoaderFactory = () => RequestLoaders;

/**
 * Per-request state: who is calling, the loaders and the request id. `principal` (the signed-in user
 * or API key) is declared by auth/principal.ts the same way.
 */
export interface GraphQLContext {
  requestId: string;
  /** Why the request's credentials were refused (expired session, revoked key...), reported unless the operation is public. */
  authenticationError?: DomainError;
  /** The caller's address, for rate limits of anonymous requests. */
  clientAddress?: string;
  /** Aborts when the HTTP client goes away before its answer; its reads outside transactions are then cancelled. */
  signal?: AbortSignal;
  loaders: RequestLoaders;
}

/** One loader per distinct page arguments, keyed by lead id. */
export function pageLoaders<Args, Value>(
  load: (leadIds: readonly string[], args: Args) => Promise<Map<string, Value>>,
): (args: Args) => DataLoader<string, Value> {
  const byArgs = new Map<string, DataLoader<string, Value>>();
  return (args) => {
    const key = JSON.stringify(args);
    let loader = byArgs.get(key);
    if (!loader) {
      loader = new DataLoader(async (leadIds) => {
        const pages = await load(leadIds, args);
        return leadIds.map((leadId) => pages.get(leadId) as Value);
      });
      byArgs.set(key, loader);
    }
    return loader;
  };
}
