import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { ASSIGN } from './support/owners';
import { ok } from './support/rule-sets';
import {
  type Job,
  LEAD_COUNT,
  type LeadNode,
  PUBLISH,
  ROLLBACK,
  setUpWorkflow,
  TARGET_INDUSTRY_LEADS,
  type Version,
  workflowHelpers,
} from './support/ruleset-workflow';
import type { TestApp } from './support/test-app';

/*
 * A publish's re-score leaves the rows of leads whose score did not change as they are (issue 20
 * item 2); every read of a score's version must still name the version that last re-scored it.
 */

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;

beforeAll(async () => {
  ({ t, marketing1, marketing2, sales1, viewer1 } = await setUpWorkflow());
});
afterAll(async () => {
  await t?.close();
});
const { leads, waitForJob, reviewAndApprove, draftRaisedRule } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));

const LEAD = `query($id: ID!) { lead(id: $id) { id score { total ruleSetKey ruleSetVersion reasons { rule points } } } }`;

interface RowState {
  leadId: string;
  externalId: string;
  /** The row's version in PostgreSQL: unchanged while the row is not written. */
  rowXmin: string;
  /** The version the row names itself (not resolved). */
  storedVersion: number;
}

async function rowStates(): Promise<Map<string, RowState>> {
  const rows = await t.sql<RowState>(
    `SELECT s.lead_id::text AS "leadId", l.external_id AS "externalId", s.xmin::text AS "rowXmin", s.rule_set_version AS "storedVersion"
       FROM lead_score s JOIN lead l ON l.id = s.lead_id`,
  );
  return new Map(rows.map((row) => [row.externalId, row]));
}

async function oneLead(id: string): Promise<{ total: number; ruleSetVersion: number; reasons: Array<{ rule: string; points: number }> }> {
  return ok(
    await t.gql<{ lead: { score: { total: number; ruleSetVersion: number; reasons: Array<{ rule: string; points: number }> } } }>(LEAD, {
      id,
    }),
  ).lead.score;
}

async function expectEveryLeadOn(version: number): Promise<LeadNode[]> {
  const nodes = await leads();
  expect(nodes).toHaveLength(LEAD_COUNT);
  for (const node of nodes) {
    expect(node.score.ruleSetVersion, node.externalId).toBe(version);
    expect((await oneLead(node.id)).ruleSetVersion, node.externalId).toBe(version);
    const current = (await t.app.services.scoreReader.currentScores(t.app.dataSource.manager, [node.id])).get(node.id);
    expect(current?.ruleSetVersion, node.externalId).toBe(version);
  }
  return nodes;
}

describe('scores left unwritten by a re-score read as the version they were carried to', () => {
  let v1: Version;

  it('a points-only publish writes only the changed scores; every lead reads the new version', async () => {
    const { v1: active, draft, scoresBefore } = await draftRaisedRule();
    v1 = active;
    const before = await rowStates();
    await reviewAndApprove(draft.id, marketing1);
    const { publishVersion } = ok(await t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: draft.id }));
    const job = await waitForJob(publishVersion.rescoreJob.id);
    const after = await rowStates();

    const unchanged = [...before.keys()].filter((externalId) => !TARGET_INDUSTRY_LEADS.includes(externalId));
    expect(unchanged.length).toBeGreaterThan(0);
    for (const externalId of unchanged) {
      // Not rewritten: the same row version, still naming version 1.
      expect(after.get(externalId)?.rowXmin, externalId).toBe(before.get(externalId)?.rowXmin);
      expect(after.get(externalId)?.storedVersion, externalId).toBe(1);
    }
    for (const externalId of TARGET_INDUSTRY_LEADS) expect(after.get(externalId)?.storedVersion, externalId).toBe(2);
    expect(job.changedLeads).toBe(TARGET_INDUSTRY_LEADS.length);

    const nodes = await expectEveryLeadOn(2);
    for (const node of nodes) {
      if (TARGET_INDUSTRY_LEADS.includes(node.externalId)) continue;
      // Same score, explained by version 2's rules (the same fired rules).
      expect(node.score.total, node.externalId).toBe(scoresBefore.get(node.externalId)?.score.total);
      expect(node.score.reasons, node.externalId).toEqual(scoresBefore.get(node.externalId)?.score.reasons);
    }
  });

  it('a lead scored after the carry names its own version; a rollback carries every lead again', async () => {
    const quiet = (await leads()).find((node) => !TARGET_INDUSTRY_LEADS.includes(node.externalId)) as LeadNode;
    // Any write of the score (here an activity) stores the version that scored it, and later carries
    // do not reach back past it.
    ok(
      await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
        input: {
          leadExternalId: quiet.externalId,
          type: 'PAGE_VIEW',
          occurredAt: new Date().toISOString(),
          idempotencyKey: 'carry-quiet-1',
        },
      }),
    );
    expect((await rowStates()).get(quiet.externalId)?.storedVersion).toBe(2);
    expect((await oneLead(quiet.id)).ruleSetVersion).toBe(2);

    const { rollbackRuleSet } = ok(
      await t.gql<{ rollbackRuleSet: { version: Version; rescoreJob: Job } }>(ROLLBACK, { key: 'default-b2b', to: v1.id }),
    );
    expect(rollbackRuleSet.version.version).toBe(3);
    await waitForJob(rollbackRuleSet.rescoreJob.id);
    const states = await rowStates();
    // Some rows still name version 1 or 2 themselves: the reads resolve them to 3.
    expect([...states.values()].some((row) => row.storedVersion !== 3)).toBe(true);
    await expectEveryLeadOn(3);
  });

  it('a webhook event of a carried lead names the version it was carried to', async () => {
    ok(
      await t.gql(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`, {
        input: { name: 'carry', url: 'https://93.184.216.34/carry', events: ['lead.assigned'] },
      }),
    );
    const { defineOwner } = ok(
      await t.gql<{ defineOwner: { id: string } }>(`mutation($input: DefineOwnerInput!) { defineOwner(input: $input) { id } }`, {
        input: { kind: 'QUEUE', name: 'Carry queue', team: 'carry' },
      }),
    );
    const carried = [...(await rowStates()).values()].find((row) => row.storedVersion !== 3) as RowState;
    ok(await t.gql(ASSIGN, { leadId: carried.leadId, ownerId: defineOwner.id }));
    const events = await t.sql<{ version: string }>(
      `SELECT payload->'score'->>'ruleSetVersion' AS version FROM outbox_event WHERE type = 'lead.assigned' AND lead_id = $1::bigint`,
      [carried.leadId],
    );
    expect(events.map((event) => event.version)).toEqual(['3']);
  });
});
