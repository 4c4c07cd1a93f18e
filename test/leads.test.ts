import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { createTestApp, type GqlError, type GqlResult, type TestApp } from './support/test-app';

/** The default rule set's point values, read from the file so the expectations follow it. */
interface RuleFile {
  rules: Array<{ name: string; event: { params: { dimension: 'fit' | 'engagement'; points: number } } }>;
  qualification: { threshold: number };
}
const RULES = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleFile;
function points(rule: string): number {
  const found = RULES.rules.find((candidate) => candidate.name === rule);
  if (!found) throw new Error(`rule ${rule} is not in default-b2b.json`);
  return found.event.params.points;
}

interface Reason {
  rule: string;
  label: string;
  dimension: 'FIT' | 'ENGAGEMENT';
  points: number;
}
interface Score {
  total: number;
  fit: number;
  engagement: number;
  fitGrade: string;
  engagementLevel: number;
  cell: string;
  band: string;
  qualified: boolean;
  action: string;
  ruleSetKey: string;
  ruleSetVersion: number;
  scoredAt: string;
  reasons: Reason[];
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
interface Lead {
  id: string;
  externalId: string;
  email: string | null;
  segment: string | null;
  source: string | null;
  attributes: Record<string, unknown>;
  score: Score | null;
}
interface LeadWithHistory extends Lead {
  scoreHistory: { edges: Array<{ node: ScoreChange }> };
}
interface LeadConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: Lead }>;
}

const SCORE = `score { total fit engagement fitGrade engagementLevel cell band qualified action ruleSetKey ruleSetVersion scoredAt
  reasons { rule label dimension points } }`;
const LEAD = `id externalId email segment source attributes ${SCORE}`;
const SNAPSHOT = 'fit engagement total cell band qualified';
const HISTORY = `scoreHistory { edges { node { cause ruleSetKey ruleSetVersion old { ${SNAPSHOT} } new { ${SNAPSHOT} } } } }`;

const UPSERT = `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { ${LEAD} } }`;
const LEADS = `query($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${LEAD} } }
  }
}`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

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

async function upsert(input: Record<string, unknown>): Promise<Lead> {
  return ok(await t.gql<{ upsertLead: Lead }>(UPSERT, { input })).upsertLead;
}

async function record(leadExternalId: string, type: string, idempotencyKey: string, properties?: Record<string, unknown>): Promise<void> {
  ok(
    await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
      input: { leadExternalId, type, idempotencyKey, occurredAt: new Date(Date.now() - 3_600_000).toISOString(), properties },
    }),
  );
}

async function leadCount(externalId?: string): Promise<number> {
  const rows =
    externalId === undefined
      ? await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM lead')
      : await t.sql<{ count: number }>('SELECT count(*)::int AS count FROM lead WHERE external_id = $1', [externalId]);
  return rows[0].count;
}

function expectReasonsAddUp(score: Score): void {
  const sum = (dimension: Reason['dimension']) =>
    score.reasons.filter((r) => r.dimension === dimension).reduce((acc, r) => acc + r.points, 0);
  expect(sum('FIT')).toBe(score.fit);
  expect(sum('ENGAGEMENT')).toBe(score.engagement);
  expect(score.total).toBe(score.fit + score.engagement);
}

function ruleNames(score: Score): string[] {
  return score.reasons.map((reason) => reason.rule);
}

describe('upsertLead', () => {
  it('creates a lead with a score under default-b2b v1 whose reasons explain every point', async () => {
    const lead = await upsert({
      externalId: 'create-1',
      email: 'Ana@Acme.io',
      source: 'webinar',
      segment: 'mid-market',
      attributes: { industry: 'software', companySize: 800, seniority: 'vp', country: 'US' },
    });
    expect(lead.externalId).toBe('create-1');
    expect(lead.email).toBe('ana@acme.io');
    expect(lead.source).toBe('webinar');
    expect(lead.attributes).toEqual({ industry: 'software', companySize: 800, seniority: 'vp', country: 'US' });
    const score = lead.score as Score;
    expect(score).not.toBeNull();
    expect(score.ruleSetKey).toBe('default-b2b');
    expect(score.ruleSetVersion).toBe(1);
    expectReasonsAddUp(score);
    expect(ruleNames(score).sort()).toEqual(
      ['fit-company-size-sweet-spot', 'fit-seniority-executive', 'fit-target-country', 'fit-target-industry'].sort(),
    );
    expect(score.fit).toBe(
      points('fit-company-size-sweet-spot') +
        points('fit-seniority-executive') +
        points('fit-target-country') +
        points('fit-target-industry'),
    );
    expect(score.engagement).toBe(0);
    expect(score.cell).toMatch(/^[A-D][1-4]$/);
    expect(score.qualified).toBe(score.total >= RULES.qualification.threshold);
  });

  it('updates by externalId: merges attributes, null removes one, omitted fields are kept, score and history follow', async () => {
    const before = await upsert({
      externalId: 'update-1',
      email: 'bo@initech.com',
      source: 'paid_search',
      attributes: { industry: 'healthcare', companySize: 1200, seniority: 'director', country: 'DE', department: 'marketing' },
    });
    const beforeScore = before.score as Score;
    expect(ruleNames(beforeScore)).toContain('fit-company-size-sweet-spot');
    expect(ruleNames(beforeScore)).toContain('fit-target-country');

    // companySize 30 leaves the 200-5,000 sweet spot (and the 50-199 band); country removed.
    const after = await upsert({ externalId: 'update-1', attributes: { companySize: 30, country: null } });
    expect(after.id).toBe(before.id);
    expect(after.email).toBe('bo@initech.com');
    expect(after.source).toBe('paid_search');
    expect(after.attributes).toEqual({ industry: 'healthcare', companySize: 30, seniority: 'director', department: 'marketing' });
    const afterScore = after.score as Score;
    expectReasonsAddUp(afterScore);
    expect(ruleNames(afterScore)).not.toContain('fit-company-size-sweet-spot');
    expect(ruleNames(afterScore)).not.toContain('fit-target-country');
    expect(afterScore.fit).toBe(beforeScore.fit - points('fit-company-size-sweet-spot') - points('fit-target-country'));
    expect(afterScore.total).toBe(beforeScore.total - points('fit-company-size-sweet-spot') - points('fit-target-country'));
    expect(await leadCount('update-1')).toBe(1);

    const read = ok(
      await t.gql<{ lead: LeadWithHistory }>(`query($x: String) { lead(externalId: $x) { ${LEAD} ${HISTORY} } }`, { x: 'update-1' }),
    ).lead;
    const history = read.scoreHistory.edges.map((edge) => edge.node);
    expect(history.map((change) => change.cause)).toEqual(['lead_updated', 'lead_created']);
    const [updated, created] = history;
    expect(created.old).toBeNull();
    expect(created.new).toEqual({
      fit: beforeScore.fit,
      engagement: beforeScore.engagement,
      total: beforeScore.total,
      cell: beforeScore.cell,
      band: beforeScore.band,
      qualified: beforeScore.qualified,
    });
    expect(updated.old).toEqual(created.new);
    expect(updated.new).toEqual({
      fit: afterScore.fit,
      engagement: afterScore.engagement,
      total: afterScore.total,
      cell: afterScore.cell,
      band: afterScore.band,
      qualified: afterScore.qualified,
    });
    expect(updated.ruleSetKey).toBe('default-b2b');
    expect(updated.ruleSetVersion).toBe(1);
  });

  it('an update that changes nothing adds no history entry', async () => {
    await upsert({ externalId: 'noop-1', attributes: { industry: 'retail' } });
    const again = await upsert({ externalId: 'noop-1' });
    expect(again.attributes).toEqual({ industry: 'retail' });
    const read = ok(await t.gql<{ lead: LeadWithHistory }>(`{ lead(externalId: "noop-1") { ${LEAD} ${HISTORY} } }`)).lead;
    expect(read.scoreHistory.edges.map((edge) => edge.node.cause)).toEqual(['lead_created']);
  });

  it('email: null clears it', async () => {
    await upsert({ externalId: 'clear-email-1', email: 'cy@hooli.com' });
    const cleared = await upsert({ externalId: 'clear-email-1', email: null });
    expect(cleared.email).toBeNull();
  });
});

describe('lead query', () => {
  it('finds a lead by id and by externalId', async () => {
    const created = await upsert({ externalId: 'find-1', attributes: { industry: 'insurance' } });
    const byId = ok(await t.gql<{ lead: Lead }>(`query($id: ID) { lead(id: $id) { ${LEAD} } }`, { id: created.id })).lead;
    const byExternalId = ok(await t.gql<{ lead: Lead }>(`query($x: String) { lead(externalId: $x) { ${LEAD} } }`, { x: 'find-1' })).lead;
    expect(byId).toEqual(created);
    expect(byExternalId).toEqual(created);
  });

  it('giving both id and externalId, or neither, is BAD_USER_INPUT', async () => {
    const created = await upsert({ externalId: 'find-2' });
    const both = onlyError(
      await t.gql(`query($id: ID, $x: String) { lead(id: $id, externalId: $x) { id } }`, { id: created.id, x: 'find-2' }),
    );
    expect(both.extensions?.code).toBe('BAD_USER_INPUT');
    const neither = onlyError(await t.gql(`{ lead { id } }`));
    expect(neither.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('concurrent reads (batched into shared queries) each get their own lead, or NOT_FOUND', async () => {
    const industries = ['software', 'insurance', 'retail', 'education', 'healthcare', 'manufacturing'];
    const created: Lead[] = [];
    for (let n = 0; n < 12; n++) {
      created.push(
        await upsert({
          externalId: `concurrent-${n}`,
          email: `c${n}@acme.io`,
          attributes: { industry: industries[n % industries.length], companySize: 10 * (n + 1) },
        }),
      );
    }
    const reversed = [...created].reverse();
    const [byExternalId, byId, unknown] = await Promise.all([
      Promise.all(
        reversed.map((lead) => t.gql<{ lead: Lead }>(`query($x: String) { lead(externalId: $x) { ${LEAD} } }`, { x: lead.externalId })),
      ),
      Promise.all(created.map((lead) => t.gql<{ lead: Lead }>(`query($id: ID) { lead(id: $id) { ${LEAD} } }`, { id: lead.id }))),
      Promise.all(['concurrent-none-1', 'concurrent-none-2'].map((x) => t.gql(`query($x: String) { lead(externalId: $x) { id } }`, { x }))),
    ]);
    expect(byExternalId.map((result) => ok(result).lead)).toEqual(reversed);
    expect(byId.map((result) => ok(result).lead)).toEqual(created);
    for (const result of unknown) expect(onlyError(result).extensions?.code).toBe('NOT_FOUND');
  });

  it('an unknown lead is NOT_FOUND and the message names the externalId', async () => {
    const error = onlyError(await t.gql(`{ lead(externalId: "no-such-lead-42") { id } }`));
    expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(error.extensions?.reason).toBe('LEAD_NOT_FOUND');
    expect(error.message).toContain('no-such-lead-42');
    const byId = onlyError(await t.gql(`{ lead(id: "999999999") { id } }`));
    expect(byId.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('upsertLead rejects bad input and writes nothing', () => {
  const cases: Array<{ name: string; input: Record<string, unknown>; path: string }> = [
    {
      name: 'wrong attribute type',
      input: { externalId: 'bad-type', attributes: { companySize: 'large' } },
      path: 'input.attributes.companySize',
    },
    {
      name: 'unknown attribute',
      input: { externalId: 'bad-unknown', attributes: { favouriteColour: 'blue' } },
      path: 'input.attributes.favouriteColour',
    },
    {
      name: 'disallowed enum value',
      input: { externalId: 'bad-enum', attributes: { seniority: 'king' } },
      path: 'input.attributes.seniority',
    },
    { name: 'blank externalId', input: { externalId: '   ', attributes: { industry: 'software' } }, path: 'input.externalId' },
    { name: 'bad email', input: { externalId: 'bad-email', email: 'not-an-email' }, path: 'input.email' },
    {
      name: 'oversized string',
      input: { externalId: 'bad-long', attributes: { jobTitle: 'x'.repeat(600) } },
      path: 'input.attributes.jobTitle',
    },
  ];

  for (const { name, input, path: problemPath } of cases) {
    it(`${name} -> BAD_USER_INPUT naming ${problemPath}`, async () => {
      const leadsBefore = await leadCount();
      const error = onlyError(await t.gql(UPSERT, { input }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.problems?.map((problem) => problem.path)).toContain(problemPath);
      expect(error.message).toContain(problemPath);
      expect(await leadCount(input.externalId as string)).toBe(0);
      expect(await leadCount()).toBe(leadsBefore);
    });
  }

  it('a bad update leaves the stored lead and its score as they were', async () => {
    const created = await upsert({ externalId: 'bad-update-1', attributes: { industry: 'software', seniority: 'vp' } });
    const error = onlyError(
      await t.gql(UPSERT, { input: { externalId: 'bad-update-1', attributes: { industry: 'media', seniority: 'king' } } }),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['input.attributes.seniority']);
    const read = ok(await t.gql<{ lead: Lead }>(`{ lead(externalId: "bad-update-1") { ${LEAD} } }`)).lead;
    expect(read.attributes).toEqual({ industry: 'software', seniority: 'vp' });
    expect(read.score).toEqual(created.score);
  });
});

describe('leads connection', () => {
  const prefix = 'list-';
  type Spec = { id: string; email?: string; attributes: Record<string, unknown>; activities?: Array<[string, Record<string, unknown>?]> };
  const specs: Spec[] = [
    {
      id: 'a01',
      email: 'one@acme.io',
      attributes: { industry: 'software', companySize: 800, seniority: 'vp', country: 'US' },
      activities: [['DEMO_REQUEST'], ['PRICING_PAGE_VIEW'], ['PRICING_PAGE_VIEW']],
    },
    {
      id: 'a02',
      email: 'two@acme.io',
      attributes: { industry: 'software', companySize: 800, seniority: 'vp', country: 'US' },
      activities: [['DEMO_REQUEST']],
    },
    { id: 'a03', email: 'three@globex.com', attributes: { industry: 'healthcare', companySize: 300, seniority: 'director' } },
    { id: 'a04', email: 'four@globex.com', attributes: { industry: 'healthcare', companySize: 300, seniority: 'director' } },
    {
      id: 'a05',
      email: 'five@globex.com',
      attributes: { industry: 'healthcare', companySize: 300, seniority: 'director' },
      activities: [['PAGE_VIEW'], ['PAGE_VIEW'], ['PAGE_VIEW'], ['PAGE_VIEW'], ['PAGE_VIEW']],
    },
    { id: 'b06', email: 'six@gmail.com', attributes: { industry: 'consulting', seniority: 'student' } },
    { id: 'b07', attributes: { industry: 'retail', companySize: 90 }, activities: [['UNSUBSCRIBE']] },
    { id: 'b08', attributes: { industry: 'retail', companySize: 90 } },
    {
      id: 'b09',
      email: 'nine@initech.com',
      attributes: { industry: 'financial_services', companySize: 6000, budgetConfirmed: true, timeline: 'now', seniority: 'c_level' },
      activities: [['TRIAL_SIGNUP'], ['CONTENT_DOWNLOAD', { contentType: 'case_study' }]],
    },
    { id: 'b10', email: 'ten@initech.com', attributes: { accountType: 'competitor', industry: 'software' } },
    { id: 'c11', attributes: {} },
    {
      id: 'c12',
      email: 'twelve@umbrella.com',
      attributes: { industry: 'insurance', companySize: 250, department: 'sales', technologies: ['salesforce'] },
      activities: [['WEBINAR_ATTENDANCE', { minutesAttended: 50 }], ['CHAT']],
    },
  ];

  let all: Lead[] = [];

  beforeAll(async () => {
    for (const spec of specs) {
      await upsert({ externalId: `${prefix}${spec.id}`, email: spec.email, attributes: spec.attributes });
      for (const [index, [type, properties]] of (spec.activities ?? []).entries()) {
        await record(`${prefix}${spec.id}`, type, `${prefix}${spec.id}-${index}`, properties);
      }
    }
    const page = ok(await t.gql<{ leads: LeadConnection }>(LEADS, { first: 200 })).leads;
    expect(page.pageInfo.hasNextPage).toBe(false);
    all = page.edges.map((edge) => edge.node);
  });

  async function list(variables: Record<string, unknown>): Promise<LeadConnection> {
    return ok(await t.gql<{ leads: LeadConnection }>(LEADS, variables)).leads;
  }

  /** Every lead matching the filter, by walking all pages. */
  async function walk(variables: Record<string, unknown>, pageSize: number): Promise<{ leads: Lead[]; pages: LeadConnection[] }> {
    const pages: LeadConnection[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const page = await list({ ...variables, first: pageSize, after });
      pages.push(page);
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
      after = page.pageInfo.endCursor;
    }
    return { leads: pages.flatMap((page) => page.edges.map((edge) => edge.node)), pages };
  }

  it('the fixture leads have varied, explained scores (and some ties)', () => {
    const fixture = all.filter((lead) => lead.externalId.startsWith(prefix));
    expect(fixture).toHaveLength(specs.length);
    for (const lead of fixture) expectReasonsAddUp(lead.score as Score);
    const totals = fixture.map((lead) => (lead.score as Score).total);
    expect(new Set(totals).size).toBeGreaterThan(5);
    expect(new Set(totals).size).toBeLessThan(totals.length); // a04 and a03 tie: keyset pagination must handle it
    expect(new Set(fixture.map((lead) => (lead.score as Score).cell)).size).toBeGreaterThan(3);
    expect(fixture.some((lead) => (lead.score as Score).qualified)).toBe(true);
    expect(fixture.some((lead) => !(lead.score as Score).qualified)).toBe(true);
  });

  it('totalCount counts every lead', async () => {
    expect(all.length).toBeGreaterThanOrEqual(specs.length);
    expect((await list({ first: 1 })).totalCount).toBe(all.length);
    expect(await leadCount()).toBe(all.length);
  });

  it('SCORE_DESC (the default) is non-increasing in total, SCORE_ASC non-decreasing', async () => {
    const desc = all.map((lead) => (lead.score as Score).total);
    for (let i = 1; i < desc.length; i++) expect(desc[i]).toBeLessThanOrEqual(desc[i - 1]);
    const explicitDesc = (await list({ orderBy: 'SCORE_DESC', first: 200 })).edges.map((edge) => edge.node.id);
    expect(explicitDesc).toEqual(all.map((lead) => lead.id));
    const asc = (await list({ orderBy: 'SCORE_ASC', first: 200 })).edges.map((edge) => (edge.node.score as Score).total);
    expect(asc).toHaveLength(all.length);
    for (let i = 1; i < asc.length; i++) expect(asc[i]).toBeGreaterThanOrEqual(asc[i - 1]);
  });

  for (const orderBy of ['SCORE_DESC', 'SCORE_ASC'] as const) {
    for (const pageSize of [1, 3, 5]) {
      it(`first/after walks every lead once in ${orderBy} order (pages of ${pageSize})`, async () => {
        const { leads, pages } = await walk({ orderBy }, pageSize);
        const ids = leads.map((lead) => lead.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(ids)).toEqual(new Set(all.map((lead) => lead.id)));
        expect(pages[pages.length - 1].pageInfo.hasNextPage).toBe(false);
        for (const page of pages.slice(0, -1)) expect(page.edges).toHaveLength(pageSize);
        for (const page of pages) expect(page.totalCount).toBe(all.length);
        const totals = leads.map((lead) => (lead.score as Score).total);
        for (let i = 1; i < totals.length; i++) {
          if (orderBy === 'SCORE_DESC') expect(totals[i]).toBeLessThanOrEqual(totals[i - 1]);
          else expect(totals[i]).toBeGreaterThanOrEqual(totals[i - 1]);
        }
      });
    }
  }

  it('first/after walks every lead once in CREATED_DESC and UPDATED_DESC order', async () => {
    for (const orderBy of ['CREATED_DESC', 'UPDATED_DESC']) {
      const { leads, pages } = await walk({ orderBy }, 4);
      const ids = leads.map((lead) => lead.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(all.map((lead) => lead.id)));
      expect(pages[pages.length - 1].pageInfo.hasNextPage).toBe(false);
    }
  });

  it('filters by cells', async () => {
    const cells = [...new Set(all.map((lead) => (lead.score as Score).cell))].slice(0, 2);
    const found = await expectFilter({ cells }, (lead) => cells.includes((lead.score as Score).cell));
    expect(found.length).toBeGreaterThan(0);
  });

  it('filters by bands', async () => {
    const bands = [...new Set(all.map((lead) => (lead.score as Score).band))];
    expect(bands.length).toBeGreaterThan(1);
    for (const band of bands) {
      const found = await expectFilter({ bands: [band] }, (lead) => (lead.score as Score).band === band);
      expect(found.length).toBeGreaterThan(0);
    }
  });

  it('filters by qualified', async () => {
    const qualified = await expectFilter({ qualified: true }, (lead) => (lead.score as Score).qualified);
    const unqualified = await expectFilter({ qualified: false }, (lead) => !(lead.score as Score).qualified);
    expect(qualified.length).toBeGreaterThan(0);
    expect(unqualified.length).toBeGreaterThan(0);
    expect(qualified.length + unqualified.length).toBe(all.length);
  });

  it('filters by minTotal and maxTotal (inclusive)', async () => {
    const totals = [...new Set(all.map((lead) => (lead.score as Score).total))].sort((a, b) => a - b);
    const low = totals[1];
    const high = totals[totals.length - 2];
    await expectFilter({ minTotal: low }, (lead) => (lead.score as Score).total >= low);
    await expectFilter({ maxTotal: high }, (lead) => (lead.score as Score).total <= high);
    const between = await expectFilter(
      { minTotal: low, maxTotal: high },
      (lead) => (lead.score as Score).total >= low && (lead.score as Score).total <= high,
    );
    expect(between.length).toBeGreaterThan(0);
    expect(between.length).toBeLessThan(all.length);
  });

  it('filters by search: case-insensitive prefix of email or externalId', async () => {
    const byExternalId = await expectFilter({ search: 'LIST-A' }, (lead) => lead.externalId.startsWith('list-a'));
    expect(byExternalId).toHaveLength(5);
    const byEmail = await expectFilter(
      { search: 'T' },
      (lead) => lead.externalId.toLowerCase().startsWith('t') || (lead.email ?? '').startsWith('t'),
    );
    expect(byEmail.map((lead) => lead.externalId).sort()).toEqual(['list-a02', 'list-a03', 'list-b10', 'list-c12']);
    // % and _ are literal characters, not wildcards
    await expectFilter({ search: 'list_' }, () => false);
    await expectFilter({ search: '%' }, () => false);
  });

  it('filters by attributes (equals one of the values; several filters all apply)', async () => {
    const industries = ['healthcare', 'retail'];
    const found = await expectFilter({ attributes: [{ name: 'industry', values: industries }] }, (lead) =>
      industries.includes(lead.attributes.industry as string),
    );
    expect(found.length).toBeGreaterThanOrEqual(5);
    const sized = await expectFilter(
      {
        attributes: [
          { name: 'industry', values: ['software'] },
          { name: 'companySize', values: [800] },
        ],
      },
      (lead) => lead.attributes.industry === 'software' && lead.attributes.companySize === 800,
    );
    expect(sized.map((lead) => lead.externalId).sort()).toEqual(expect.arrayContaining(['list-a01', 'list-a02']));
    const flagged = await expectFilter(
      { attributes: [{ name: 'budgetConfirmed', values: [true] }] },
      (lead) => lead.attributes.budgetConfirmed === true,
    );
    expect(flagged.map((lead) => lead.externalId)).toEqual(['list-b09']);
  });

  it('combines filters', async () => {
    await expectFilter(
      { search: 'list-', qualified: false, attributes: [{ name: 'industry', values: ['healthcare'] }] },
      (lead) => lead.externalId.startsWith('list-') && !(lead.score as Score).qualified && lead.attributes.industry === 'healthcare',
    );
  });

  it('an unknown attribute in the filter is BAD_USER_INPUT', async () => {
    const error = onlyError(await t.gql(LEADS, { filter: { attributes: [{ name: 'nope', values: ['x'] }] } }));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['filter.attributes[0].name']);
  });

  it('a garbage after cursor is BAD_USER_INPUT', async () => {
    for (const after of [
      'garbage',
      'bm90LWpzb24',
      Buffer.from(JSON.stringify(['CREATED_DESC', '2020-01-01T00:00:00Z', '1'])).toString('base64url'),
    ]) {
      const error = onlyError(await t.gql(LEADS, { first: 2, after }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['after']);
    }
  });

  it('first outside 1..200 is BAD_USER_INPUT', async () => {
    for (const first of [0, -1, 201]) {
      const error = onlyError(await t.gql(LEADS, { first }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual(['first']);
    }
  });
  // Last in the block: it adds 30 leads the filter tests above do not expect.
  it('CREATED_DESC and UPDATED_DESC pagination does not skip leads created in the same millisecond', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => t.gql(UPSERT, { input: { externalId: `burst-${i}` } })));
    for (const orderBy of ['CREATED_DESC', 'UPDATED_DESC']) {
      const { leads } = await walk({ orderBy, filter: { search: 'burst-' } }, 1);
      expect(new Set(leads.map((lead) => lead.externalId)).size).toBe(30);
    }
  });

  async function expectFilter(filter: Record<string, unknown>, predicate: (lead: Lead) => boolean): Promise<Lead[]> {
    const expected = all.filter(predicate);
    const { leads, pages } = await walk({ filter }, 4);
    expect(leads.map((lead) => lead.id).sort()).toEqual(expected.map((lead) => lead.id).sort());
    for (const lead of leads) expect(predicate(lead)).toBe(true);
    for (const page of pages) expect(page.totalCount).toBe(expected.length);
    return leads;
  }
});
