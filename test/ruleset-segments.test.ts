import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { ok } from './support/rule-sets';
import {
  setUpWorkflow,
  workflowHelpers,
  actor,
  APPROVE,
  CREATE_DRAFT,
  expectError,
  GET_VERSION,
  JOB,
  type Job,
  LEAD_INPUTS,
  PUBLISH,
  RULE_SET,
  type Version,
} from './support/ruleset-workflow';
import type { GqlError, TestApp } from './support/test-app';

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;

beforeAll(async () => {
  ({ t, marketing1, marketing2, sales1, viewer1 } = await setUpWorkflow());
  // These tests start where a release of the default rule set ends: at version 3.
  await releaseAndRollBack();
});
afterAll(async () => {
  await t?.close();
});
const { leads, waitForJob, reviewAndApprove, releaseAndRollBack } = workflowHelpers(() => ({ t, marketing1, marketing2, sales1, viewer1 }));

describe('a rule set for a segment', () => {
  it('scores the leads of its segment once its first version is published; the others stay on the default', async () => {
    const created = ok(
      await t.gqlAs<{ createRuleSet: { id: string; key: string; isDefault: boolean; segments: string[]; activeVersionId: string | null } }>(
        marketing1,
        `mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { id key isDefault segments activeVersionId } }`,
        { input: { key: 'enterprise', name: 'Enterprise accounts', segments: ['enterprise'] } },
      ),
    ).createRuleSet;
    expect(created).toMatchObject({ key: 'enterprise', isDefault: false, segments: ['enterprise'], activeVersionId: null });
    const { ruleSet } = ok(
      await t.gql<{ ruleSet: { versions: Array<{ id: string; version: number; status: string }> } }>(RULE_SET, { key: 'enterprise' }),
    );
    expect(ruleSet.versions).toHaveLength(1);
    const first = ruleSet.versions[0];
    expect(first).toMatchObject({ version: 1, status: 'draft' });

    // Nothing changes for anyone until it is published.
    for (const lead of await leads()) expect(lead.score.ruleSetKey, lead.externalId).toBe('default-b2b');

    await reviewAndApprove(first.id, marketing1);
    const { publishVersion } = ok(await t.gql<{ publishVersion: { version: Version; rescoreJob: Job } }>(PUBLISH, { id: first.id }));
    expect(publishVersion.version).toMatchObject({ ruleSetKey: 'enterprise', version: 1, status: 'published' });
    const enterpriseLeads = LEAD_INPUTS.filter(({ input }) => input.segment === 'enterprise').length;
    const job = await waitForJob(publishVersion.rescoreJob.id);
    // Its first version is a copy of the default model: the leads move to it, their points stay, so no history.
    expect(job).toMatchObject({
      ruleSetKey: 'enterprise',
      totalLeads: enterpriseLeads,
      doneLeads: enterpriseLeads,
      changedLeads: 0,
      percent: 100,
    });

    for (const lead of await leads()) {
      if (lead.segment === 'enterprise') expect(lead.score, lead.externalId).toMatchObject({ ruleSetKey: 'enterprise', ruleSetVersion: 1 });
      else expect(lead.score, lead.externalId).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 3 });
    }

    // A lead that joins the segment later is scored by it at once.
    const moved = ok(
      await t.gql<{ upsertLead: { score: { ruleSetKey: string; ruleSetVersion: number } } }>(
        `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { score { ruleSetKey ruleSetVersion } } }`,
        { input: { externalId: 'wf-bare', segment: 'enterprise' } },
      ),
    ).upsertLead;
    expect(moved.score).toEqual({ ruleSetKey: 'enterprise', ruleSetVersion: 1 });

    // Activities for leads of both rule sets in one batch: each lead is scored by its own rule set,
    // and what is answered and stored is what scoring the lead from scratch gives.
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const batch = ok(
      await t.gql<{
        recordActivities: {
          leads: Array<{ externalId: string; score: { total: number; engagement: number; ruleSetKey: string; ruleSetVersion: number } }>;
        };
      }>(
        `mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { leads { externalId score { total engagement ruleSetKey ruleSetVersion } } } }`,
        {
          input: ['wf-enterprise-software', 'wf-software-vp', 'wf-bare'].map((externalId) => ({
            leadExternalId: externalId,
            type: 'DEMO_REQUEST',
            occurredAt,
            idempotencyKey: `segment-batch-${externalId}`,
          })),
        },
      ),
    ).recordActivities;
    const answered = new Map(batch.leads.map((lead) => [lead.externalId, lead.score]));
    expect(answered.get('wf-enterprise-software')).toMatchObject({ ruleSetKey: 'enterprise', ruleSetVersion: 1 });
    expect(answered.get('wf-bare')).toMatchObject({ ruleSetKey: 'enterprise', ruleSetVersion: 1 });
    expect(answered.get('wf-software-vp')).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 3 });
    const byExternalId = new Map((await leads()).map((lead) => [lead.externalId, lead]));
    const stored = await t.sql<{ leadId: string; scoredAt: Date }>(
      `SELECT lead_id::text AS "leadId", scored_at AS "scoredAt" FROM lead_score WHERE lead_id = ANY($1::bigint[])`,
      [[...answered.keys()].map((externalId) => byExternalId.get(externalId)?.id)],
    );
    expect(stored).toHaveLength(3);
    for (const { leadId, scoredAt } of stored) {
      const lead = [...byExternalId.values()].find((node) => node.id === leadId);
      if (!lead) throw new Error(`lead ${leadId} not listed`);
      const [fromScratch] = await t.app.services.scoreReader.computeScores(t.app.dataSource.manager, [leadId], scoredAt);
      expect(lead.score, lead.externalId).toMatchObject({
        total: fromScratch.total,
        engagement: fromScratch.engagement,
        ruleSetKey: fromScratch.ruleSetKey,
      });
      expect(answered.get(lead.externalId), lead.externalId).toMatchObject({
        total: fromScratch.total,
        engagement: fromScratch.engagement,
      });
    }
  });

  it('the default rule set cannot be archived; unknown versions are NOT_FOUND', async () => {
    expectError(await t.gql(`mutation { archiveRuleSet(key: "default-b2b") { archivedAt } }`), 'CONFLICT', 'CANNOT_ARCHIVE_DEFAULT');
    const { ruleSet } = ok(await t.gql<{ ruleSet: { archivedAt: string | null } }>(RULE_SET, { key: 'default-b2b' }));
    expect(ruleSet.archivedAt).toBeNull();

    expectError(await t.gql(GET_VERSION, { id: '987654' }), 'NOT_FOUND', 'RULE_SET_VERSION_NOT_FOUND');
    expectError(await t.gql(GET_VERSION, { id: 'not-a-number' }), 'NOT_FOUND', 'RULE_SET_VERSION_NOT_FOUND');
    expectError(await t.gqlAs(marketing2, APPROVE, { input: { versionId: '987654' } }), 'NOT_FOUND', 'RULE_SET_VERSION_NOT_FOUND');
    expectError(await t.gql(PUBLISH, { id: '987654' }), 'NOT_FOUND', 'RULE_SET_VERSION_NOT_FOUND');
    expectError(
      await t.gqlAs(marketing1, CREATE_DRAFT, { input: { ruleSetKey: 'default-b2b', copyOfVersionId: '987654' } }),
      'NOT_FOUND',
      'RULE_SET_VERSION_NOT_FOUND',
    );
    expectError(
      await t.gqlAs(marketing1, CREATE_DRAFT, { input: { ruleSetKey: 'no-such-set', copyOfVersionId: '1' } }),
      'NOT_FOUND',
      'RULE_SET_NOT_FOUND',
    );
  });
});

// ---- segments ----

describe('setRuleSetSegments', () => {
  const SET_SEGMENTS = `mutation($key: String!, $segments: [String!]!) { setRuleSetSegments(key: $key, segments: $segments) { ruleSet { key segments } rescoreJob { ${JOB} } } }`;
  type SetSegments = { setRuleSetSegments: { ruleSet: { key: string; segments: string[] }; rescoreJob: Job | null } };
  const problems = (error: GqlError) => (error.extensions as { problems: Array<{ path: string; message: string }> }).problems;

  it('is for marketing and admins, and refuses the default rule set, a repeated segment and one another rule set claims', async () => {
    for (const principal of [sales1, viewer1])
      expectError(await t.gqlAs(principal, SET_SEGMENTS, { key: 'enterprise', segments: [] }), 'FORBIDDEN', 'FORBIDDEN_ROLE');
    const onDefault = expectError(
      await t.gqlAs(marketing1, SET_SEGMENTS, { key: 'default-b2b', segments: ['smb'] }),
      'BAD_USER_INPUT',
      'INVALID_RULE_SET',
    );
    expect(problems(onDefault)).toEqual([{ path: 'segments', message: expect.stringContaining('default rule set') }]);
    ok(await t.gqlAs(marketing1, `mutation { createRuleSet(input: { key: "smb", name: "Small business" }) { id } }`));
    const claimed = expectError(
      await t.gqlAs(marketing1, SET_SEGMENTS, { key: 'smb', segments: ['smb', ' smb', 'smb', 'enterprise'] }),
      'BAD_USER_INPUT',
      'INVALID_RULE_SET',
    );
    expect(problems(claimed).map((p) => p.path)).toEqual(['segments[1]', 'segments[2]']);
    const taken = expectError(
      await t.gqlAs(marketing1, SET_SEGMENTS, { key: 'smb', segments: ['smb', 'enterprise'] }),
      'BAD_USER_INPUT',
      'INVALID_RULE_SET',
    );
    expect(problems(taken)).toEqual([
      { path: 'segments[1]', message: '"enterprise" is scored by rule set "enterprise"; remove it there first' },
    ]);
    expect(ok(await t.gql<{ ruleSet: { segments: string[] } }>(RULE_SET, { key: 'smb' })).ruleSet.segments).toEqual([]);
    // A rule set not published yet takes its segments at once; nothing to re-score.
    const set = ok(await t.gqlAs<SetSegments>(marketing1, SET_SEGMENTS, { key: 'smb', segments: ['smb'] })).setRuleSetSegments;
    expect(set).toEqual({ ruleSet: { key: 'smb', segments: ['smb'] }, rescoreJob: null });
  });

  it('moves the leads of a segment it gives up to the default rule set, and back: re-scored by a job, audited', async () => {
    const enterpriseLeads = LEAD_INPUTS.filter(({ input }) => input.segment === 'enterprise').length + 1; // and wf-bare, which joined it
    const released = ok(await t.gqlAs<SetSegments>(marketing1, SET_SEGMENTS, { key: 'enterprise', segments: [] })).setRuleSetSegments;
    expect(released.ruleSet.segments).toEqual([]);
    expect(released.rescoreJob).toMatchObject({ ruleSetKey: 'enterprise', totalLeads: enterpriseLeads });
    await waitForJob(released.rescoreJob!.id);
    for (const lead of await leads()) expect(lead.score.ruleSetKey, lead.externalId).toBe('default-b2b');

    const claimed = ok(
      await t.gqlAs<SetSegments>(marketing1, SET_SEGMENTS, { key: 'enterprise', segments: ['enterprise'] }),
    ).setRuleSetSegments;
    expect(claimed.rescoreJob).toMatchObject({ totalLeads: enterpriseLeads });
    await waitForJob(claimed.rescoreJob!.id);
    for (const lead of await leads())
      expect(lead.score.ruleSetKey, lead.externalId).toBe(lead.segment === 'enterprise' ? 'enterprise' : 'default-b2b');

    // Setting the same segments again changes nothing and records nothing.
    expect(
      ok(await t.gqlAs<SetSegments>(marketing1, SET_SEGMENTS, { key: 'enterprise', segments: ['enterprise'] })).setRuleSetSegments
        .rescoreJob,
    ).toBeNull();
    const audit = await t.sql<{ actor: string; summary: string; before: unknown; after: { segments: string[] } }>(
      `SELECT actor, summary, before, after FROM audit_log WHERE action = 'rule_set.segments_set' AND entity_id = (SELECT id::text FROM rule_set WHERE key = 'enterprise') ORDER BY id`,
    );
    expect(audit.map((entry) => [entry.before, entry.after.segments])).toEqual([
      [{ segments: ['enterprise'] }, []],
      [{ segments: [] }, ['enterprise']],
    ]);
    expect(audit[0]).toMatchObject({ actor: actor(marketing1), summary: expect.stringContaining('re-scoring leads of enterprise') });
  });

  it('a publish of the rule set does not supersede the job moving leads between rule sets', async () => {
    const [ruleSet] = await t.sql<{ id: string; versionId: string }>(
      `SELECT id::text AS id, active_version_id::text AS "versionId" FROM rule_set WHERE key = 'enterprise'`,
    );
    const job = {
      ruleSetId: ruleSet.id,
      versionId: ruleSet.versionId,
      createdBy: 'test',
      isDefault: false,
      segments: ['enterprise'],
      claimedSegments: ['enterprise'],
    };
    const rolledBack = new Error('rolled back: the jobs only had to meet');
    const statuses = await t.app.dataSource
      .transaction(async (manager) => {
        const moving = await t.app.services.rescore.createJob(manager, { ...job, movedSegments: ['enterprise'] });
        const publishing = await t.app.services.rescore.createJob(manager, job);
        const rows: Array<{ id: string; status: string }> = await manager.query(
          `SELECT id::text AS id, status FROM rescore_job WHERE id = ANY($1::bigint[])`,
          [[moving, publishing]],
        );
        throw Object.assign(rolledBack, { rows: rows.map((row) => [row.id === moving ? 'moving' : 'publishing', row.status]).sort() });
      })
      .catch((error: { rows?: string[][] }) => error.rows);
    expect(statuses).toEqual([
      ['moving', 'running'],
      ['publishing', 'running'],
    ]);
  });
});
