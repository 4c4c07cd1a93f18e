import { expect } from 'vitest';
import type { Role, UserPrincipal } from '../../server/src/auth/principal';
import { DEFAULT_B2B, type Doc, indexOfRule, ok } from './rule-sets';
import { createTestApp, type GqlError, type GqlResult, type TestApp } from './test-app';
import { until } from './wait';
import { onlyError } from './scores';
export { onlyError } from './scores';

/*
 * What the rule set workflow tests share: the change they release, the GraphQL documents, the leads,
 * and the steps that set up an app, its users and leads, and a draft of the change.
 */

/** The rule the draft changes, and its points before and after. */
export const RAISED_RULE = 'fit-target-industry';
export const RAISED_INDEX = indexOfRule(DEFAULT_B2B, RAISED_RULE);
export const RAISED_LABEL: string = DEFAULT_B2B.rules[RAISED_INDEX].event.params.label;
export const OLD_POINTS: number = DEFAULT_B2B.rules[RAISED_INDEX].event.params.points;
export const DRAFT_POINTS = OLD_POINTS + 10;
/** After approval the author edits once more: the version goes back to review with these points. */
export const FINAL_POINTS = OLD_POINTS + 15;

export function withPoints(points: number): Doc {
  const doc = structuredClone(DEFAULT_B2B);
  doc.rules[RAISED_INDEX].event.params.points = points;
  return doc;
}

// ---- GraphQL documents ----

export const VERSION = `id ruleSetKey version status revision definition checksum createdBy editors note basedOnVersionId
  submittedAt submittedBy approvedAt publishedAt publishedBy retiredAt`;
export const JOB =
  'id ruleSetKey version status totalLeads doneLeads changedLeads totalChunks doneChunks percent leadsPerSecond etaSeconds error createdBy';
export const SNAPSHOT = 'fit engagement total cell band qualified';

export const CREATE_DRAFT = `mutation($input: CreateDraftInput!) { createDraft(input: $input) { ${VERSION} } }`;
export const SAVE_DRAFT = `mutation($input: SaveDraftInput!) { saveDraft(input: $input) { ${VERSION} } }`;
export const GET_VERSION = `query($id: ID!) { ruleSetVersion(id: $id) { ${VERSION} } }`;
export const SUBMIT = `mutation($id: ID!) { submitForReview(versionId: $id) { ${VERSION} } }`;
export const APPROVE = `mutation($input: ReviewInput!) { approveVersion(input: $input) { ${VERSION} } }`;
export const PUBLISH = `mutation($id: ID!) { publishVersion(versionId: $id) { version { ${VERSION} } rescoreJob { ${JOB} } } }`;
export const ROLLBACK = `mutation($key: String!, $to: ID!) { rollbackRuleSet(ruleSetKey: $key, toVersionId: $to) { version { ${VERSION} } rescoreJob { ${JOB} } } }`;
export const RESCORE_JOB = `query($id: ID!) { rescoreJob(id: $id) { ${JOB} } }`;
export const REVIEWS = `query($id: ID!) { ruleSetReviews(versionId: $id) { id side decision reviewer comment revision voided } }`;
export const RULE_SET = `query($key: String!) { ruleSet(key: $key) { id key isDefault segments activeVersionId archivedAt versions { id version status } } }`;
export const LEADS = `query($first: Int) { leads(first: $first, orderBy: CREATED_DESC) { totalCount edges { node {
  id externalId segment score { total fit engagement ruleSetKey ruleSetVersion reasons { rule points } }
  scoreHistory(first: 20) { edges { node { cause ruleSetKey ruleSetVersion old { ${SNAPSHOT} } new { ${SNAPSHOT} } } } }
} } } }`;

export interface Version {
  id: string;
  ruleSetKey: string;
  version: number;
  status: string;
  revision: number;
  definition: Doc;
  checksum: string;
  createdBy: string | null;
  editors: string[];
  note: string;
  basedOnVersionId: string | null;
  submittedAt: string | null;
  submittedBy: string | null;
  approvedAt: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
  retiredAt: string | null;
}
export interface Job {
  id: string;
  ruleSetKey: string;
  version: number;
  status: string;
  totalLeads: number;
  doneLeads: number;
  changedLeads: number;
  totalChunks: number;
  doneChunks: number;
  percent: number;
  leadsPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
  createdBy: string;
}
export interface Review {
  id: string;
  side: string;
  decision: string;
  reviewer: string;
  comment: string;
  revision: number;
  voided: boolean;
}
export interface Snapshot {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}
export interface ScoreChange {
  cause: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  old: Snapshot | null;
  new: Snapshot;
}
export interface LeadNode {
  id: string;
  externalId: string;
  segment: string | null;
  score: {
    total: number;
    fit: number;
    engagement: number;
    ruleSetKey: string;
    ruleSetVersion: number;
    reasons: Array<{ rule: string; points: number }>;
  };
  scoreHistory: { edges: Array<{ node: ScoreChange }> };
}
export interface FailedCondition {
  path: string;
  fact: string;
  operator: string;
  value: unknown;
  factValue: unknown;
  negated: boolean;
}
export interface RuleOutcome {
  rule: string;
  points: number;
  fired: boolean;
  evaluated: boolean;
  failedConditions: FailedCondition[];
}
export interface SimulationSide {
  ruleSetKey: string;
  version: number | null;
  versionId: string | null;
  facts: Record<string, unknown>;
  score: { total: number; fit: number; engagement: number; cell: string };
  rules: RuleOutcome[];
}
export interface Simulation {
  candidate: SimulationSide;
  active: SimulationSide;
}

export const SIMULATE = `query($input: SimulateInput!) { simulateRuleSet(input: $input) {
  candidate { ruleSetKey version versionId facts score { total fit engagement cell } rules { rule points fired evaluated failedConditions { path fact operator value factValue negated } } }
  active { ruleSetKey version versionId facts score { total fit engagement cell } rules { rule points fired evaluated failedConditions { path fact operator value factValue negated } } }
} }`;

// ---- the app, its users and leads ----

export const actor = (principal: UserPrincipal) => `user:${principal.email}`;

/** Leads of every kind: in and out of the target industries, with and without activities; two in the enterprise segment. */
export const LEAD_INPUTS: Array<{ input: Record<string, unknown>; activities: string[] }> = [
  {
    input: {
      externalId: 'wf-software-vp',
      email: 'ana@acme.io',
      attributes: { industry: 'software', companySize: 800, seniority: 'vp', country: 'US' },
    },
    activities: ['DEMO_REQUEST', 'PRICING_PAGE_VIEW', 'PRICING_PAGE_VIEW'],
  },
  {
    input: {
      externalId: 'wf-finance-director',
      email: 'bo@bank.example',
      attributes: { industry: 'financial_services', companySize: 120, seniority: 'director', country: 'DE' },
    },
    activities: ['PAGE_VIEW', 'PAGE_VIEW', 'EMAIL_CLICK'],
  },
  {
    input: {
      externalId: 'wf-healthcare-exec',
      email: 'cy@clinic.example',
      attributes: { industry: 'healthcare', companySize: 6000, seniority: 'c_level', country: 'GB' },
    },
    activities: ['WEBINAR_ATTENDANCE'],
  },
  {
    input: {
      externalId: 'wf-consultant',
      email: 'di@consult.example',
      attributes: { industry: 'consulting', companySize: 30, seniority: 'manager', country: 'FR' },
    },
    activities: ['CONTENT_DOWNLOAD'],
  },
  { input: { externalId: 'wf-student', email: 'ed@gmail.com', attributes: { seniority: 'student', jobTitle: 'Student' } }, activities: [] },
  { input: { externalId: 'wf-bare' }, activities: [] },
  {
    input: {
      externalId: 'wf-enterprise-software',
      email: 'fa@bigco.example',
      segment: 'enterprise',
      attributes: { industry: 'software', companySize: 9000, seniority: 'vp', country: 'US' },
    },
    activities: ['PRICING_PAGE_VIEW'],
  },
  {
    input: {
      externalId: 'wf-enterprise-retail',
      email: 'gu@retail.example',
      segment: 'enterprise',
      attributes: { industry: 'retail', companySize: 20000, seniority: 'director', country: 'CA' },
    },
    activities: [],
  },
];
export const LEAD_COUNT = LEAD_INPUTS.length;
export const TARGET_INDUSTRY_LEADS = ['wf-software-vp', 'wf-finance-director', 'wf-healthcare-exec', 'wf-enterprise-software'];

export function expectError<T>(result: GqlResult<T>, code: string, reason: string): GqlError {
  const error = onlyError(result);
  expect(error.extensions).toMatchObject({ code, reason });
  return error;
}

/** The app of a workflow test file, with the people who take part in a release. */
export interface Workflow {
  t: TestApp;
  marketing1: UserPrincipal;
  marketing2: UserPrincipal;
  sales1: UserPrincipal;
  viewer1: UserPrincipal;
}

/** An app running the re-score workers, with two marketers, a sales reviewer, a viewer and the leads of LEAD_INPUTS. */
export async function setUpWorkflow(): Promise<Workflow> {
  const t = await createTestApp({ workers: true });
  async function createUser(name: string, role: Role): Promise<UserPrincipal> {
    const user = await t.app.services.auth.createUser({ email: `${name}@acme.io`, name, role, password: 'correct horse battery' });
    return { kind: 'user', userId: user.id, email: user.email, name: user.name, role };
  }
  const marketing1 = await createUser('marketing1', 'marketing');
  const marketing2 = await createUser('marketing2', 'marketing');
  const sales1 = await createUser('sales1', 'sales');
  const viewer1 = await createUser('viewer1', 'viewer');
  const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
  for (const { input, activities } of LEAD_INPUTS) {
    ok(await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, { input }));
    for (const [index, type] of activities.entries()) {
      const properties = type === 'WEBINAR_ATTENDANCE' ? { minutesAttended: 50 } : undefined;
      ok(
        await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
          input: { leadExternalId: input.externalId, type, occurredAt, idempotencyKey: `${String(input.externalId)}-${index}`, properties },
        }),
      );
    }
  }
  return { t, marketing1, marketing2, sales1, viewer1 };
}

/** Helpers that act through the workflow the test file set up (`w` is called when they run). */
export function workflowHelpers(w: () => Workflow) {
  async function getVersion(id: string): Promise<Version> {
    return ok(await w().t.gql<{ ruleSetVersion: Version }>(GET_VERSION, { id })).ruleSetVersion;
  }

  async function reviews(id: string): Promise<Review[]> {
    return ok(await w().t.gqlAs<{ ruleSetReviews: Review[] }>(w().viewer1, REVIEWS, { id })).ruleSetReviews;
  }

  async function leads(): Promise<LeadNode[]> {
    const connection = ok(await w().t.gql<{ leads: { totalCount: number; edges: Array<{ node: LeadNode }> } }>(LEADS, { first: 50 })).leads;
    expect(connection.totalCount).toBe(LEAD_COUNT);
    return connection.edges.map((edge) => edge.node);
  }

  /** Waits, reading the job through GraphQL, until it is no longer running; it must have completed. */
  async function waitForJob(id: string): Promise<Job> {
    const last: { job: Job | null } = { job: null };
    await until(
      async () => {
        last.job = ok(await w().t.gqlAs<{ rescoreJob: Job }>(w().viewer1, RESCORE_JOB, { id })).rescoreJob;
        return last.job.status !== 'running';
      },
      `re-score job ${id} is no longer running`,
      60_000,
    );
    expect(last.job?.status, `re-score job ${id} did not finish: ${JSON.stringify(last.job)}`).toBe('completed');
    return last.job as Job;
  }

  /** Submits (as the author), has w().marketing2 and w().sales1 sign off, and checks the version is approved. */
  async function reviewAndApprove(versionId: string, author: UserPrincipal): Promise<Version> {
    expect(ok(await w().t.gqlAs<{ submitForReview: Version }>(author, SUBMIT, { id: versionId })).submitForReview.status).toBe('in_review');
    expect(
      ok(await w().t.gqlAs<{ approveVersion: Version }>(w().marketing2, APPROVE, { input: { versionId } })).approveVersion.status,
    ).toBe('in_review');
    const approved = ok(await w().t.gqlAs<{ approveVersion: Version }>(w().sales1, APPROVE, { input: { versionId } })).approveVersion;
    expect(approved.status).toBe('approved');
    return approved;
  }

  /**
   * The draft steps of a release as the draft tests take them: the active version 1 and the scores
   * under it, then marketing1's copy of it saved once with DRAFT_POINTS (revision 2).
   */
  async function draftRaisedRule(): Promise<{ v1: Version; draft: Version; scoresBefore: Map<string, LeadNode> }> {
    const { ruleSet } = ok(await w().t.gqlAs<{ ruleSet: { activeVersionId: string } }>(w().viewer1, RULE_SET, { key: 'default-b2b' }));
    const v1 = await getVersion(ruleSet.activeVersionId);
    const scoresBefore = new Map((await leads()).map((lead) => [lead.externalId, lead]));
    const created = ok(
      await w().t.gqlAs<{ createDraft: Version }>(w().marketing1, CREATE_DRAFT, {
        input: { ruleSetKey: 'default-b2b', copyOfVersionId: v1.id, note: 'more for target industries' },
      }),
    ).createDraft;
    const draft = ok(
      await w().t.gqlAs<{ saveDraft: Version }>(w().marketing1, SAVE_DRAFT, {
        input: { versionId: created.id, definition: withPoints(DRAFT_POINTS), expectedRevision: 1 },
      }),
    ).saveDraft;
    expect(draft.revision).toBe(2);
    return { v1, draft, scoresBefore };
  }

  /**
   * The whole release as the release tests take it, for the tests that start after it: version 2
   * (the draft) approved and published, then rolled back to version 1 as version 3; every lead is
   * re-scored under version 3.
   */
  async function releaseAndRollBack(): Promise<void> {
    const { v1, draft } = await draftRaisedRule();
    await reviewAndApprove(draft.id, w().marketing1);
    const { publishVersion } = ok(await w().t.gql<{ publishVersion: { rescoreJob: Job } }>(PUBLISH, { id: draft.id }));
    await waitForJob(publishVersion.rescoreJob.id);
    const { rollbackRuleSet } = ok(
      await w().t.gql<{ rollbackRuleSet: { version: Version; rescoreJob: Job } }>(ROLLBACK, { key: 'default-b2b', to: v1.id }),
    );
    expect(rollbackRuleSet.version.version).toBe(3);
    await waitForJob(rollbackRuleSet.rescoreJob.id);
  }

  return { getVersion, reviews, leads, waitForJob, reviewAndApprove, draftRaisedRule, releaseAndRollBack };
}
