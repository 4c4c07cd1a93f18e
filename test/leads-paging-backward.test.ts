import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, onlyError } from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Page {
  pageInfo: PageInfo;
  edges: Array<{ cursor: string; node: { id: string; externalId: string } }>;
}

const ORDERS = ['SCORE_DESC', 'SCORE_ASC', 'CREATED_DESC', 'UPDATED_DESC'] as const;
const PAGE = `query($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String, $last: Int, $before: String) {
  leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id externalId } }
  }
}`;
const page = async (variables: Record<string, unknown>): Promise<Page> => ok(await t.gql<{ leads: Page }>(PAGE, variables)).leads;

const INDUSTRIES = ['software', 'retail', 'healthcare', 'insurance', 'consulting'];
const SENIORITIES = ['vp', 'director', 'student', 'c_level', 'manager'];
let made = 0;
/** Leads with varied scores and many ties (few distinct attribute combinations). */
function leadsOf(prefix: string, count: number) {
  return Array.from({ length: count }, () => {
    const n = made++;
    return {
      externalId: `${prefix}${String(n).padStart(5, '0')}`,
      attributes: { industry: INDUSTRIES[n % 5], seniority: SENIORITIES[(n * 7) % 5], companySize: [20, 300, 900][n % 3] },
    };
  });
}
async function insert(prefix: string, count: number): Promise<void> {
  if (count === 0) return;
  const reply = ok(
    await t.gql<{ upsertLeads: { failedCount: number } }>(
      'mutation($input: UpsertLeadsInput!) { upsertLeads(input: $input) { failedCount } }',
      { input: { leads: leadsOf(prefix, count) } },
    ),
  );
  expect(reply.upsertLeads.failedCount).toBe(0);
}

function expectPageInfo(result: Page): void {
  expect(result.pageInfo.startCursor).toBe(result.edges[0]?.cursor ?? null);
  expect(result.pageInfo.endCursor).toBe(result.edges.at(-1)?.cursor ?? null);
}

describe('leads: last/before pages backwards', () => {
  const filter = { search: 'p-' };
  beforeAll(async () => {
    await insert('p-', 30);
  });

  it('property: forwards then backwards visits the same leads in reverse, no duplicates or gaps, under concurrent inserts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ORDERS),
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 2, max: 9 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 4 }),
        async (orderBy, forwardSize, backwardSize, inserts) => {
          const before = (await page({ filter, orderBy, first: 1000 })).edges.map((edge) => edge.node.id);
          const existing = new Set(before);
          let step = 0;
          // Inserts run beside the first page reads: new leads may land anywhere in the ordering.
          const beside = <T>(read: Promise<T>) => Promise.all([read, insert('p-', inserts[step++] ?? 0)]).then(([value]) => value);

          const forward: string[] = [];
          let cursor: string | null = null;
          for (let guard = 0; guard < 200; guard++) {
            const result: Page = await beside(page({ filter, orderBy, first: forwardSize, after: cursor }));
            expectPageInfo(result);
            expect(result.pageInfo.hasPreviousPage).toBe(cursor !== null);
            forward.push(...result.edges.map((edge) => edge.node.id));
            if (!result.pageInfo.hasNextPage) break;
            cursor = result.pageInfo.endCursor;
          }
          const backward: string[] = [];
          cursor = null;
          for (let guard = 0; guard < 200; guard++) {
            const result: Page = await beside(page({ filter, orderBy, last: backwardSize, before: cursor }));
            expectPageInfo(result);
            expect(result.pageInfo.hasNextPage).toBe(cursor !== null);
            expect(result.edges.length).toBeLessThanOrEqual(backwardSize);
            backward.push(...result.edges.map((edge) => edge.node.id).reverse());
            if (!result.pageInfo.hasPreviousPage) break;
            cursor = result.pageInfo.startCursor;
          }
          expect(new Set(forward).size).toBe(forward.length);
          expect(new Set(backward).size).toBe(backward.length);
          // Every lead there before the walks, in the same order both ways (no gaps)...
          expect(forward.filter((id) => existing.has(id))).toEqual(before);
          expect(backward.filter((id) => existing.has(id))).toEqual([...before].reverse());
          // ...and every lead seen forwards is seen again backwards, in reverse order (leads created
          // meanwhile, which the forward walk had passed, come in between).
          const seenForward = new Set(forward);
          expect(backward.filter((id) => seenForward.has(id))).toEqual([...forward].reverse());
        },
      ),
      { numRuns: 10 },
    );
  });

  it('last alone is the end of the list; before alone pages backwards; each page reads in list order', async () => {
    for (const orderBy of ORDERS) {
      const all = (await page({ filter, orderBy, first: 1000 })).edges;
      const tail = await page({ filter, orderBy, last: 3 });
      expect(tail.edges).toEqual(all.slice(-3));
      expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const previous = await page({ filter, orderBy, before: tail.pageInfo.startCursor });
      expect(previous.edges).toEqual(all.slice(-23, -3));
      const between = await page({ filter, orderBy, after: all[1].cursor, before: all[6].cursor });
      expect(between.edges).toEqual(all.slice(2, 6));
      expect(between.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      const whole = await page({ filter, orderBy, last: 1000 });
      expect(whole.edges).toEqual(all);
      expect(whole.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    }
  });

  it('bad page arguments are BAD_USER_INPUT naming the argument', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ first: 2, last: 2 }, 'last'],
      [{ last: 0 }, 'last'],
      [{ last: 1001 }, 'last'],
      [{ first: 1001 }, 'first'],
      [{ last: 2, before: 'garbage' }, 'before'],
      [{ orderBy: 'SCORE_ASC', before: (await page({ orderBy: 'SCORE_DESC', first: 1 })).pageInfo.endCursor }, 'before'],
    ];
    for (const [variables, path] of cases) {
      const error = onlyError(await t.gql(PAGE, variables));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual([path]);
    }
  });
});

describe('pages of 1,000 within the complexity budget', () => {
  const LEAD = `id externalId email segment source attributes createdAt updatedAt
    score { total fit engagement fitGrade engagementLevel cell band qualified action actionLabel ruleSetKey ruleSetVersion scoredAt reasons { rule label dimension points } }`;

  beforeAll(async () => {
    await insert('big-', 1000);
    await insert('big-', 100);
  });

  it('a page of 1,000 leads with their scores and reasons passes, both ways', async () => {
    const query = (args: string) =>
      `{ leads(${args}, filter: { search: "big-" }) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ${LEAD} } } } }`;
    const started = performance.now();
    const forward = ok(await t.gql<{ leads: Page & { totalCount: number } }>(query('first: 1000'))).leads;
    const elapsed = performance.now() - started;
    console.log(`leads(first: 1000) with scores and reasons: ${elapsed.toFixed(0)} ms in-process`);
    expect(forward.edges).toHaveLength(1000);
    expect(forward.totalCount).toBe(1100);
    expect(forward.pageInfo.hasNextPage).toBe(true);
    const backward = ok(await t.gql<{ leads: Page }>(query('last: 1000'))).leads;
    expect(backward.edges).toHaveLength(1000);
    expect(backward.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(backward.edges.map((edge) => edge.node.id)).toEqual(
      [
        ...forward.edges.slice(100),
        ...(await page({ filter: { search: 'big-' }, after: forward.pageInfo.endCursor, first: 100 })).edges,
      ].map((edge) => edge.node.id),
    );
  });

  it('a page of 1,000 leads with a nested page in each is refused as too complex, with a clear message', async () => {
    for (const nested of ['activities(first: 20) { edges { node { id type } } }', 'scoreHistory { edges { node { cause } } }']) {
      const error = onlyError(await t.gql(`{ leads(first: 1000) { edges { node { id ${nested} } } } }`));
      expect(error.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(error.message).toMatch(/Query is too complex: cost \d+, at most 25000 .*"first"/);
    }
    const backward = onlyError(
      await t.gql(`{ leads(last: 1000) { edges { node { id activities(first: 20) { edges { node { id } } } } } } }`),
    );
    expect(backward.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
