import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { metrics } from '../server/src/observability/metrics';
import { ok } from './support/rule-sets';
import {
  setUpWorkflow,
  workflowHelpers,
  actor,
  APPROVE,
  expectError,
  FINAL_POINTS,
  type Job,
  LEAD_COUNT,
  type LeadNode,
  OLD_POINTS,
  PUBLISH,
  RAISED_RULE,
  ROLLBACK,
  RULE_SET,
  SAVE_DRAFT,
  SUBMIT,
  TARGET_INDUSTRY_LEADS,
  type Version,
  withPoints,
} from './support/ruleset-workflow';
import type { TestApp } from './support/test-app';

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
const { getVersion, reviews, leads, waitForJob, reviewAndApprove, draftRaisedRule } = workflowHelpers(() => ({
  t,
  marketing1,
  marketing2,
  sales1,
  viewer1,
}));

describe('a rule set release: draft, review, publish, re-score, rollback', () => {
  let v1: Version;
  let draft: Version;
  let job2: Job;
  let scoresBefore: Map<string, LeadNode>;

  beforeAll(async () => {
    ({ v1, draft, scoresBefore } = await draftRaisedRule());
  });

  it('review: the author and a viewer cannot approve, nothing publishes before approval, marketing then sales approve', async () => {
    const submitted = ok(await t.gqlAs<{ submitForReview: Version }>(marketing1, SUBMIT, { id: draft.id })).submitForReview;
    expect(submitted).toMatchObject({ status: 'in_review', submittedBy: actor(marketing1) });

    expectError(await t.gqlAs(marketing1, APPROVE, { input: { versionId: draft.id } }), 'FORBIDDEN', 'SELF_APPROVAL');
    expectError(await t.gqlAs(viewer1, APPROVE, { input: { versionId: draft.id } }), 'FORBIDDEN', 'FORBIDDEN_ROLE');
    expectError(await t.gql(PUBLISH, { id: draft.id }), 'CONFLICT', 'ILLEGAL_TRANSITION');
    expect(await reviews(draft.id)).toEqual([]);

    const afterMarketing = ok(
      await t.gqlAs<{ approveVersion: Version }>(marketing2, APPROVE, { input: { versionId: draft.id, comment: 'fine by marketing' } }),
    ).approveVersion;
    expect(afterMarketing.status).toBe('in_review');
    expectError(await t.gql(PUBLISH, { id: draft.id }), 'CONFLICT', 'ILLEGAL_TRANSITION');
    const afterSales = ok(await t.gqlAs<{ approveVersion: Version }>(sales1, APPROVE, { input: { versionId: draft.id } })).approveVersion;
    expect(afterSales.status).toBe('approved');
    expect(afterSales.approvedAt).not.toBeNull();
    expect(await reviews(draft.id)).toEqual([
      expect.objectContaining({
        side: 'marketing',
        decision: 'approved',
        reviewer: actor(marketing2),
        comment: 'fine by marketing',
        revision: 2,
        voided: false,
      }),
      expect.objectContaining({ side: 'sales', decision: 'approved', reviewer: actor(sales1), comment: '', revision: 2, voided: false }),
    ]);
  });

  it('an edit after approval sends the version back to draft and voids the sign-offs; it is then reviewed again', async () => {
    const edited = ok(
      await t.gqlAs<{ saveDraft: Version }>(marketing1, SAVE_DRAFT, {
        input: { versionId: draft.id, definition: withPoints(FINAL_POINTS), expectedRevision: 2 },
      }),
    ).saveDraft;
    expect(edited).toMatchObject({ status: 'draft', revision: 3, approvedAt: null, submittedAt: null, submittedBy: null });
    expect((await reviews(draft.id)).map((review) => review.voided)).toEqual([true, true]);
    expectError(await t.gql(PUBLISH, { id: draft.id }), 'CONFLICT', 'ILLEGAL_TRANSITION');

    draft = await reviewAndApprove(draft.id, marketing1);
    expect(draft.revision).toBe(3);
    expect(await reviews(draft.id)).toEqual([
      expect.objectContaining({ side: 'marketing', revision: 2, voided: true }),
      expect.objectContaining({ side: 'sales', revision: 2, voided: true }),
      expect.objectContaining({ side: 'marketing', reviewer: actor(marketing2), revision: 3, voided: false }),
      expect.objectContaining({ side: 'sales', reviewer: actor(sales1), revision: 3, voided: false }),
    ]);
  });

  it('sales cannot publish (PUBLISH_ROLES is admin by default)', async () => {
    expectError(await t.gqlAs(sales1, PUBLISH, { id: draft.id }), 'FORBIDDEN', 'NOT_ALLOWED_TO_PUBLISH');
    expectError(await t.gqlAs(marketing2, PUBLISH, { id: draft.id }), 'FORBIDDEN', 'NOT_ALLOWED_TO_PUBLISH');
    expect((await getVersion(draft.id)).status).toBe('approved');
  });

  it('admin publishes: a re-score job scores every lead under the new version', async () => {
    const carried = async () => (await metrics.rulesCarried.get()).values.reduce((sum, value) => sum + value.value, 0);
    const carriedBefore = await carried();
    const { publishVersion } = ok(await t.gql<{ publishVersion: { version: Version; rescoreJob: Job } }>(PUBLISH, { id: draft.id }));
    expect(publishVersion.version).toMatchObject({ id: draft.id, version: 2, status: 'published', publishedBy: actor(t.admin) });
    expect(publishVersion.rescoreJob).toMatchObject({
      ruleSetKey: 'default-b2b',
      version: 2,
      totalLeads: LEAD_COUNT,
      createdBy: actor(t.admin),
    });

    job2 = await waitForJob(publishVersion.rescoreJob.id);
    expect(job2).toMatchObject({
      totalLeads: LEAD_COUNT,
      doneLeads: LEAD_COUNT,
      percent: 100,
      doneChunks: job2.totalChunks,
      etaSeconds: 0,
      error: null,
    });

    const { ruleSet } = ok(
      await t.gql<{ ruleSet: { activeVersionId: string; versions: Array<{ version: number; status: string }> } }>(RULE_SET, {
        key: 'default-b2b',
      }),
    );
    expect(ruleSet.activeVersionId).toBe(draft.id);
    expect(ruleSet.versions.map((v) => [v.version, v.status])).toEqual([
      [2, 'published'],
      [1, 'retired'],
    ]);

    const after = await leads();
    for (const lead of after) {
      expect(lead.score, lead.externalId).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 2 });
      const before = scoresBefore.get(lead.externalId) as LeadNode;
      const raised = TARGET_INDUSTRY_LEADS.includes(lead.externalId);
      expect(
        lead.score.reasons.some((reason) => reason.rule === RAISED_RULE && reason.points === FINAL_POINTS),
        lead.externalId,
      ).toBe(raised);
      // No lead of these is near the fit cap: the raise shows in full.
      expect(lead.score.fit - before.score.fit, lead.externalId).toBe(raised ? FINAL_POINTS - OLD_POINTS : 0);
    }

    // One history entry per lead whose score changed, as many as the job counted.
    const published = after.flatMap((lead) =>
      lead.scoreHistory.edges
        .map((edge) => edge.node)
        .filter((change) => change.cause === 'rule_set_published')
        .map((change) => ({ lead, change })),
    );
    expect(published).toHaveLength(job2.changedLeads);
    expect(job2.changedLeads).toBeGreaterThanOrEqual(TARGET_INDUSTRY_LEADS.length);
    for (const { lead, change } of published) {
      expect(change).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 2 });
      expect(change.old?.fit, lead.externalId).toBe(scoresBefore.get(lead.externalId)?.score.fit);
      expect(change.new.fit, lead.externalId).toBe(lead.score.fit);
    }
    const [{ count }] = await t.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM score_history WHERE cause = 'rule_set_published'`,
    );
    expect(count).toBe(job2.changedLeads);

    // The edit changed points only: every lead kept its fired rules, carried over instead of evaluated
    // (carry-plan.ts), and every stored score equals scoring the lead from scratch at its scoredAt.
    expect((await carried()) - carriedBefore).toBe(LEAD_COUNT);
    const stored = await t.sql<{ leadId: string; scoredAt: Date }>(
      `SELECT lead_id::text AS "leadId", scored_at AS "scoredAt" FROM lead_score`,
    );
    for (const { leadId, scoredAt } of stored) {
      const [fromScratch] = await t.app.services.scoreReader.computeScores(t.app.dataSource.manager, [leadId], scoredAt);
      const lead = after.find((node) => node.id === leadId);
      expect(lead?.score, leadId).toMatchObject({
        fit: fromScratch.fit,
        engagement: fromScratch.engagement,
        total: fromScratch.total,
        ruleSetVersion: 2,
      });
      expect(
        lead?.score.reasons.map((reason) => [reason.rule, reason.points]),
        leadId,
      ).toEqual(fromScratch.reasons.map((reason) => [reason.rule, reason.points]));
    }
  });

  it('a published version is immutable', async () => {
    const published = await getVersion(draft.id);
    expectError(
      await t.gqlAs(marketing1, SAVE_DRAFT, {
        input: { versionId: draft.id, definition: withPoints(OLD_POINTS), expectedRevision: published.revision },
      }),
      'CONFLICT',
      'IMMUTABLE_VERSION',
    );
    expectError(await t.gqlAs(marketing1, SUBMIT, { id: draft.id }), 'CONFLICT', 'ILLEGAL_TRANSITION');
    const after = await getVersion(draft.id);
    expect(after).toEqual(published);
  });

  it('rollback to v1 publishes v3 with the v1 definition; the re-score puts every lead on v3', async () => {
    expectError(await t.gqlAs(sales1, ROLLBACK, { key: 'default-b2b', to: v1.id }), 'FORBIDDEN', 'NOT_ALLOWED_TO_PUBLISH');
    const { rollbackRuleSet } = ok(
      await t.gql<{ rollbackRuleSet: { version: Version; rescoreJob: Job } }>(ROLLBACK, { key: 'default-b2b', to: v1.id }),
    );
    const v3 = rollbackRuleSet.version;
    expect(v3).toMatchObject({
      version: 3,
      status: 'published',
      basedOnVersionId: v1.id,
      checksum: v1.checksum,
      publishedBy: actor(t.admin),
      note: 'Rollback to v1',
    });
    expect(v3.definition).toEqual(v1.definition);

    const job3 = await waitForJob(rollbackRuleSet.rescoreJob.id);
    expect(job3).toMatchObject({ version: 3, totalLeads: LEAD_COUNT, doneLeads: LEAD_COUNT, percent: 100 });

    const { ruleSet } = ok(
      await t.gql<{ ruleSet: { activeVersionId: string; versions: Array<{ version: number; status: string }> } }>(RULE_SET, {
        key: 'default-b2b',
      }),
    );
    expect(ruleSet.activeVersionId).toBe(v3.id);
    expect(ruleSet.versions.map((v) => [v.version, v.status])).toEqual([
      [3, 'published'],
      [2, 'retired'],
      [1, 'retired'],
    ]);

    for (const lead of await leads()) {
      expect(lead.score, lead.externalId).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 3 });
      // Same definition as v1: the same points as before the release.
      expect(lead.score.total, lead.externalId).toBe(scoresBefore.get(lead.externalId)?.score.total);
    }
  });

  it('the audit log lists every step with its actor; only an admin reads it', async () => {
    const { auditLog } = ok(
      await t.gql<{ auditLog: { edges: Array<{ node: { actor: string; action: string; entityId: string; summary: string } }> } }>(
        `query { auditLog(filter: { entityType: "rule_set_version" }, first: 100) { edges { node { actor action entityId summary } } } }`,
      ),
    );
    const entries = auditLog.edges.map((edge) => edge.node).reverse(); // oldest first
    const steps = entries.map((entry) => [entry.action, entry.actor]);
    const admin = actor(t.admin);
    expect(steps).toEqual([
      ['version.draft_created', actor(marketing1)],
      ['version.saved', actor(marketing1)],
      ['version.submitted', actor(marketing1)],
      ['version.approved', actor(marketing2)],
      ['version.approved', actor(sales1)],
      ['version.saved', actor(marketing1)],
      ['version.submitted', actor(marketing1)],
      ['version.approved', actor(marketing2)],
      ['version.approved', actor(sales1)],
      ['version.published', admin],
      ['version.rolled_back', admin],
    ]);
    expect(entries.slice(0, 10).every((entry) => entry.entityId === draft.id)).toBe(true);

    // Pages of 4 (newest first, ids past 9 included) give the same entries in the same order.
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result: { auditLog: { edges: Array<{ cursor: string; node: { action: string } }>; pageInfo: { hasNextPage: boolean } } } = ok(
        await t.gql(
          `query($after: String) { auditLog(filter: { entityType: "rule_set_version" }, first: 4, after: $after) { edges { cursor node { action } } pageInfo { hasNextPage } } }`,
          { after },
        ),
      );
      paged.push(...result.auditLog.edges.map((edge) => edge.node.action));
      if (!result.auditLog.pageInfo.hasNextPage) break;
      after = result.auditLog.edges[result.auditLog.edges.length - 1].cursor;
    }
    expect(paged).toEqual(steps.map(([action]) => action).reverse());

    for (const principal of [marketing1, sales1, viewer1]) {
      const error = expectError(
        await t.gqlAs(principal, `query { auditLog(first: 5) { edges { node { action } } } }`),
        'FORBIDDEN',
        'FORBIDDEN_ROLE',
      );
      expect(error.message).toContain('auditLog');
    }
  });
});

// ---- a rule set for a segment ----
