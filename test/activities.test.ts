import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { createTestApp, type GqlError, type GqlResult, type TestApp } from './support/test-app';

/** The default rule set's point values, read from the file so the expectations follow it. */
interface RuleFile {
  rules: Array<{ name: string; event: { params: { dimension: 'fit' | 'engagement'; points: number } } }>;
}
const RULES = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleFile;
function points(rule: string): number {
  const found = RULES.rules.find((candidate) => candidate.name === rule);
  if (!found) throw new Error(`rule ${rule} is not in default-b2b.json`);
  return found.event.params.points;
}

interface Reason {
  rule: string;
  dimension: 'FIT' | 'ENGAGEMENT';
  points: number;
}
interface Score {
  total: number;
  fit: number;
  engagement: number;
  cell: string;
  lastActivityAt: string | null;
  reasons: Reason[];
}
interface RecordPayload {
  activityId: string;
  duplicate: boolean;
  lead: { externalId: string };
  score: Score;
}
interface BatchPayload {
  results: Array<{ idempotencyKey: string; activityId: string; leadExternalId: string; duplicate: boolean }>;
  leads: Array<{ externalId: string; score: Score }>;
}
interface Activity {
  id: string;
  type: string;
  occurredAt: string;
  idempotencyKey: string;
  properties: Record<string, unknown>;
}
interface ActivityConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: Activity }>;
}

const SCORE = 'score { total fit engagement cell lastActivityAt reasons { rule dimension points } }';
const RECORD = `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { activityId duplicate lead { externalId } ${SCORE} } }`;
const RECORD_MANY = `mutation($input: [RecordActivityInput!]!) {
  recordActivities(input: $input) { results { idempotencyKey activityId leadExternalId duplicate } leads { externalId ${SCORE} } }
}`;
const ACTIVITIES = `query($x: String, $first: Int, $after: String) {
  lead(externalId: $x) { activities(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id type occurredAt idempotencyKey properties } }
  } }
}`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  expect(result.data).toBeTruthy();
  return result.data as T;
}

function onlyError<T>(result: GqlResult<T>): GqlError {
  expect(result.errors, 'expected an error').toBeDefined();
  expect(result.errors).toHaveLength(1);
  return (result.errors as GqlError[])[0];
}

function problemPaths(error: GqlError): string[] {
  return (error.extensions?.problems ?? []).map((problem) => problem.path);
}

async function createLead(
  externalId: string,
  attributes: Record<string, unknown> = { industry: 'software', companySize: 800, seniority: 'vp' },
): Promise<Score> {
  const data = ok(
    await t.gql<{ upsertLead: { score: Score } }>(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { ${SCORE} } }`, {
      input: { externalId, attributes },
    }),
  );
  return data.upsertLead.score;
}

function activity(
  leadExternalId: string,
  type: string,
  idempotencyKey: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { leadExternalId, type, idempotencyKey, occurredAt: hoursAgo(1), ...extra };
}

async function recordActivity(input: Record<string, unknown>): Promise<RecordPayload> {
  return ok(await t.gql<{ recordActivity: RecordPayload }>(RECORD, { input })).recordActivity;
}

async function currentScore(externalId: string): Promise<Score> {
  return ok(await t.gql<{ lead: { score: Score } }>(`query($x: String) { lead(externalId: $x) { ${SCORE} } }`, { x: externalId })).lead
    .score;
}

async function activityCount(externalId: string): Promise<number> {
  const connection = ok(await t.gql<{ lead: { activities: ActivityConnection } }>(ACTIVITIES, { x: externalId, first: 1 })).lead.activities;
  const [row] = await t.sql<{ count: number }>(
    'SELECT count(*)::int AS count FROM activity a JOIN lead l ON l.id = a.lead_id WHERE l.external_id = $1',
    [externalId],
  );
  expect(connection.totalCount).toBe(row.count);
  return row.count;
}

async function rowsWithKeys(keys: string[]): Promise<number> {
  const [row] = await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM activity WHERE idempotency_key = ANY($1::text[])', [
    keys,
  ]);
  return row.count;
}

async function historyCount(externalId?: string): Promise<number> {
  const [row] =
    externalId === undefined
      ? await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM score_history')
      : await t.sql<{ count: number }>(
          'SELECT count(*)::int AS count FROM score_history h JOIN lead l ON l.id = h.lead_id WHERE l.external_id = $1',
          [externalId],
        );
  return row.count;
}

async function totalActivityRows(): Promise<number> {
  const [row] = await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM activity');
  return row.count;
}

function expectReasonsAddUp(score: Score): void {
  const sum = (dimension: Reason['dimension']) =>
    score.reasons.filter((r) => r.dimension === dimension).reduce((acc, r) => acc + r.points, 0);
  expect(sum('FIT')).toBe(score.fit);
  expect(sum('ENGAGEMENT')).toBe(score.engagement);
  expect(score.total).toBe(score.fit + score.engagement);
}

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

describe('Lead.activities', () => {
  it('pages newest first with first/after', async () => {
    await createLead('act-pages');
    const offsets = [5, 1, 7, 3, 2, 6, 4]; // recorded out of order; hours ago
    for (const hours of offsets) {
      await recordActivity({
        ...activity('act-pages', 'PAGE_VIEW', `act-pages-${hours}`),
        occurredAt: hoursAgo(hours),
        properties: { hours },
      });
    }
    const seen: Activity[] = [];
    const pages: ActivityConnection[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: ActivityConnection = ok(
        await t.gql<{ lead: { activities: ActivityConnection } }>(ACTIVITIES, { x: 'act-pages', first: 3, after }),
      ).lead.activities;
      pages.push(page);
      seen.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages.map((page) => page.edges.length)).toEqual([3, 3, 1]);
    for (const page of pages) expect(page.totalCount).toBe(7);
    expect(pages[pages.length - 1].pageInfo.hasNextPage).toBe(false);
    expect(new Set(seen.map((node) => node.id)).size).toBe(7);
    expect(seen.map((node) => node.properties.hours)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(seen.every((node) => node.type === 'PAGE_VIEW')).toBe(true);
    const times = seen.map((node) => Date.parse(node.occurredAt));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThan(times[i - 1]);
  });

  it('a garbage after cursor is BAD_USER_INPUT', async () => {
    const error = onlyError(await t.gql(ACTIVITIES, { x: 'act-pages', first: 2, after: 'garbage' }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(problemPaths(error)).toEqual(['after']);
  });
});
