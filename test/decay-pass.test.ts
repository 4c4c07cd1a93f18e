import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScorePassService } from '../server/src/scoring/score-pass.service';
import { decayHelpers, causes, DAY, decayed, expectReasonsAddUp, type Lead, ok, points, RULES, snapshotOf } from './support/decay';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let t0: number;
beforeAll(async () => {
  t = await createTestApp();
  t0 = Date.now();
  await seedDecayLeads();
});
afterAll(async () => {
  await t?.close();
});
const { seedDecayLeads, lead, runDecayPass, written, previewWritingNothing, historyRows, leadRows, asOfDays } = decayHelpers(
  () => t,
  () => t0,
);

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
