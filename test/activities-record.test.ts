import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activityHelpers,
  activity,
  expectReasonsAddUp,
  HOUR,
  hoursAgo,
  ok,
  onlyError,
  points,
  problemPaths,
  RECORD,
  type RecordPayload,
  type Score,
  SCORE,
} from './support/activities';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { createLead, recordActivity, currentScore, activityCount, rowsWithKeys, historyCount, totalActivityRows } = activityHelpers(() => t);

describe('recordActivity', () => {
  it('returns the new score: a demo request adds its engagement points', async () => {
    const before = await createLead('act-demo');
    expect(before.engagement).toBe(0);
    const occurredAt = hoursAgo(2);
    const result = await recordActivity({ ...activity('act-demo', 'DEMO_REQUEST', 'act-demo-1'), occurredAt });
    expect(result.duplicate).toBe(false);
    expect(result.lead.externalId).toBe('act-demo');
    expect(result.score.engagement).toBe(points('eng-requested-demo'));
    expect(result.score.fit).toBe(before.fit);
    expect(result.score.total).toBe(before.total + points('eng-requested-demo'));
    expect(result.score.reasons).toContainEqual({
      rule: 'eng-requested-demo',
      dimension: 'ENGAGEMENT',
      points: points('eng-requested-demo'),
    });
    expect(result.score.lastActivityAt).toBe(occurredAt);
    expectReasonsAddUp(result.score);
    expect(await currentScore('act-demo')).toEqual(result.score);

    const [change] = ok(
      await t.gql<{
        lead: {
          scoreHistory: {
            edges: Array<{ node: { cause: string; activityId: string | null; old: { engagement: number }; new: { engagement: number } } }>;
          };
        };
      }>(
        `{ lead(externalId: "act-demo") { scoreHistory(first: 1) { edges { node { cause activityId old { engagement } new { engagement } } } } } }`,
      ),
    ).lead.scoreHistory.edges.map((edge) => edge.node);
    expect(change).toEqual({
      cause: 'activity_recorded',
      activityId: result.activityId,
      old: { engagement: 0 },
      new: { engagement: points('eng-requested-demo') },
    });
  });

  it('retrying the same idempotencyKey is a duplicate and counts nothing again', async () => {
    await createLead('act-retry');
    const input = activity('act-retry', 'PRICING_PAGE_VIEW', 'act-retry-1', { properties: { page: '/pricing', plan: 'pro' } });
    const first = await recordActivity(input);
    const historyBefore = await historyCount('act-retry');
    // the same content with properties in another key order is the same activity
    const retried = await recordActivity({ ...input, properties: { plan: 'pro', page: '/pricing' } });
    expect(retried.duplicate).toBe(true);
    expect(retried.activityId).toBe(first.activityId);
    expect(retried.score).toEqual(first.score);
    expect(await activityCount('act-retry')).toBe(1);
    expect(await historyCount('act-retry')).toBe(historyBefore);
  });

  it('the same idempotencyKey with different content is CONFLICT and writes nothing', async () => {
    await createLead('act-conflict');
    const input = activity('act-conflict', 'DEMO_REQUEST', 'act-conflict-1');
    const first = await recordActivity(input);
    await createLead('act-conflict-other');
    const historyBefore = await historyCount();
    const variants: Array<Record<string, unknown>> = [
      { ...input, type: 'PAGE_VIEW' },
      { ...input, occurredAt: hoursAgo(5) },
      { ...input, properties: { source: 'retargeting' } },
    ];
    variants.push({ ...input, leadExternalId: 'act-conflict-other' });
    for (const variant of variants) {
      const error = onlyError(await t.gql(RECORD, { input: variant }));
      expect(error.extensions?.code).toBe('CONFLICT');
      expect(error.extensions?.reason).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(problemPaths(error)).toEqual(['input.idempotencyKey']);
    }
    expect(await activityCount('act-conflict')).toBe(1);
    expect(await activityCount('act-conflict-other')).toBe(0);
    const [stored] = await t.sql<{ type: string }>('SELECT type FROM activity WHERE idempotency_key = $1', ['act-conflict-1']);
    expect(stored.type).toBe('demo_request');
    expect(await historyCount()).toBe(historyBefore);
    expect(await currentScore('act-conflict')).toEqual(first.score);
  });

  it('20 concurrent identical calls record exactly one activity', async () => {
    await createLead('act-race-same');
    const input = activity('act-race-same', 'DEMO_REQUEST', 'act-race-same-1', { properties: { form: 'demo' } });
    const results = await Promise.all(Array.from({ length: 20 }, () => t.gql<{ recordActivity: RecordPayload }>(RECORD, { input })));
    const payloads = results.map((result) => ok(result).recordActivity);
    expect(payloads.filter((payload) => !payload.duplicate)).toHaveLength(1);
    expect(new Set(payloads.map((payload) => payload.activityId)).size).toBe(1);
    for (const payload of payloads) expect(payload.score.engagement).toBe(points('eng-requested-demo'));
    expect(await activityCount('act-race-same')).toBe(1);
    expect(await rowsWithKeys(['act-race-same-1'])).toBe(1);
    const causes = await t.sql<{ cause: string }>(
      'SELECT h.cause FROM score_history h JOIN lead l ON l.id = h.lead_id WHERE l.external_id = $1 ORDER BY h.id',
      ['act-race-same'],
    );
    expect(causes.map((row) => row.cause)).toEqual(['lead_created', 'activity_recorded']);
  });

  it('15 concurrent distinct activities on one lead are all counted in the stored score', async () => {
    const fitOnly = await createLead('act-race-many');
    const plan: Array<[string, Record<string, unknown>?]> = [
      ...Array.from({ length: 7 }, (): [string] => ['PAGE_VIEW']),
      ['PRICING_PAGE_VIEW'],
      ['PRICING_PAGE_VIEW'],
      ['EMAIL_CLICK'],
      ['EMAIL_CLICK'],
      ['EMAIL_CLICK'],
      ['DEMO_REQUEST'],
      ['CONTENT_DOWNLOAD', { contentType: 'case_study' }],
      ['CONTENT_DOWNLOAD'],
    ];
    expect(plan).toHaveLength(15);
    const results = await Promise.all(
      plan.map(([type, properties], index) =>
        t.gql<{ recordActivity: RecordPayload }>(RECORD, {
          input: { ...activity('act-race-many', type, `act-race-many-${index}`), occurredAt: hoursAgo(1 + index / 10), properties },
        }),
      ),
    );
    for (const result of results) expect(ok(result).recordActivity.duplicate).toBe(false);
    expect(await activityCount('act-race-many')).toBe(15);

    const stored = await currentScore('act-race-many');
    const expectedEngagement =
      points('eng-requested-demo') +
      points('eng-pricing-views-repeat') +
      points('eng-website-active') +
      points('eng-email-clicks') +
      points('eng-case-study') +
      points('eng-content-download');
    expect(expectedEngagement).toBeLessThan(100); // below the cap, so every point is visible
    expect(stored.engagement).toBe(expectedEngagement);
    expect(stored.fit).toBe(fitOnly.fit);
    expectReasonsAddUp(stored);

    // a fresh re-score (an upsert that changes nothing) computes the same score and adds no history
    const historyBefore = await historyCount('act-race-many');
    const rescored = ok(
      await t.gql<{ upsertLead: { score: Score } }>(`mutation { upsertLead(input: { externalId: "act-race-many" }) { ${SCORE} } }`),
    ).upsertLead.score;
    expect(rescored).toEqual(stored);
    expect(await historyCount('act-race-many')).toBe(historyBefore);
    // the last history entry carries the final score
    const [last] = await t.sql<{ new_total: number; new_engagement: number }>(
      'SELECT h.new_total, h.new_engagement FROM score_history h JOIN lead l ON l.id = h.lead_id WHERE l.external_id = $1 ORDER BY h.id DESC LIMIT 1',
      ['act-race-many'],
    );
    expect(last).toEqual({ new_total: stored.total, new_engagement: stored.engagement });
  });

  it('concurrent requests on many leads, some of them bad: each gets its own answer, the good ones are all recorded', async () => {
    // Sent together, they are recorded in shared transactions; a bad request must neither sink the
    // others nor lose its own precise error.
    const leads = Array.from({ length: 8 }, (_, n) => `act-mix-${n}`);
    for (const lead of leads) await createLead(lead);
    const taken = activity('act-mix-0', 'PAGE_VIEW', 'act-mix-taken');
    await recordActivity(taken);
    const historyBefore = await historyCount();
    const requests: Array<{ input: Record<string, unknown>; expect: 'ok' | 'duplicate' | 'NOT_FOUND' | 'CONFLICT' }> = [
      ...leads.map((lead) => ({ input: activity(lead, 'DEMO_REQUEST', `${lead}-demo`), expect: 'ok' as const })),
      { input: activity('act-mix-1', 'PRICING_PAGE_VIEW', 'act-mix-1-pricing'), expect: 'ok' }, // a second one for lead 1
      { input: activity('act-mix-nobody', 'PAGE_VIEW', 'act-mix-nobody-1'), expect: 'NOT_FOUND' },
      { input: activity('act-mix-2', 'EMAIL_OPEN', 'act-mix-taken'), expect: 'CONFLICT' }, // key used for another activity
      { input: taken, expect: 'duplicate' }, // the same activity again
    ];
    const replies = await Promise.all(
      requests.map((request) => t.gql<{ recordActivity: RecordPayload }>(RECORD, { input: request.input })),
    );
    replies.forEach((reply, index) => {
      const expected = requests[index].expect;
      if (expected === 'ok' || expected === 'duplicate') {
        const payload = ok(reply).recordActivity;
        expect(payload.duplicate).toBe(expected === 'duplicate');
        expect(payload.lead.externalId).toBe(requests[index].input.leadExternalId);
      } else {
        const error = onlyError(reply);
        expect(error.extensions?.code).toBe(expected);
        expect(problemPaths(error)).toEqual([expected === 'NOT_FOUND' ? 'input.leadExternalId' : 'input.idempotencyKey']);
      }
    });
    for (const lead of leads) expect(await activityCount(lead)).toBe(lead === 'act-mix-0' ? 2 : lead === 'act-mix-1' ? 2 : 1);
    expect(await rowsWithKeys(['act-mix-nobody-1'])).toBe(0);
    // Each recorded activity re-scored its lead on its own: lead 1's two activities are two history entries.
    const [{ count: lead1Changes }] = await t.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM score_history h JOIN lead l ON l.id = h.lead_id WHERE l.external_id = 'act-mix-1' AND h.cause = 'activity_recorded'`,
    );
    expect(lead1Changes).toBe(2);
    expect(await historyCount()).toBe(historyBefore + 9);
    // What the requests answered is what is stored.
    const lead1 = replies[8];
    expect(ok(lead1).recordActivity.score).toEqual(await currentScore('act-mix-1'));
  });

  it('requests arriving one after another while the writers are busy queue up, go together and each get their own answer', async () => {
    // Each request is sent on its own turn of the event loop: the first ones start their own
    // transactions, the later ones wait for a writer and join the batch that starts next.
    const leads = Array.from({ length: 6 }, (_, n) => `act-wave-${n}`);
    for (const lead of leads) await createLead(lead);
    const historyBefore = await historyCount();
    const views = leads.map((lead) => activity(lead, 'PRICING_PAGE_VIEW', `${lead}-view`));
    const inputs = [
      ...views,
      activity('act-wave-nobody', 'PAGE_VIEW', 'act-wave-nobody-1'),
      ...leads.map((lead) => activity(lead, 'DEMO_REQUEST', `${lead}-demo`)),
      { ...views[0] }, // the same activity as the first one again: a duplicate
    ];
    const pending: Array<Promise<GqlResult<{ recordActivity: RecordPayload }>>> = [];
    for (const input of inputs) {
      pending.push(t.gql<{ recordActivity: RecordPayload }>(RECORD, { input }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const replies = await Promise.all(pending);
    replies.forEach((reply, index) => {
      if (inputs[index].leadExternalId === 'act-wave-nobody') {
        expect(onlyError(reply).extensions?.code).toBe('NOT_FOUND');
        return;
      }
      const payload = ok(reply).recordActivity;
      expect(payload.lead.externalId).toBe(inputs[index].leadExternalId);
      expect(payload.duplicate).toBe(index === inputs.length - 1);
    });
    for (const lead of leads) expect(await activityCount(lead)).toBe(2);
    expect(await rowsWithKeys(['act-wave-nobody-1'])).toBe(0);
    // Every new activity re-scored its lead (12 history entries), the duplicate did not.
    expect(await historyCount()).toBe(historyBefore + 12);
    // Each lead's stored score counts both its activities and is the answer to whichever of its two
    // requests was written last: two writers run at once, so a lead's pricing view (sent first) can
    // still be written after its demo request (seen once in CI on PostgreSQL).
    for (const [n, lead] of leads.entries()) {
      const stored = await currentScore(lead);
      expect(
        stored.reasons.map((reason) => reason.rule),
        lead,
      ).toEqual(expect.arrayContaining(['eng-requested-demo', 'eng-pricing-view']));
      expect([ok(replies[n]).recordActivity.score, ok(replies[leads.length + 1 + n]).recordActivity.score], lead).toContainEqual(stored);
    }
  });

  it('score.lastActivityAt follows the newest activity even when the points do not change', async () => {
    await createLead('act-last-activity');
    const demoAt = hoursAgo(5);
    const viewAt = hoursAgo(1);
    const demo = await recordActivity({ ...activity('act-last-activity', 'DEMO_REQUEST', 'act-last-activity-1'), occurredAt: demoAt });
    expect(demo.score.lastActivityAt).toBe(demoAt);
    const view = await recordActivity({ ...activity('act-last-activity', 'PAGE_VIEW', 'act-last-activity-2'), occurredAt: viewAt });
    expect(view.score.engagement).toBe(demo.score.engagement);
    expect(view.score.lastActivityAt).toBe(viewAt);
  });

  it('an unsubscribe takes engagement points away', async () => {
    await createLead('act-unsub-only');
    const only = await recordActivity(activity('act-unsub-only', 'UNSUBSCRIBE', 'act-unsub-only-1'));
    expect(points('eng-unsubscribed')).toBeLessThan(0);
    expect(only.score.engagement).toBe(points('eng-unsubscribed'));
    expect(only.score.reasons).toContainEqual({ rule: 'eng-unsubscribed', dimension: 'ENGAGEMENT', points: points('eng-unsubscribed') });
    expectReasonsAddUp(only.score);

    await createLead('act-unsub-after-demo');
    const demo = await recordActivity(activity('act-unsub-after-demo', 'DEMO_REQUEST', 'act-unsub-after-demo-1'));
    const unsub = await recordActivity(activity('act-unsub-after-demo', 'UNSUBSCRIBE', 'act-unsub-after-demo-2'));
    expect(unsub.score.engagement).toBe(demo.score.engagement + points('eng-unsubscribed'));
    expect(unsub.score.engagement).toBeLessThan(demo.score.engagement);
    expectReasonsAddUp(unsub.score);
  });
});

describe('recordActivity rejects bad input and writes nothing', () => {
  beforeAll(async () => {
    await createLead('act-bad');
  });

  it('an empty idempotencyKey is BAD_USER_INPUT naming input.idempotencyKey', async () => {
    const before = await totalActivityRows();
    for (const idempotencyKey of ['', '   ']) {
      const error = onlyError(await t.gql(RECORD, { input: activity('act-bad', 'PAGE_VIEW', idempotencyKey) }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(problemPaths(error)).toEqual(['input.idempotencyKey']);
    }
    expect(await totalActivityRows()).toBe(before);
  });

  it('a malformed time is an error naming occurredAt', async () => {
    const before = await totalActivityRows();
    const error = onlyError(await t.gql(RECORD, { input: activity('act-bad', 'PAGE_VIEW', 'act-bad-time', { occurredAt: 'yesterday' }) }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('occurredAt');
    expect(await totalActivityRows()).toBe(before);
    expect(await rowsWithKeys(['act-bad-time'])).toBe(0);
  });

  it('a time in the future (+1 day) or before 2000 is BAD_USER_INPUT naming input.occurredAt', async () => {
    const before = await totalActivityRows();
    for (const occurredAt of [new Date(Date.now() + 24 * HOUR).toISOString(), '1999-12-31T23:59:59.000Z']) {
      const error = onlyError(await t.gql(RECORD, { input: activity('act-bad', 'PAGE_VIEW', 'act-bad-future', { occurredAt }) }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(problemPaths(error)).toEqual(['input.occurredAt']);
    }
    expect(await totalActivityRows()).toBe(before);
  });

  it('nested or oversized properties are BAD_USER_INPUT naming the property', async () => {
    const before = await totalActivityRows();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ utm: { source: 'x' } }, 'input.properties.utm'],
      [{ tags: ['a', 'b'] }, 'input.properties.tags'],
      [{ note: 'x'.repeat(2001) }, 'input.properties.note'],
    ];
    for (const [properties, problemPath] of cases) {
      const error = onlyError(await t.gql(RECORD, { input: activity('act-bad', 'PAGE_VIEW', 'act-bad-props', { properties }) }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(problemPaths(error)).toEqual([problemPath]);
    }
    expect(await totalActivityRows()).toBe(before);
  });

  it('an unknown lead is NOT_FOUND', async () => {
    const before = await totalActivityRows();
    const error = onlyError(await t.gql(RECORD, { input: activity('act-no-such-lead', 'PAGE_VIEW', 'act-no-such-lead-1') }));
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.extensions?.reason).toBe('LEAD_NOT_FOUND');
    expect(error.message).toContain('act-no-such-lead');
    expect(problemPaths(error)).toEqual(['input.leadExternalId']);
    expect(await totalActivityRows()).toBe(before);
  });

  it('an unknown activity type is rejected by the schema', async () => {
    const error = onlyError(await t.gql(RECORD, { input: activity('act-bad', 'TELEPATHY', 'act-bad-type') }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await rowsWithKeys(['act-bad-type'])).toBe(0);
  });
});
