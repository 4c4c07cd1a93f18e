import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role, UserPrincipal } from '../server/src/auth/principal';
import { metrics } from '../server/src/observability/metrics';
import { DEFAULT_B2B, type Doc, indexOfRule, ok } from './support/rule-sets';
import { createTestApp, type GqlError, type GqlResult, type TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * The rule set release workflow through GraphQL, end to end: a marketer drafts a change to the
 * active default model, validates, simulates and diffs it, marketing and sales review it, an admin
 * publishes it (every lead is re-scored by the pg-boss workers running in this process), then rolls
 * it back; every step is in the audit log. The steps share state and run in order.
 */

/** The rule the draft changes, and its points before and after. */
const RAISED_RULE = 'fit-target-industry';
const RAISED_INDEX = indexOfRule(DEFAULT_B2B, RAISED_RULE);
const RAISED_LABEL: string = DEFAULT_B2B.rules[RAISED_INDEX].event.params.label;
const OLD_POINTS: number = DEFAULT_B2B.rules[RAISED_INDEX].event.params.points;
const DRAFT_POINTS = OLD_POINTS + 10;
/** After approval the author edits once more: the version goes back to review with these points. */
const FINAL_POINTS = OLD_POINTS + 15;

function withPoints(points: number): Doc {
  const doc = structuredClone(DEFAULT_B2B);
  doc.rules[RAISED_INDEX].event.params.points = points;
  return doc;
}

// ---- GraphQL documents ----

const VERSION = `id ruleSetKey version status revision definition checksum createdBy editors note basedOnVersionId
  submittedAt submittedBy approvedAt publishedAt publishedBy retiredAt`;
const JOB =
  'id ruleSetKey version status totalLeads doneLeads changedLeads totalChunks doneChunks percent leadsPerSecond etaSeconds error createdBy';
const SNAPSHOT = 'fit engagement total cell band qualified';

const CREATE_DRAFT = `mutation($input: CreateDraftInput!) { createDraft(input: $input) { ${VERSION} } }`;
const SAVE_DRAFT = `mutation($input: SaveDraftInput!) { saveDraft(input: $input) { ${VERSION} } }`;
const GET_VERSION = `query($id: ID!) { ruleSetVersion(id: $id) { ${VERSION} } }`;
const SUBMIT = `mutation($id: ID!) { submitForReview(versionId: $id) { ${VERSION} } }`;
const APPROVE = `mutation($input: ReviewInput!) { approveVersion(input: $input) { ${VERSION} } }`;
const PUBLISH = `mutation($id: ID!) { publishVersion(versionId: $id) { version { ${VERSION} } rescoreJob { ${JOB} } } }`;
const ROLLBACK = `mutation($key: String!, $to: ID!) { rollbackRuleSet(ruleSetKey: $key, toVersionId: $to) { version { ${VERSION} } rescoreJob { ${JOB} } } }`;
const RESCORE_JOB = `query($id: ID!) { rescoreJob(id: $id) { ${JOB} } }`;
const REVIEWS = `query($id: ID!) { ruleSetReviews(versionId: $id) { id side decision reviewer comment revision voided } }`;
const RULE_SET = `query($key: String!) { ruleSet(key: $key) { id key isDefault segments activeVersionId archivedAt versions { id version status } } }`;
const LEADS = `query($first: Int) { leads(first: $first, orderBy: CREATED_DESC) { totalCount edges { node {
  id externalId segment score { total fit engagement ruleSetKey ruleSetVersion reasons { rule points } }
  scoreHistory(first: 20) { edges { node { cause ruleSetKey ruleSetVersion old { ${SNAPSHOT} } new { ${SNAPSHOT} } } } }
} } } }`;

interface Version {
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
interface Job {
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
interface Review {
  id: string;
  side: string;
  decision: string;
  reviewer: string;
  comment: string;
  revision: number;
  voided: boolean;
}
interface Snapshot {
  fit: number;
  engagement: number;
  total: number;
  cell: string;
  band: string;
  qualified: boolean;
}
interface ScoreChange {
  cause: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  old: Snapshot | null;
  new: Snapshot;
}
interface LeadNode {
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
interface FailedCondition {
  path: string;
  fact: string;
  operator: string;
  value: unknown;
  factValue: unknown;
  negated: boolean;
}
interface RuleOutcome {
  rule: string;
  points: number;
  fired: boolean;
  evaluated: boolean;
  failedConditions: FailedCondition[];
}
interface SimulationSide {
  ruleSetKey: string;
  version: number | null;
  versionId: string | null;
  facts: Record<string, unknown>;
  score: { total: number; fit: number; engagement: number; cell: string };
  rules: RuleOutcome[];
}
interface Simulation {
  candidate: SimulationSide;
  active: SimulationSide;
}

const SIMULATE = `query($input: SimulateInput!) { simulateRuleSet(input: $input) {
  candidate { ruleSetKey version versionId facts score { total fit engagement cell } rules { rule points fired evaluated failedConditions { path fact operator value factValue negated } } }
  active { ruleSetKey version versionId facts score { total fit engagement cell } rules { rule points fired evaluated failedConditions { path fact operator value factValue negated } } }
} }`;

// ---- the app, its users and leads ----

let t: TestApp;
let marketing1: UserPrincipal;
let marketing2: UserPrincipal;
let sales1: UserPrincipal;
let viewer1: UserPrincipal;

const actor = (principal: UserPrincipal) => `user:${principal.email}`;

async function createUser(name: string, role: Role): Promise<UserPrincipal> {
  const user = await t.app.services.auth.createUser({ email: `${name}@acme.io`, name, role, password: 'correct horse battery' });
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, role };
}

/** Leads of every kind: in and out of the target industries, with and without activities; two in the enterprise segment. */
const LEAD_INPUTS: Array<{ input: Record<string, unknown>; activities: string[] }> = [
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
const LEAD_COUNT = LEAD_INPUTS.length;
const TARGET_INDUSTRY_LEADS = ['wf-software-vp', 'wf-finance-director', 'wf-healthcare-exec', 'wf-enterprise-software'];

function onlyError<T>(result: GqlResult<T>): GqlError {
  expect(result.errors, 'expected an error').toBeDefined();
  expect(result.errors).toHaveLength(1);
  return (result.errors as GqlError[])[0];
}

function expectError<T>(result: GqlResult<T>, code: string, reason: string): GqlError {
  const error = onlyError(result);
  expect(error.extensions).toMatchObject({ code, reason });
  return error;
}

async function getVersion(id: string): Promise<Version> {
  return ok(await t.gql<{ ruleSetVersion: Version }>(GET_VERSION, { id })).ruleSetVersion;
}

async function reviews(id: string): Promise<Review[]> {
  return ok(await t.gqlAs<{ ruleSetReviews: Review[] }>(viewer1, REVIEWS, { id })).ruleSetReviews;
}

async function leads(): Promise<LeadNode[]> {
  const connection = ok(await t.gql<{ leads: { totalCount: number; edges: Array<{ node: LeadNode }> } }>(LEADS, { first: 50 })).leads;
  expect(connection.totalCount).toBe(LEAD_COUNT);
  return connection.edges.map((edge) => edge.node);
}

/** Waits, reading the job through GraphQL, until it is no longer running; it must have completed. */
async function waitForJob(id: string): Promise<Job> {
  const last: { job: Job | null } = { job: null };
  await until(
    async () => {
      last.job = ok(await t.gqlAs<{ rescoreJob: Job }>(viewer1, RESCORE_JOB, { id })).rescoreJob;
      return last.job.status !== 'running';
    },
    `re-score job ${id} is no longer running`,
    60_000,
  );
  expect(last.job?.status, `re-score job ${id} did not finish: ${JSON.stringify(last.job)}`).toBe('completed');
  return last.job as Job;
}

/** Submits (as the author), has marketing2 and sales1 sign off, and checks the version is approved. */
async function reviewAndApprove(versionId: string, author: UserPrincipal): Promise<Version> {
  expect(ok(await t.gqlAs<{ submitForReview: Version }>(author, SUBMIT, { id: versionId })).submitForReview.status).toBe('in_review');
  expect(ok(await t.gqlAs<{ approveVersion: Version }>(marketing2, APPROVE, { input: { versionId } })).approveVersion.status).toBe(
    'in_review',
  );
  const approved = ok(await t.gqlAs<{ approveVersion: Version }>(sales1, APPROVE, { input: { versionId } })).approveVersion;
  expect(approved.status).toBe('approved');
  return approved;
}

beforeAll(async () => {
  t = await createTestApp({ workers: true });
  marketing1 = await createUser('marketing1', 'marketing');
  marketing2 = await createUser('marketing2', 'marketing');
  sales1 = await createUser('sales1', 'sales');
  viewer1 = await createUser('viewer1', 'viewer');
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
});
afterAll(async () => {
  await t?.close();
});

// ---- the release of one change ----

describe('a rule set release: draft, review, publish, re-score, rollback', () => {
  let v1: Version;
  let draft: Version;
  let job2: Job;
  let scoresBefore: Map<string, LeadNode>;

  it('the default rule set is active at version 1, and every lead is scored by it', async () => {
    const { ruleSet } = ok(
      await t.gqlAs<{
        ruleSet: { activeVersionId: string; isDefault: boolean; versions: Array<{ id: string; version: number; status: string }> };
      }>(viewer1, RULE_SET, { key: 'default-b2b' }),
    );
    expect(ruleSet.isDefault).toBe(true);
    expect(ruleSet.versions).toEqual([{ id: ruleSet.activeVersionId, version: 1, status: 'published' }]);
    v1 = await getVersion(ruleSet.activeVersionId);
    expect(v1.definition).toEqual(DEFAULT_B2B);
    scoresBefore = new Map((await leads()).map((lead) => [lead.externalId, lead]));
    for (const lead of scoresBefore.values()) expect(lead.score).toMatchObject({ ruleSetKey: 'default-b2b', ruleSetVersion: 1 });
  });

  it('marketing1 creates a draft as a copy of the active version', async () => {
    draft = ok(
      await t.gqlAs<{ createDraft: Version }>(marketing1, CREATE_DRAFT, {
        input: { ruleSetKey: 'default-b2b', copyOfVersionId: v1.id, note: 'more for target industries' },
      }),
    ).createDraft;
    expect(draft).toMatchObject({
      ruleSetKey: 'default-b2b',
      version: 2,
      status: 'draft',
      revision: 1,
      createdBy: actor(marketing1),
      editors: [actor(marketing1)],
      note: 'more for target industries',
      basedOnVersionId: v1.id,
      checksum: v1.checksum,
    });
    expect(draft.definition).toEqual(DEFAULT_B2B);
  });

  it('saving an invalid definition is BAD_USER_INPUT naming each JSON path under input.definition, and changes nothing', async () => {
    const broken = structuredClone(DEFAULT_B2B);
    broken.rules[0].conditions.all[0].fact = 'employeeCount'; // not a declared fact
    const budget = indexOfRule(broken, 'fit-budget-confirmed');
    broken.rules[budget].conditions.all[0].value = 'yes'; // a string for a boolean fact
    broken.grades.B = 70; // above grade A (60)
    const error = expectError(
      await t.gqlAs(marketing1, SAVE_DRAFT, { input: { versionId: draft.id, definition: broken, expectedRevision: 1 } }),
      'BAD_USER_INPUT',
      'INVALID_RULE_SET',
    );
    expect(error.extensions?.problems).toEqual([
      {
        path: 'input.definition.rules[0].conditions.all[0].fact',
        message: expect.stringContaining('This condition tests "employeeCount", which is not one of the rule set\'s facts'),
      },
      {
        path: `input.definition.rules[${budget}].conditions.all[0].value`,
        message: expect.stringContaining('is true or false: compare it with true or false'),
      },
      {
        path: 'input.definition.grades.B',
        message: expect.stringContaining('The grade B threshold must be below the grade A threshold (60)'),
      },
    ]);
    const after = await getVersion(draft.id);
    expect(after.revision).toBe(1);
    expect(after.checksum).toBe(draft.checksum);
    expect(after.definition).toEqual(DEFAULT_B2B);
  });

  it('the fixed definition saves with revision + 1', async () => {
    const saved = ok(
      await t.gqlAs<{ saveDraft: Version }>(marketing1, SAVE_DRAFT, {
        input: { versionId: draft.id, definition: withPoints(DRAFT_POINTS), expectedRevision: 1 },
      }),
    ).saveDraft;
    expect(saved).toMatchObject({ id: draft.id, version: 2, status: 'draft', revision: 2, editors: [actor(marketing1)] });
    expect(saved.definition.rules[RAISED_INDEX].event.params.points).toBe(DRAFT_POINTS);
    expect(saved.checksum).not.toBe(draft.checksum);
    draft = saved;
  });

  it('a save on a stale revision is CONFLICT STALE_REVISION and overwrites nothing', async () => {
    const error = expectError(
      await t.gqlAs(marketing1, SAVE_DRAFT, {
        input: { versionId: draft.id, definition: withPoints(OLD_POINTS + 1), expectedRevision: 1 },
      }),
      'CONFLICT',
      'STALE_REVISION',
    );
    expect(error.extensions?.problems).toEqual([{ path: 'input.expectedRevision', message: 'current revision is 2' }]);
    const after = await getVersion(draft.id);
    expect(after.revision).toBe(2);
    expect(after.checksum).toBe(draft.checksum);
    expect(after.definition.rules[RAISED_INDEX].event.params.points).toBe(DRAFT_POINTS);
  });

  it('validateRuleSet reports problems without saving anything', async () => {
    const broken = withPoints(DRAFT_POINTS);
    broken.rules[0].conditions.all[0].fact = 'employeeCount';
    const { validateRuleSet } = ok(
      await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: Array<{ path: string; message: string }> } }>(
        viewer1,
        `query($definition: JSONObject!, $key: String) { validateRuleSet(definition: $definition, ruleSetKey: $key) { valid problems { path message } } }`,
        { definition: broken, key: 'default-b2b' },
      ),
    );
    expect(validateRuleSet).toEqual({
      valid: false,
      problems: [
        {
          path: 'rules[0].conditions.all[0].fact',
          message: `This condition tests "employeeCount", which is not one of the rule set's facts: declare it under Facts or pick another fact`,
        },
      ],
    });
    const valid = ok(
      await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: unknown[] } }>(
        viewer1,
        `query($definition: JSONObject!) { validateRuleSet(definition: $definition) { valid problems { path } } }`,
        {
          definition: withPoints(DRAFT_POINTS),
        },
      ),
    );
    expect(valid.validateRuleSet).toEqual({ valid: true, problems: [] });
    const after = await getVersion(draft.id);
    expect(after.revision).toBe(2);
    expect(after.checksum).toBe(draft.checksum);
  });

  it('simulateRuleSet on a lead: the draft beside the active version, fired rules with points, failed conditions with the value seen', async () => {
    const { simulateRuleSet } = ok(
      await t.gqlAs<{ simulateRuleSet: Simulation }>(viewer1, SIMULATE, {
        input: { versionId: draft.id, leadExternalId: 'wf-software-vp' },
      }),
    );
    const { candidate, active } = simulateRuleSet;
    expect(candidate).toMatchObject({ ruleSetKey: 'default-b2b', version: 2, versionId: draft.id });
    expect(active).toMatchObject({ ruleSetKey: 'default-b2b', version: 1, versionId: v1.id });
    expect(candidate.facts).toMatchObject({
      industry: 'software',
      companySize: 800,
      seniority: 'vp',
      pricingViews14d: 2,
      requestedDemo: true,
    });

    const rule = (side: SimulationSide, name: string) => side.rules.find((outcome) => outcome.rule === name) as RuleOutcome;
    expect(rule(candidate, RAISED_RULE)).toMatchObject({ fired: true, points: DRAFT_POINTS, failedConditions: [] });
    expect(rule(active, RAISED_RULE)).toMatchObject({ fired: true, points: OLD_POINTS, failedConditions: [] });
    for (const side of [candidate, active]) {
      expect(rule(side, 'fit-company-size-sweet-spot')).toMatchObject({ fired: true, points: 20 });
      expect(rule(side, 'eng-requested-demo')).toMatchObject({ fired: true, points: 40 });
      expect(rule(side, 'eng-pricing-views-repeat')).toMatchObject({ fired: true, points: 20 });
      // 800 employees: not an enterprise (more than 5,000).
      expect(rule(side, 'fit-company-size-enterprise')).toEqual({
        rule: 'fit-company-size-enterprise',
        points: 15,
        fired: false,
        evaluated: true,
        failedConditions: [
          { path: 'conditions.all[0]', fact: 'companySize', operator: 'greaterThan', value: 5000, factValue: 800, negated: false },
        ],
      });
      // Two pricing views: the "exactly one" rule does not fire.
      expect(rule(side, 'eng-pricing-view').failedConditions).toEqual([
        { path: 'conditions.all[0]', fact: 'pricingViews14d', operator: 'equal', value: 1, factValue: 2, negated: false },
      ]);
    }
    // The stored score is the active side's.
    expect(active.score.total).toBe(scoresBefore.get('wf-software-vp')?.score.total);
    expect(candidate.score.fit - active.score.fit).toBe(DRAFT_POINTS - OLD_POINTS);
  });

  it('simulateRuleSet on typed facts', async () => {
    const facts = { industry: 'insurance', companySize: 120, seniority: 'director', budgetConfirmed: true };
    const { simulateRuleSet } = ok(
      await t.gqlAs<{ simulateRuleSet: Simulation }>(marketing2, SIMULATE, { input: { versionId: draft.id, facts } }),
    );
    const { candidate, active } = simulateRuleSet;
    expect(candidate).toMatchObject({ version: 2, versionId: draft.id });
    expect(active).toMatchObject({ version: 1, versionId: v1.id });
    expect(candidate.facts).toMatchObject({ ...facts, country: null, pageViews30d: null });
    const fired = (side: SimulationSide) => side.rules.filter((outcome) => outcome.fired).map(({ rule, points }) => ({ rule, points }));
    const expected = (points: number) => [
      { rule: 'fit-company-size-mid-market', points: 10 },
      { rule: RAISED_RULE, points },
      { rule: 'fit-seniority-director', points: 15 },
      { rule: 'fit-budget-confirmed', points: 15 },
      { rule: 'fit-decision-maker-with-budget', points: 10 },
    ];
    expect(fired(candidate)).toEqual(expected(DRAFT_POINTS));
    expect(fired(active)).toEqual(expected(OLD_POINTS));
    expect(candidate.score).toMatchObject({ fit: 50 + DRAFT_POINTS, engagement: 0, total: 50 + DRAFT_POINTS });
    expect(active.score).toMatchObject({ fit: 50 + OLD_POINTS, engagement: 0, total: 50 + OLD_POINTS });
    // A fact not given is null, and the failed condition says so.
    const country = candidate.rules.find((outcome) => outcome.rule === 'fit-target-country') as RuleOutcome;
    expect(country.failedConditions).toEqual([
      {
        path: 'conditions.all[0]',
        fact: 'country',
        operator: 'in',
        value: DEFAULT_B2B.rules[indexOfRule(DEFAULT_B2B, 'fit-target-country')].conditions.all[0].value,
        factValue: null,
        negated: false,
      },
    ]);
  });

  it('ruleSetDiff between the active version and the draft lists the changed rule with its old and new points', async () => {
    const { ruleSetDiff } = ok(
      await t.gqlAs<{ ruleSetDiff: { identical: boolean; summary: string[]; changes: Doc } }>(
        viewer1,
        `query($from: ID!, $to: ID) { ruleSetDiff(fromVersionId: $from, toVersionId: $to) { identical summary changes } }`,
        { from: v1.id, to: draft.id },
      ),
    );
    expect(ruleSetDiff.identical).toBe(false);
    expect(ruleSetDiff.summary).toEqual([`Rule "${RAISED_LABEL}" points ${OLD_POINTS} → ${DRAFT_POINTS}`]);
    expect(ruleSetDiff.changes.rules.changed).toEqual([
      expect.objectContaining({ name: RAISED_RULE, points: { old: OLD_POINTS, new: DRAFT_POINTS } }),
    ]);
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
