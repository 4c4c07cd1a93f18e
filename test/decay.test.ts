import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { REPO_ROOT } from '../server/src/common/paths';
import { ScorePassService } from '../server/src/scoring/score-pass.service';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';

/** The default rule set's points and decay settings, read from the file so the expectations follow it. */
interface RuleFile {
  rules: Array<{ name: string; event: { params: { points: number } } }>;
  decay: { model: string; halfLifeDays: number; graceDays: number };
  levels: Record<'1' | '2' | '3', number>;
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
  engagementLevel: number;
  cell: string;
  scoredAt: string;
  reasons: Reason[];
}
interface ScoreChange {
  cause: string;
  changedAt: string;
  old: { engagement: number; total: number } | null;
  new: { engagement: number; total: number };
}
interface Lead {
  externalId: string;
  score: Score;
  scoreHistory: { edges: Array<{ node: ScoreChange }> };
}
interface PassResult {
  asOf: string;
  leadsScored: number;
  leadsChanged: number;
}
interface Snapshot {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}
interface Preview {
  asOf: string;
  changes: Array<{ leadId: string; lead: { externalId: string } | null; current: Snapshot | null; projected: Snapshot }>;
  summary: {
    leadsScored: number;
    leadsChanged: number;
    leavingQualified: number;
    enteringQualified: number;
    bandMoves: Array<{ from: string | null; to: string; leads: number }>;
  };
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const DAY = 86_400_000;
const LEAD = `externalId score { total fit engagement engagementLevel cell scoredAt reasons { rule dimension points } }
  scoreHistory(first: 100) { edges { node { cause changedAt old { engagement total } new { engagement total } } } }`;

let t: TestApp;
let t0: number;

beforeAll(async () => {
  t = await createTestApp();
  t0 = Date.now();
  await upsert('decay-active');
  ok(
    await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
      input: {
        leadExternalId: 'decay-active',
        type: 'DEMO_REQUEST',
        idempotencyKey: 'decay-active-demo',
        occurredAt: new Date(t0 - DAY).toISOString(),
      },
    }),
  );
  await upsert('decay-quiet');
});
afterAll(async () => {
  await t?.close();
});

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  expect(result.data).toBeTruthy();
  return result.data as T;
}

async function upsert(externalId: string): Promise<void> {
  ok(
    await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
      input: { externalId, email: `${externalId}@acme.io`, attributes: { industry: 'software', companySize: 800, seniority: 'vp' } },
    }),
  );
}

async function lead(externalId: string): Promise<Lead> {
  return ok(await t.gql<{ lead: Lead }>(`query($x: String) { lead(externalId: $x) { ${LEAD} } }`, { x: externalId })).lead;
}

/**
 * The real pass as of `asOf`, run when the clock reads `asOf` (the pass refuses a future asOf):
 * the scheduler's pass on that day.
 */
async function runDecayPass(asOf: string): Promise<PassResult> {
  const pass = new ScorePassService(t.app.dataSource, t.app.services.scoring, t.app.services.scoreReader, {
    clock: { now: () => new Date(asOf) },
  });
  const result = await pass.runDecayPass(new Date(asOf));
  return { ...result, asOf: result.asOf.toISOString() };
}

const PREVIEW = `query($asOf: DateTimeISO!, $first: Int, $after: String) {
  decayPreview(asOf: $asOf, first: $first, after: $after) {
    asOf
    changes { leadId lead { externalId } current { fit engagement total cell band qualified } projected { fit engagement total cell band qualified } }
    summary { leadsScored leadsChanged leavingQualified enteringQualified bandMoves { from to leads } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function preview(asOf: string, first?: number, after?: string): Promise<Preview> {
  return ok(await t.gql<{ decayPreview: Preview }>(PREVIEW, { asOf, first, after })).decayPreview;
}

/** Everything a pass writes: scores, history, webhook outbox and deliveries. */
async function written(): Promise<unknown[]> {
  return Promise.all([
    t.sql('SELECT * FROM lead_score ORDER BY lead_id'),
    t.sql('SELECT * FROM score_history ORDER BY id'),
    t.sql('SELECT * FROM outbox_event ORDER BY id'),
    t.sql('SELECT * FROM webhook_delivery ORDER BY id'),
  ]);
}

/** The preview as of `asOf`, checked to have written nothing. */
async function previewWritingNothing(asOf: string, first?: number, after?: string): Promise<Preview> {
  const before = await written();
  const page = await preview(asOf, first, after);
  expect(await written()).toEqual(before);
  return page;
}

function snapshotOf(score: Score & { band?: string; qualified?: boolean }): Pick<Snapshot, 'fit' | 'engagement' | 'total' | 'cell'> {
  return { fit: score.fit, engagement: score.engagement, total: score.total, cell: score.cell };
}

async function historyRows(): Promise<number> {
  const [row] = await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM score_history');
  return row.count;
}

async function leadRows(): Promise<number> {
  const [row] = await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM lead');
  return row.count;
}

function asOfDays(days: number): string {
  return new Date(t0 + days * DAY).toISOString();
}

/** Engagement of a demo request after `daysInactive` whole days without activity, per the rule set's decay. */
function decayed(engagement: number, daysInactive: number): number {
  expect(RULES.decay.model).toBe('halfLife');
  const days = Math.max(0, daysInactive - RULES.decay.graceDays);
  return Math.round(engagement * 0.5 ** (days / RULES.decay.halfLifeDays));
}

function expectReasonsAddUp(score: Score): void {
  const sum = (dimension: Reason['dimension']) =>
    score.reasons.filter((r) => r.dimension === dimension).reduce((acc, r) => acc + r.points, 0);
  expect(sum('FIT')).toBe(score.fit);
  expect(sum('ENGAGEMENT')).toBe(score.engagement);
  expect(score.total).toBe(score.fit + score.engagement);
}

function causes(lead: Lead): string[] {
  return lead.scoreHistory.edges.map((edge) => edge.node.cause);
}

describe('runDecayPass', () => {
  let fresh: Lead;
  let quiet: Lead;
  let at40: Lead;

  beforeAll(async () => {
    fresh = await lead('decay-active');
    quiet = await lead('decay-quiet');
  });

  it('starts from a lead engaged by a demo request one day ago', () => {
    expect(fresh.score.engagement).toBe(points('eng-requested-demo'));
    expect(causes(fresh)).toEqual(['activity_recorded', 'lead_created']);
    expect(quiet.score.engagement).toBe(0);
    expect(causes(quiet)).toEqual(['lead_created']);
    // the grace period is longer than 5 + 1 days, shorter than 40 + 1
    expect(RULES.decay.graceDays).toBeGreaterThanOrEqual(6);
    expect(RULES.decay.graceDays).toBeLessThan(41);
  });

  it('within the grace period (asOf now + 5 days) engagement is unchanged and no history is added', async () => {
    const asOf = asOfDays(5);
    const projected = await previewWritingNothing(asOf);
    expect(projected).toEqual({
      asOf,
      changes: [],
      summary: { leadsScored: await leadRows(), leadsChanged: 0, leavingQualified: 0, enteringQualified: 0, bandMoves: [] },
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
    const historyBefore = await historyRows();
    const pass = await runDecayPass(asOf);
    expect(pass).toEqual({ asOf, leadsScored: await leadRows(), leadsChanged: 0 });
    expect(await historyRows()).toBe(historyBefore);

    const active = await lead('decay-active');
    expect(active.score).toEqual({ ...fresh.score, scoredAt: asOf });
    expect(active.scoreHistory).toEqual(fresh.scoreHistory);
    expect(active.score.reasons.map((reason) => reason.rule)).not.toContain('$decay');
    const idle = await lead('decay-quiet');
    expect(idle.score).toEqual({ ...quiet.score, scoredAt: asOf });
  });

  it('after the grace period (asOf now + 40 days) engagement decays, with a decay history entry and a negative $decay reason', async () => {
    const asOf = asOfDays(40);
    const shown = await lead('decay-active');
    const projected = await previewWritingNothing(asOf);
    expect(projected.summary.leadsScored).toBe(await leadRows());
    expect(projected.summary.leadsChanged).toBe(1);
    expect(projected.changes).toHaveLength(1);
    const [change40] = projected.changes;
    expect(change40.lead).toEqual({ externalId: 'decay-active' });
    expect(change40.current).toMatchObject(snapshotOf(fresh.score));
    expect(change40.projected.engagement).toBe(decayed(points('eng-requested-demo'), 41));
    expect(change40.projected.fit).toBe(fresh.score.fit);
    // qualified (90 points) before, not after: counted as leaving qualified, and as a band move if the band moves
    expect(change40.current?.qualified).toBe(true);
    expect(change40.projected.qualified).toBe(false);
    expect(projected.summary.leavingQualified).toBe(1);
    expect(projected.summary.enteringQualified).toBe(0);
    expect(projected.summary.bandMoves).toEqual(
      change40.current?.band === change40.projected.band ? [] : [{ from: change40.current?.band, to: change40.projected.band, leads: 1 }],
    );
    // the preview changed nothing the lead shows
    expect(await lead('decay-active')).toEqual(shown);

    const pass = await runDecayPass(asOf);
    expect(pass).toEqual({ asOf, leadsScored: await leadRows(), leadsChanged: 1 });

    at40 = await lead('decay-active');
    // the real pass stores what the preview projected
    expect(change40.projected).toMatchObject(snapshotOf(at40.score));
    const score = at40.score;
    const expected = decayed(points('eng-requested-demo'), 41);
    expect(score.engagement).toBe(expected);
    expect(score.engagement).toBeLessThan(fresh.score.engagement);
    expect(score.engagement).toBeGreaterThan(0);
    expect(score.fit).toBe(fresh.score.fit);
    expect(score.total).toBe(fresh.score.fit + expected);
    expect(score.scoredAt).toBe(asOf);
    expect(score.engagementLevel).toBeGreaterThan(fresh.score.engagementLevel);
    expectReasonsAddUp(score);
    const decay = score.reasons.filter((reason) => reason.rule === '$decay');
    expect(decay).toHaveLength(1);
    expect(decay[0].dimension).toBe('ENGAGEMENT');
    expect(decay[0].points).toBeLessThan(0);
    expect(decay[0].points).toBe(expected - points('eng-requested-demo'));
    // the demo request itself still counts (inside its 90-day window); decay takes points off it
    expect(score.reasons).toContainEqual({ rule: 'eng-requested-demo', dimension: 'ENGAGEMENT', points: points('eng-requested-demo') });

    expect(causes(at40)).toEqual(['decay', 'activity_recorded', 'lead_created']);
    const change = at40.scoreHistory.edges[0].node;
    expect(change.changedAt).toBe(asOf);
    expect(change.old).toEqual({ engagement: fresh.score.engagement, total: fresh.score.total });
    expect(change.new).toEqual({ engagement: score.engagement, total: score.total });
  });

  it('running the pass again with the same asOf adds no history', async () => {
    const asOf = asOfDays(40);
    const historyBefore = await historyRows();
    const pass = await runDecayPass(asOf);
    expect(pass.leadsChanged).toBe(0);
    expect(await historyRows()).toBe(historyBefore);
    expect(await lead('decay-active')).toEqual(at40);
  });

  it('long after (asOf now + 400 days) engagement is lower still and the engagement level drops', async () => {
    const asOf = asOfDays(400);
    const projected = await previewWritingNothing(asOf);
    expect(projected.changes.map((change) => change.lead?.externalId)).toEqual(['decay-active']);
    const pass = await runDecayPass(asOf);
    expect(pass).toEqual({ asOf, leadsScored: await leadRows(), leadsChanged: 1 });

    const active = await lead('decay-active');
    const score = active.score;
    expect(projected.changes[0].projected).toMatchObject(snapshotOf(score));
    expect(score.engagement).toBeLessThan(at40.score.engagement);
    expect(score.engagement).toBeLessThanOrEqual(0);
    // the demo request has left its 90-day window; only the long-inactivity rule is left
    expect(score.engagement).toBe(points('eng-inactive-90-days'));
    expect(score.engagementLevel).toBe(4);
    expect(score.engagementLevel).toBeGreaterThan(at40.score.engagementLevel);
    expect(score.cell.slice(1)).toBe('4');
    expect(score.scoredAt).toBe(asOf);
    expectReasonsAddUp(score);
    expect(causes(active)).toEqual(['decay', 'decay', 'activity_recorded', 'lead_created']);
    expect(active.scoreHistory.edges[0].node.changedAt).toBe(asOf);
    expect(active.scoreHistory.edges[0].node.old).toEqual({ engagement: at40.score.engagement, total: at40.score.total });

    const historyBefore = await historyRows();
    expect((await runDecayPass(asOf)).leadsChanged).toBe(0);
    expect(await historyRows()).toBe(historyBefore);
  });

  it('a lead without activities whose score does not change gets no decay history, only a new scoredAt', async () => {
    const idle = await lead('decay-quiet');
    expect(causes(idle)).toEqual(['lead_created']);
    expect(idle.score).toEqual({ ...quiet.score, scoredAt: asOfDays(400) });
  });

  it('every lead carries the pass asOf as its scoredAt', async () => {
    const asOf = asOfDays(401);
    await runDecayPass(asOf);
    const page = ok(
      await t.gql<{ leads: { totalCount: number; edges: Array<{ node: { score: { scoredAt: string } } }> } }>(
        `{ leads(first: 200) { totalCount edges { node { score { scoredAt } } } } }`,
      ),
    ).leads;
    expect(page.edges).toHaveLength(page.totalCount);
    for (const edge of page.edges) expect(edge.node.score.scoredAt).toBe(asOf);
    const rows = await t.sql<{ scored_at: Date }>('SELECT scored_at FROM lead_score');
    for (const row of rows) expect(new Date(row.scored_at).toISOString()).toBe(asOf);
  });
});

describe('the real pass and the future', () => {
  it('refuses an asOf in the future (beyond clock skew) with BAD_USER_INPUT naming asOf and pointing to decayPreview, and writes nothing', async () => {
    const before = await written();
    const result = await t.gql(`mutation($asOf: DateTimeISO) { runDecayPass(asOf: $asOf) { leadsChanged } }`, {
      asOf: new Date(Date.now() + DAY).toISOString(),
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems).toEqual([{ path: 'asOf', message: expect.stringContaining('decayPreview') }]);
    expect(await written()).toEqual(before);
  });

  it('takes an asOf a little ahead of its clock (skew) and refuses one just beyond', async () => {
    const now = new Date(asOfDays(401)).getTime();
    const pass = new ScorePassService(t.app.dataSource, t.app.services.scoring, t.app.services.scoreReader, {
      clock: { now: () => new Date(now) },
    });
    expect((await pass.runDecayPass(new Date(now + 4 * 60_000))).leadsChanged).toBe(0);
    const before = await written();
    await expect(pass.runDecayPass(new Date(now + 6 * 60_000))).rejects.toMatchObject({ problems: [{ path: 'asOf' }] });
    expect(await written()).toEqual(before);
  });
});

describe('decayPreview', () => {
  const rising = ['decay-rising-1', 'decay-rising-2'];
  let asOf: string;

  beforeAll(async () => {
    asOf = asOfDays(410);
    // A lead whose score goes up by a date: a demo request dated a day before it, written straight
    // into the table (the API refuses future activities). By then the pass would qualify it and,
    // with an active endpoint, write a lead.qualified event to the webhook outbox.
    for (const externalId of rising) {
      await upsert(externalId);
      await t.sql(
        `INSERT INTO activity (lead_id, type, occurred_at, idempotency_key) SELECT id, 'demo_request', $2, $3 FROM lead WHERE external_id = $1`,
        [externalId, asOfDays(409), `${externalId}-future-demo`],
      );
    }
    await t.sql(
      `INSERT INTO webhook_endpoint (name, url, secret, events, created_by) VALUES ('preview', 'https://hooks.example.com/x', 'secret', '{lead.qualified}', 'test')`,
    );
  });

  it('shows the leads that would become qualified, writes no score, history or outbox event, and the real pass then does', async () => {
    const page = await previewWritingNothing(asOf);
    expect(page.changes.map((change) => change.lead?.externalId)).toEqual(rising);
    for (const change of page.changes) {
      expect(change.current?.qualified).toBe(false);
      expect(change.projected.qualified).toBe(true);
      expect(change.projected.engagement).toBe(points('eng-requested-demo'));
    }
    expect(page.summary).toMatchObject({ leadsScored: await leadRows(), leadsChanged: 2, leavingQualified: 0, enteringQualified: 2 });
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(await t.sql('SELECT * FROM outbox_event')).toEqual([]);

    // The same date through the real pass (its clock at that date) writes what the preview did not.
    await runDecayPass(asOf);
    const events = await t.sql<{ type: string; lead_id: string }>(
      'SELECT type, lead_id::text AS lead_id FROM outbox_event ORDER BY lead_id',
    );
    expect(events.map((event) => event.type)).toEqual(['lead.qualified', 'lead.qualified']);
    expect(events.map((event) => event.lead_id)).toEqual(page.changes.map((change) => change.leadId));
    for (const change of page.changes) {
      const stored = await lead(change.lead!.externalId);
      expect(change.projected).toMatchObject(snapshotOf(stored.score));
      expect(causes(stored)[0]).toBe('decay');
    }
  });

  it('pages by `first` changes; each page summarises the leads it examined and the pages add up to the whole', async () => {
    const later = asOfDays(600); // both rising leads lose their demo request again
    const first = await previewWritingNothing(later, 1);
    expect(first.changes.map((change) => change.lead?.externalId)).toEqual([rising[0]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await previewWritingNothing(later, 1, first.pageInfo.endCursor!);
    expect(second.changes.map((change) => change.lead?.externalId)).toEqual([rising[1]]);
    const pages = [first, second];
    let last = second;
    while (last.pageInfo.hasNextPage) {
      last = await previewWritingNothing(later, 1, last.pageInfo.endCursor!);
      pages.push(last);
    }
    expect(pages.reduce((sum, page) => sum + page.summary.leadsScored, 0)).toBe(await leadRows());
    const whole = await previewWritingNothing(later, 100);
    expect(whole.summary.leadsChanged).toBe(pages.reduce((sum, page) => sum + page.summary.leadsChanged, 0));
    expect(whole.summary.leavingQualified).toBe(2);
    expect(first.summary.leavingQualified + second.summary.leavingQualified).toBe(2);
  });

  it('refuses a cursor of another asOf, a made-up cursor and a page size out of range, naming the argument', async () => {
    const page = await preview(asOf, 1);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ asOf: asOfDays(411), after: page.pageInfo.endCursor }, 'after'],
      [{ asOf, after: 'bm90LWEtY3Vyc29y' }, 'after'],
      [{ asOf, first: 0 }, 'first'],
      [{ asOf, first: 201 }, 'first'],
    ];
    for (const [variables, path] of cases) {
      const result = await t.gql(
        `query($asOf: DateTimeISO!, $first: Int, $after: String) { decayPreview(asOf: $asOf, first: $first, after: $after) { asOf } }`,
        variables,
      );
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].extensions?.problems).toEqual([{ path, message: expect.any(String) }]);
    }
  });

  it('is readable by every role and by API keys with scores:read, not by a key without it', async () => {
    const viewer: UserPrincipal = { kind: 'user', userId: t.admin.userId, email: 'viewer@test.local', name: 'Viewer', role: 'viewer' };
    expect((await t.gqlAs<{ decayPreview: Preview }>(viewer, PREVIEW, { asOf })).errors).toBeUndefined();
    expect(
      (await t.gqlAs({ kind: 'apiKey', keyId: '1', name: 'reader', scopes: ['scores:read'] }, PREVIEW, { asOf })).errors,
    ).toBeUndefined();
    const writer = await t.gqlAs({ kind: 'apiKey', keyId: '2', name: 'writer', scopes: ['leads:write'] }, PREVIEW, { asOf });
    expect(writer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
