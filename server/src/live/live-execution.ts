import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute } from 'graphql';

/** Where onSubscribe leaves the key of executions that may be shared (see subscribeShared). */
export const SHARE_KEY = Symbol('live share key');

type Shareable = { [SHARE_KEY]?: string };

const shared = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

/**
 * graphql-js's subscribe, except that one event delivered to many subscriptions of the same
 * operation (same text, variables and roles or scopes) is executed once: the hub hands every
 * subscriber the same event object, and the result is remembered beside it until it is dropped.
 * A thousand sockets watching one lead then cost one execution and a thousand sends.
 */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const key = (args.contextValue as Shareable | undefined)?.[SHARE_KEY];
  const run = (payload: unknown): Promise<ExecutionResult> => {
    const executeOnce = () => Promise.resolve(execute({ ...args, rootValue: payload }));
    if (!key || payload === null || typeof payload !== 'object') return executeOnce();
    let results = shared.get(payload);
    if (!results) {
      results = new Map();
      shared.set(payload, results);
    }
    let result = results.get(key);
    if (!result) {
      result = executeOnce();
      results.set(key, result);
    }
    return result;
  };
  const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const mapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      const next = await source.next();
      return next.done ? { value: undefined, done: true } : { value: await run(next.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}
