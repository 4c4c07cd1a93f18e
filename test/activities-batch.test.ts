import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activityHelpers,
  activity,
  type BatchPayload,
  expectReasonsAddUp,
  HOUR,
  hoursAgo,
  ok,
  onlyError,
  points,
  problemPaths,
  RECORD_MANY,
  type Score,
} from './support/activities';
import { createTestApp, type GqlError, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { createLead, currentScore, activityCount, rowsWithKeys, historyCount, totalActivityRows } = activityHelpers(() => t);

describe('recordActivities (batch)', () => {
  beforeAll(async () => {
    await createLead('batch-a');
    await createLead('batch-b', { industry: 'retail' });
  });

  it('records every item, with per-item results and the touched leads re-scored once', async () => {
    const historyA = await historyCount('batch-a');
    const historyB = await historyCount('batch-b');
    const input = [
      activity('batch-a', 'DEMO_REQUEST', 'batch-ok-1'),
      activity('batch-b', 'PRICING_PAGE_VIEW', 'batch-ok-2'),
      activity('batch-a', 'PRICING_PAGE_VIEW', 'batch-ok-3'),
      activity('batch-b', 'PRICING_PAGE_VIEW', 'batch-ok-4'),
    ];
    const payload = ok(await t.gql<{ recordActivities: BatchPayload }>(RECORD_MANY, { input })).recordActivities;
    expect(payload.results.map(({ idempotencyKey, leadExternalId, duplicate }) => ({ idempotencyKey, leadExternalId, duplicate }))).toEqual(
      [
        { idempotencyKey: 'batch-ok-1', leadExternalId: 'batch-a', duplicate: false },
        { idempotencyKey: 'batch-ok-2', leadExternalId: 'batch-b', duplicate: false },
        { idempotencyKey: 'batch-ok-3', leadExternalId: 'batch-a', duplicate: false },
        { idempotencyKey: 'batch-ok-4', leadExternalId: 'batch-b', duplicate: false },
      ],
    );
    expect(new Set(payload.results.map((result) => result.activityId)).size).toBe(4);
    const byExternalId = new Map(payload.leads.map((lead) => [lead.externalId, lead.score]));
    expect([...byExternalId.keys()].sort()).toEqual(['batch-a', 'batch-b']);
    expect(byExternalId.get('batch-a')?.engagement).toBe(points('eng-requested-demo') + points('eng-pricing-view'));
    expect(byExternalId.get('batch-b')?.engagement).toBe(points('eng-pricing-views-repeat'));
    for (const score of byExternalId.values()) expectReasonsAddUp(score as Score);
    expect(await activityCount('batch-a')).toBe(2);
    expect(await activityCount('batch-b')).toBe(2);
    // one re-score per lead: one history entry each
    expect(await historyCount('batch-a')).toBe(historyA + 1);
    expect(await historyCount('batch-b')).toBe(historyB + 1);
  });

  it('duplicate keys within one batch are counted once', async () => {
    await createLead('batch-dup');
    const item = activity('batch-dup', 'EMAIL_CLICK', 'batch-dup-1', { properties: { campaign: 'spring' } });
    const input = [
      item,
      activity('batch-dup', 'EMAIL_CLICK', 'batch-dup-2'),
      { ...item },
      activity('batch-dup', 'EMAIL_CLICK', 'batch-dup-3'),
    ];
    const payload = ok(await t.gql<{ recordActivities: BatchPayload }>(RECORD_MANY, { input })).recordActivities;
    expect(payload.results.map((result) => result.duplicate)).toEqual([false, false, true, false]);
    expect(payload.results[2].activityId).toBe(payload.results[0].activityId);
    expect(await activityCount('batch-dup')).toBe(3);
    expect(await rowsWithKeys(['batch-dup-1'])).toBe(1);
    // three clicks, not four: the rule needs 3+
    expect(payload.leads[0].score.engagement).toBe(points('eng-email-clicks'));

    // replaying the whole batch: every item is a duplicate, nothing changes
    const historyBefore = await historyCount('batch-dup');
    const replay = ok(await t.gql<{ recordActivities: BatchPayload }>(RECORD_MANY, { input })).recordActivities;
    expect(replay.results.map((result) => result.duplicate)).toEqual([true, true, true, true]);
    expect(replay.results.map((result) => result.activityId)).toEqual(payload.results.map((result) => result.activityId));
    expect(await activityCount('batch-dup')).toBe(3);
    expect(await historyCount('batch-dup')).toBe(historyBefore);
  });

  it('the same key twice in one batch with different content is CONFLICT naming the second item', async () => {
    await createLead('batch-dup-conflict');
    const before = await totalActivityRows();
    const input = [
      activity('batch-dup-conflict', 'PAGE_VIEW', 'batch-dup-conflict-0'),
      activity('batch-dup-conflict', 'PAGE_VIEW', 'batch-dup-conflict-1'),
      activity('batch-dup-conflict', 'CHAT', 'batch-dup-conflict-1'),
    ];
    const error = onlyError(await t.gql(RECORD_MANY, { input }));
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(problemPaths(error)).toEqual(['input[2].idempotencyKey']);
    expect(await totalActivityRows()).toBe(before);
  });

  describe('one bad item: an error naming input[2]..., and nothing from the batch is written', () => {
    const good = () => [activity('batch-a', 'CHAT', 'batch-bad-0'), activity('batch-b', 'CALL', 'batch-bad-1')];
    const goodKeys = ['batch-bad-0', 'batch-bad-1', 'batch-bad-2'];

    async function expectNothingWritten(run: () => Promise<GqlError>): Promise<GqlError> {
      const activitiesBefore = await totalActivityRows();
      const historyBefore = await historyCount();
      const scoresBefore = [await currentScore('batch-a'), await currentScore('batch-b')];
      const error = await run();
      expect(await rowsWithKeys(goodKeys)).toBe(0);
      expect(await totalActivityRows()).toBe(activitiesBefore);
      expect(await historyCount()).toBe(historyBefore);
      expect([await currentScore('batch-a'), await currentScore('batch-b')]).toEqual(scoresBefore);
      return error;
    }

    it('unknown lead', async () => {
      const error = await expectNothingWritten(async () =>
        onlyError(await t.gql(RECORD_MANY, { input: [...good(), activity('batch-no-such-lead', 'PAGE_VIEW', 'batch-bad-2')] })),
      );
      expect(error.extensions?.code).toBe('NOT_FOUND');
      expect(problemPaths(error)).toEqual(['input[2].leadExternalId']);
      expect(error.message).toContain('input[2]');
    });

    it('malformed properties (a nested object)', async () => {
      const error = await expectNothingWritten(async () =>
        onlyError(
          await t.gql(RECORD_MANY, {
            input: [...good(), activity('batch-a', 'PAGE_VIEW', 'batch-bad-2', { properties: { utm: { source: 'x' } } })],
          }),
        ),
      );
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(problemPaths(error)).toEqual(['input[2].properties.utm']);
    });

    it('a time in the future', async () => {
      const error = await expectNothingWritten(async () =>
        onlyError(
          await t.gql(RECORD_MANY, {
            input: [
              ...good(),
              activity('batch-a', 'PAGE_VIEW', 'batch-bad-2', { occurredAt: new Date(Date.now() + 24 * HOUR).toISOString() }),
            ],
          }),
        ),
      );
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(problemPaths(error)).toEqual(['input[2].occurredAt']);
    });

    it('an idempotencyKey already used for a different activity (after the good items were inserted)', async () => {
      const error = await expectNothingWritten(async () =>
        onlyError(await t.gql(RECORD_MANY, { input: [...good(), activity('batch-a', 'TRIAL_SIGNUP', 'batch-ok-1')] })),
      );
      expect(error.extensions?.code).toBe('CONFLICT');
      expect(problemPaths(error)).toEqual(['input[2].idempotencyKey']);
    });
  });

  it('a batch of one bad item names input[0]', async () => {
    const error = onlyError(await t.gql(RECORD_MANY, { input: [activity('batch-a', 'PAGE_VIEW', '')] }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(problemPaths(error)).toEqual(['input[0].idempotencyKey']);
  });

  it('an empty batch is BAD_USER_INPUT', async () => {
    const error = onlyError(await t.gql(RECORD_MANY, { input: [] }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('500 items are accepted, 501 are BAD_USER_INPUT and nothing is written', async () => {
    await createLead('batch-big');
    const items = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, index) =>
        activity('batch-big', 'EMAIL_OPEN', `${prefix}-${index}`, { occurredAt: hoursAgo(1 + index / 1000) }),
      );
    const before = await totalActivityRows();
    const error = onlyError(await t.gql(RECORD_MANY, { input: items(501, 'batch-big-501') }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.reason).toBe('BATCH_TOO_LARGE');
    expect(problemPaths(error)).toEqual(['input']);
    expect(await totalActivityRows()).toBe(before);

    const payload = ok(
      await t.gql<{ recordActivities: BatchPayload }>(RECORD_MANY, { input: items(500, 'batch-big-500') }),
    ).recordActivities;
    expect(payload.results).toHaveLength(500);
    expect(payload.results.every((result) => !result.duplicate)).toBe(true);
    expect(await activityCount('batch-big')).toBe(500);
    expect(payload.leads[0].score.engagement).toBe(points('eng-email-opens'));
  });
});
