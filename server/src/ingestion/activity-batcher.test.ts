import { describe, expect, it } from 'vitest';
import type { RecordActivityData, RecordedActivity } from '../activities/activity.service';
import { ActivityBatcher } from './activity-batcher';

const item = (key: string, lead = 'l1'): RecordActivityData => ({
  leadExternalId: lead,
  type: 'page_view',
  occurredAt: new Date(0),
  idempotencyKey: key,
});
const recorded = (entry: RecordActivityData): RecordedActivity => ({
  idempotencyKey: entry.idempotencyKey,
  activityId: entry.idempotencyKey,
  leadId: '1',
  leadExternalId: entry.leadExternalId,
  duplicate: false,
});

/** A fake bulk write that holds each call until released, failing calls that contain a "bad" key. */
function fakeWriter() {
  const calls: string[][] = [];
  const held: Array<() => void> = [];
  const record = (items: RecordActivityData[]) => {
    calls.push(items.map((entry) => entry.idempotencyKey));
    return new Promise<{ results: RecordedActivity[] }>((resolve, reject) => {
      held.push(() =>
        items.some((entry) => entry.idempotencyKey === 'bad') ? reject(new Error('bad item')) : resolve({ results: items.map(recorded) }),
      );
    });
  };
  const releaseAll = async () => {
    while (held.length) {
      (held.shift() as () => void)();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { calls, record, releaseAll };
}

describe('ActivityBatcher', () => {
  it('is full once maxWaiting requests wait behind the writers', async () => {
    const fake = fakeWriter();
    const batcher = new ActivityBatcher(fake.record, { maxItems: 1, writers: 1, maxWaiting: 2 });
    const writes = [batcher.write([item('a')]), batcher.write([item('b')])];
    expect(batcher.full).toBe(false); // one written, one waiting
    writes.push(batcher.write([item('c')]));
    expect(batcher.full).toBe(true);
    await fake.releaseAll();
    await Promise.all(writes);
    expect(batcher.full).toBe(false);
  });

  it('writes a lone request at once and groups the requests that wait, within maxItems', async () => {
    const fake = fakeWriter();
    const batcher = new ActivityBatcher(fake.record, { maxItems: 3, writers: 1, maxWaiting: 10 });
    const first = batcher.write([item('a')]);
    const second = batcher.write([item('b'), item('c')]);
    const third = batcher.write([item('d')]);
    const fourth = batcher.write([item('e'), item('f')]);
    expect(fake.calls).toEqual([['a']]);
    await fake.releaseAll();
    const results = await Promise.all([first, second, third, fourth]);
    expect(fake.calls).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    expect(results.map((list) => list.map((entry) => entry.idempotencyKey))).toEqual([['a'], ['b', 'c'], ['d'], ['e', 'f']]);
  });

  it('a failing request in a shared call fails alone; the others are written on their own', async () => {
    const fake = fakeWriter();
    const batcher = new ActivityBatcher(fake.record, { maxItems: 10, writers: 1, maxWaiting: 10 });
    const lone = batcher.write([item('x')]);
    const good = batcher.write([item('g')]);
    const bad = batcher.write([item('bad')]);
    const good2 = batcher.write([item('h')]);
    const outcomes = Promise.allSettled([lone, good, bad, good2]);
    await fake.releaseAll();
    const settled = await outcomes;
    expect(settled.map((entry) => entry.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(fake.calls).toEqual([['x'], ['g', 'bad', 'h'], ['g'], ['bad'], ['h']]);
  });
});
