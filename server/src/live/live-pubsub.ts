import type { PubSub } from 'type-graphql';

/**
 * type-graphql refuses to build a schema with subscriptions unless it is given a PubSub, even when
 * every subscription brings its own `subscribe` (ours do: live-hub.ts reads each changed score once
 * for all its subscribers, checks each list filter once per batch and bounds each queue, which a
 * topic PubSub cannot). So this one carries no topics.
 */
export const subscribeOnlyPubSub: PubSub = {
  publish() {},
  subscribe(topic: string): AsyncIterable<unknown> {
    throw new Error(`No PubSub topic "${topic}": live subscriptions use their own subscribe (live/live.resolver.ts)`);
  },
};
