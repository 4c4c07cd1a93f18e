import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
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
      input: { leadExternalId: 'decay-active', type: 'DEMO_REQUEST', idempotencyKey: 'decay-active-demo', occurredAt: new Date(t0 - DAY).toISOString() },
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

async function runDecayPass(asOf: string): Promise<PassResult> {
  return ok(await t.gql<{ runDecayPass: PassResult }>(`mutation($asOf: DateTimeISO) { runDecayPass(asOf: $asOf) { asOf leadsScored leadsChanged } }`, { asOf })).runDecayPass;
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
  return Math.round(engagement * Math.pow(0.5, days / RULES.decay.halfLifeDays));
}

function expectReasonsAddUp(score: Score): void {
  const sum = (dimension: Reason['dimension']) => score.reasons.filter((r) => r.dimension === dimension).reduce((acc, r) => acc + r.points, 0);
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
    const pass = await runDecayPass(asOf);
    expect(pass).toEqual({ asOf, leadsScored: await leadRows(), leadsChanged: 1 });

    at40 = await lead('decay-active');
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
    const pass = await runDecayPass(asOf);
    expect(pass).toEqual({ asOf, leadsScored: await leadRows(), leadsChanged: 1 });

    const active = await lead('decay-active');
    const score = active.score;
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
    const page = ok(await t.gql<{ leads: { totalCount: number; edges: Array<{ node: { score: { scoredAt: string } } }> } }>(`{ leads(first: 200) { totalCount edges { node { score { scoredAt } } } } }`)).leads;
    expect(page.edges).toHaveLength(page.totalCount);
    for (const edge of page.edges) expect(edge.node.score.scoredAt).toBe(asOf);
    const rows = await t.sql<{ scored_at: Date }>('SELECT scored_at FROM lead_score');
    for (const row of rows) expect(new Date(row.scored_at).toISOString()).toBe(asOf);
  });
});
