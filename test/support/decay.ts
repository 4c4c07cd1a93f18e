import { expect } from 'vitest';
import { ScorePassService } from '../../server/src/scoring/score-pass.service';
import type { TestApp } from './test-app';
import { RULES, type Reason, ok } from './scores';
export { type RuleFile, RULES, points, type Reason, ok, expectReasonsAddUp } from './scores';

/* What the decay tests share: the default rule set's points and decay, the GraphQL documents and helpers. */

export interface Score {
  total: number;
  fit: number;
  engagement: number;
  engagementLevel: number;
  cell: string;
  scoredAt: string;
  reasons: Reason[];
}
export interface ScoreChange {
  cause: string;
  changedAt: string;
  old: { engagement: number; total: number } | null;
  new: { engagement: number; total: number };
}
export interface Lead {
  externalId: string;
  score: Score;
  scoreHistory: { edges: Array<{ node: ScoreChange }> };
}
export interface PassResult {
  asOf: string;
  leadsScored: number;
  leadsChanged: number;
}
export interface Snapshot {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}
export interface Preview {
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

export const DAY = 86_400_000;
export const LEAD = `externalId score { total fit engagement engagementLevel cell scoredAt reasons { rule dimension points } }
  scoreHistory(first: 100) { edges { node { cause changedAt old { engagement total } new { engagement total } } } }`;

export const PREVIEW = `query($asOf: DateTimeISO!, $first: Int, $after: String) {
  decayPreview(asOf: $asOf, first: $first, after: $after) {
    asOf
    changes { leadId lead { externalId } current { fit engagement total cell band qualified } projected { fit engagement total cell band qualified } }
    summary { leadsScored leadsChanged leavingQualified enteringQualified bandMoves { from to leads } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function snapshotOf(score: Score & { band?: string; qualified?: boolean }): Pick<Snapshot, 'fit' | 'engagement' | 'total' | 'cell'> {
  return { fit: score.fit, engagement: score.engagement, total: score.total, cell: score.cell };
}

/** Engagement of a demo request after `daysInactive` whole days without activity, per the rule set's decay. */
export function decayed(engagement: number, daysInactive: number): number {
  expect(RULES.decay.model).toBe('halfLife');
  const days = Math.max(0, daysInactive - RULES.decay.graceDays);
  return Math.round(engagement * 0.5 ** (days / RULES.decay.halfLifeDays));
}

export function causes(lead: Lead): string[] {
  return lead.scoreHistory.edges.map((edge) => edge.node.cause);
}

/**
 * Helpers that read and write through the app the test file created (`app` and `start`, the time the
 * leads were seeded, are called when they run). */
export function decayHelpers(app: () => TestApp, start: () => number) {
  /** Two leads scored at `start`: one engaged by a demo request the day before, one without activities. */
  async function seedDecayLeads(): Promise<void> {
    await upsert('decay-active');
    ok(
      await app().gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
        input: {
          leadExternalId: 'decay-active',
          type: 'DEMO_REQUEST',
          idempotencyKey: 'decay-active-demo',
          occurredAt: new Date(start() - DAY).toISOString(),
        },
      }),
    );
    await upsert('decay-quiet');
  }

  async function upsert(externalId: string): Promise<void> {
    ok(
      await app().gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
        input: { externalId, email: `${externalId}@acme.io`, attributes: { industry: 'software', companySize: 800, seniority: 'vp' } },
      }),
    );
  }

  async function lead(externalId: string): Promise<Lead> {
    return ok(await app().gql<{ lead: Lead }>(`query($x: String) { lead(externalId: $x) { ${LEAD} } }`, { x: externalId })).lead;
  }

  /**
   * The real pass as of `asOf`, run when the clock reads `asOf` (the pass refuses a future asOf):
   * the scheduler's pass on that day.
   */
  async function runDecayPass(asOf: string): Promise<PassResult> {
    const pass = new ScorePassService(app().app.dataSource, app().app.services.scoring, app().app.services.scoreReader, {
      clock: { now: () => new Date(asOf) },
    });
    const result = await pass.runDecayPass(new Date(asOf));
    return { ...result, asOf: result.asOf.toISOString() };
  }

  async function preview(asOf: string, first?: number, after?: string): Promise<Preview> {
    return ok(await app().gql<{ decayPreview: Preview }>(PREVIEW, { asOf, first, after })).decayPreview;
  }

  /** Everything a pass writes: scores, history, webhook outbox and deliveries. */
  async function written(): Promise<unknown[]> {
    return Promise.all([
      app().sql('SELECT * FROM lead_score ORDER BY lead_id'),
      app().sql('SELECT * FROM score_history ORDER BY id'),
      app().sql('SELECT * FROM outbox_event ORDER BY id'),
      app().sql('SELECT * FROM webhook_delivery ORDER BY id'),
    ]);
  }

  /** The preview as of `asOf`, checked to have written nothing. */
  async function previewWritingNothing(asOf: string, first?: number, after?: string): Promise<Preview> {
    const before = await written();
    const page = await preview(asOf, first, after);
    expect(await written()).toEqual(before);
    return page;
  }

  async function historyRows(): Promise<number> {
    const [row] = await app().sql<{ count: number }>('SELECT count(*)::int AS count FROM score_history');
    return row.count;
  }

  async function leadRows(): Promise<number> {
    const [row] = await app().sql<{ count: number }>('SELECT count(*)::int AS count FROM lead');
    return row.count;
  }

  function asOfDays(days: number): string {
    return new Date(start() + days * DAY).toISOString();
  }

  return { seedDecayLeads, upsert, lead, runDecayPass, preview, written, previewWritingNothing, historyRows, leadRows, asOfDays };
}
