import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadHelpers, expectReasonsAddUp, type Lead, type LeadConnection, LEADS, ok, onlyError, type Score, UPSERT } from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { upsert, record, leadCount } = leadHelpers(() => t);

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

  it('first outside 1..1000 is BAD_USER_INPUT', async () => {
    for (const first of [0, -1, 1001]) {
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
