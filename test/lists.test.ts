import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyPrincipal, Role, UserPrincipal } from '../server/src/auth/principal';
import { LIST_LIMITS } from '../server/src/lists/lead-list.service';
import { type LeadConnection, leadHelpers, LEADS, ok, onlyError } from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Saved lead lists through GraphQL in-process: create, read, page its leads as `leads` does, change,
 * delete; shared with every signed-in user, changed only by its creator or an admin; a bad filter or
 * name names the field and saves nothing; limits per team.
 */

interface List {
  id: string;
  name: string;
  team: string;
  description: string | null;
  filter: Record<string, unknown>;
  orderBy: string;
  createdBy: string;
  canEdit: boolean;
  exportPath: string;
}

const LIST = 'id name team description filter orderBy createdBy canEdit exportPath';
const CREATE = `mutation($input: CreateLeadListInput!) { createLeadList(input: $input) { ${LIST} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateLeadListInput!) { updateLeadList(id: $id, input: $input) { ${LIST} } }`;
const DELETE = 'mutation($id: ID!) { deleteLeadList(id: $id) }';
const LISTS = `query($team: String) { leadLists(team: $team) { ${LIST} } }`;
const ONE = `query($id: ID!, $first: Int, $after: String) { leadList(id: $id) { ${LIST}
  leads(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id externalId score { total } } } } } }`;

let t: TestApp;
const users = {} as Record<'sales1' | 'sales2' | 'marketing' | 'viewer', UserPrincipal>;
const apiKey: ApiKeyPrincipal = { kind: 'apiKey', keyId: '1', name: 'crm', scopes: ['scores:read'] };
const { upsert } = leadHelpers(() => t);

async function user(email: string, role: Role): Promise<UserPrincipal> {
  const created = await t.app.services.auth.createUser({ email, name: email.split('@')[0], role, password: 'a-long-test-password-1' });
  return { kind: 'user', userId: created.id, email: created.email, name: created.name, role };
}

const count = async (table: string) => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
const auditActions = async () =>
  (await t.sql<{ action: string }>(`SELECT action FROM audit_log WHERE entity_type = 'lead_list' ORDER BY id`)).map((row) => row.action);

beforeAll(async () => {
  t = await createTestApp();
  users.sales1 = await user('sales1@test.local', 'sales');
  users.sales2 = await user('sales2@test.local', 'sales');
  users.marketing = await user('marketing@test.local', 'marketing');
  users.viewer = await user('viewer@test.local', 'viewer');
  for (let i = 0; i < 12; i++) {
    await upsert({
      externalId: `list-${i}`,
      email: `l${i}@acme.io`,
      attributes: i % 2 ? { industry: 'software', companySize: 800, seniority: 'vp' } : { industry: 'education', companySize: 20 },
    });
  }
});

afterAll(async () => {
  await t?.close();
});

describe('saved lists', () => {
  it('saves a filter and order, pages its leads as `leads` does, changes and deletes it, audited', async () => {
    const filter = {
      bands: ['cold', 'warm', 'hot'],
      search: 'list-',
      outcome: 'OPEN',
      attributes: [{ name: 'industry', values: ['software'] }],
    };
    const { createLeadList: list } = ok(
      await t.gqlAs<{ createLeadList: List }>(users.sales1, CREATE, {
        input: { name: ' Software VPs ', description: 'For the Monday call', filter, orderBy: 'SCORE_ASC' },
      }),
    );
    expect(list).toMatchObject({
      name: 'Software VPs',
      team: 'everyone',
      description: 'For the Monday call',
      orderBy: 'SCORE_ASC',
      createdBy: 'user:sales1@test.local',
      canEdit: true,
      exportPath: `/export/leads.csv?list=${list.id}`,
    });
    // Handed back as the `leads` query takes it: enum names, nothing added.
    expect(list.filter).toEqual(filter);

    const direct = ok(await t.gql<{ leads: LeadConnection }>(LEADS, { filter: list.filter, orderBy: 'SCORE_ASC', first: 4 })).leads;
    const first = ok(await t.gqlAs<{ leadList: List & { leads: LeadConnection } }>(users.sales2, ONE, { id: list.id, first: 4 })).leadList;
    expect(first.leads.totalCount).toBe(6);
    expect(first.leads.edges.map((edge) => edge.node.externalId)).toEqual(direct.edges.map((edge) => edge.node.externalId));
    const rest = ok(
      await t.gqlAs<{ leadList: { leads: LeadConnection } }>(users.sales2, ONE, {
        id: list.id,
        first: 4,
        after: first.leads.pageInfo.endCursor,
      }),
    ).leadList.leads;
    expect(rest.edges).toHaveLength(2);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const totals = [...first.leads.edges, ...rest.edges].map((edge) => edge.node.score!.total);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));

    const { updateLeadList: changed } = ok(
      await t.gqlAs<{ updateLeadList: List }>(users.sales1, UPDATE, {
        id: list.id,
        input: { name: 'Software leads', description: '', filter: { search: 'list-1' } },
      }),
    );
    expect(changed).toMatchObject({ name: 'Software leads', description: null, filter: { search: 'list-1' }, orderBy: 'SCORE_ASC' });
    const after = ok(await t.gql<{ leadList: { leads: LeadConnection } }>(ONE, { id: list.id, first: 20 })).leadList.leads;
    expect(after.edges.map((edge) => edge.node.externalId).sort()).toEqual(['list-1', 'list-10', 'list-11']);

    expect(ok(await t.gqlAs<{ deleteLeadList: string }>(users.sales1, DELETE, { id: list.id })).deleteLeadList).toBe(list.id);
    const gone = onlyError(await t.gql(ONE, { id: list.id }));
    expect(gone.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'LEAD_LIST_NOT_FOUND' });
    expect(await auditActions()).toEqual(['lead_list.created', 'lead_list.updated', 'lead_list.deleted']);
    const [updated] = await t.sql<{ actor: string; diff: Array<{ path: string }> }>(
      `SELECT actor, diff FROM audit_log WHERE action = 'lead_list.updated'`,
    );
    expect(updated.actor).toBe('user:sales1@test.local');
    expect(updated.diff.map((change) => change.path).sort()).toEqual(['description', 'filter', 'name']);
  });

  it('is shared with every signed-in user and API keys that read leads; only its creator or an admin changes it', async () => {
    const { createLeadList: list } = ok(
      await t.gqlAs<{ createLeadList: List }>(users.sales1, CREATE, {
        input: { name: 'Hot ones', team: 'EMEA', filter: { bands: ['hot'] } },
      }),
    );
    for (const reader of [users.sales2, users.viewer, users.marketing, apiKey]) {
      const { leadLists } = ok(await t.gqlAs<{ leadLists: List[] }>(reader, LISTS, { team: 'EMEA' }));
      expect(leadLists.map((found) => [found.name, found.canEdit])).toEqual([['Hot ones', false]]);
    }
    expect(ok(await t.gql<{ leadLists: List[] }>(LISTS, { team: 'EMEA' })).leadLists[0].canEdit).toBe(true);
    // One list's leads per request: not through the listing.
    const listing = await t.gql('{ leadLists { id leads(first: 1000) { edges { node { id } } } } }');
    expect(listing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'leads' }] });

    for (const intruder of [users.sales2, users.marketing]) {
      const refused = onlyError(await t.gqlAs(intruder, UPDATE, { id: list.id, input: { name: 'Mine now' } }));
      expect(refused.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_LEAD_LIST_OWNER' });
      expect(refused.message).toMatch(/only the list's creator \(user:sales1@test.local\) or an admin/);
      expect(onlyError(await t.gqlAs(intruder, DELETE, { id: list.id })).extensions?.code).toBe('FORBIDDEN');
    }
    for (const reader of [apiKey, users.viewer]) {
      expect(onlyError(await t.gqlAs(reader, CREATE, { input: { name: 'Read only' } })).extensions?.code).toBe('FORBIDDEN');
    }
    expect(onlyError(await t.gqlAs(null, LISTS, {})).extensions?.code).toBe('UNAUTHENTICATED');

    const renamed = ok(await t.gql<{ updateLeadList: List }>(UPDATE, { id: list.id, input: { name: 'Hot (admin)' } })).updateLeadList;
    expect(renamed.name).toBe('Hot (admin)');
    ok(await t.gql(DELETE, { id: list.id }));
    expect(await count('lead_list')).toBe(0);
  });

  it("files a user's list under their owner team by default", async () => {
    await t.sql(`INSERT INTO lead_owner (kind, user_id, name, team) VALUES ('user', $1, 'Sales Two', 'Nordics')`, [users.sales2.userId]);
    const { createLeadList: list } = ok(await t.gqlAs<{ createLeadList: List }>(users.sales2, CREATE, { input: { name: 'Mine' } }));
    expect(list).toMatchObject({ team: 'Nordics', filter: {}, orderBy: 'SCORE_DESC' });
    ok(await t.gqlAs(users.sales2, DELETE, { id: list.id }));
  });

  it('means by `mine` the leads of whoever looks at the list', async () => {
    const [owner] = await t.sql<{ id: string }>(
      `INSERT INTO lead_owner (kind, user_id, name, team) VALUES ('user', $1, 'Sales One', 'EMEA') RETURNING id`,
      [users.sales1.userId],
    );
    await t.sql(`UPDATE lead SET owner_id = $1 WHERE external_id IN ('list-0', 'list-1')`, [owner.id]);
    const { createLeadList: list } = ok(
      await t.gqlAs<{ createLeadList: List }>(users.sales1, CREATE, { input: { name: 'My leads', filter: { mine: true } } }),
    );
    expect(list.filter).toEqual({ mine: true });
    const seenBy = async (who: UserPrincipal) =>
      ok(await t.gqlAs<{ leadList: { leads: LeadConnection } }>(who, ONE, { id: list.id, first: 20 }))
        .leadList.leads.edges.map((edge) => edge.node.externalId)
        .sort();
    expect(await seenBy(users.sales1)).toEqual(['list-0', 'list-1']);
    expect(await seenBy(users.marketing)).toEqual([]);
    ok(await t.gqlAs(users.sales1, DELETE, { id: list.id }));
    await t.sql('UPDATE lead SET owner_id = NULL');
  });

  it('refuses a bad filter or name, naming the field, and saves nothing', async () => {
    const lists = await count('lead_list');
    const audits = (await auditActions()).length;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: 'x', filter: { attributes: [{ name: 'shoeSize', values: [42] }] } }, 'input.filter.attributes[0].name', 'BAD_USER_INPUT'],
      [{ name: 'x', filter: { minTotal: 90, maxTotal: 10 } }, 'input.filter.minTotal', 'BAD_USER_INPUT'],
      [{ name: 'x', filter: { cells: Array.from({ length: 51 }, () => 'A1') } }, 'input.filter.cells', 'BAD_USER_INPUT'],
      [{ name: '   ' }, 'input.name', 'BAD_USER_INPUT'],
      [{ name: 'n'.repeat(LIST_LIMITS.nameLength + 1) }, 'input.name', 'BAD_USER_INPUT'],
      [{ name: 'two\nlines' }, 'input.name', 'BAD_USER_INPUT'],
      [{ name: 'x', team: '../etc' }, 'input.team', 'BAD_USER_INPUT'],
      [{ name: 'x', description: 'd'.repeat(LIST_LIMITS.descriptionLength + 1) }, 'input.description', 'BAD_USER_INPUT'],
    ];
    for (const [input, path, code] of cases) {
      const error = onlyError(await t.gqlAs(users.sales1, CREATE, { input }));
      expect(error.extensions?.code, path).toBe(code);
      expect(error.extensions?.reason, path).toBe('INVALID_LEAD_LIST');
      expect(
        error.extensions?.problems?.map((problem) => problem.path),
        path,
      ).toContain(path);
    }
    // An update with a bad filter leaves the list as it was.
    const { createLeadList: list } = ok(
      await t.gqlAs<{ createLeadList: List }>(users.sales1, CREATE, { input: { name: 'Keep me', filter: { qualified: true } } }),
    );
    const error = onlyError(
      await t.gqlAs(users.sales1, UPDATE, { id: list.id, input: { filter: { attributes: [{ name: 'industry', values: [] }] } } }),
    );
    expect(error.extensions?.problems?.[0].path).toBe('input.filter.attributes[0].values');
    expect(ok(await t.gql<{ leadList: List }>(ONE, { id: list.id })).leadList.filter).toEqual({ qualified: true });
    for (const id of ['abc', '999999']) expect(onlyError(await t.gql(ONE, { id })).extensions?.code).toBe('NOT_FOUND');
    ok(await t.gqlAs(users.sales1, DELETE, { id: list.id }));
    expect(await count('lead_list')).toBe(lists);
    expect((await auditActions()).length).toBe(audits + 2);
  });

  it('keeps names unique per team (whatever the case, under concurrent saves) and caps lists per team', async () => {
    const attempts = await Promise.all(
      ['Weekly', 'weekly', 'WEEKLY', 'Weekly ', 'weekly'].map((name) =>
        t.gqlAs<{ createLeadList: List }>(users.sales1, CREATE, { input: { name, team: 'APAC' } }),
      ),
    );
    expect(attempts.filter((result) => !result.errors)).toHaveLength(1);
    for (const refused of attempts.filter((result) => result.errors)) {
      expect(onlyError(refused).extensions).toMatchObject({ code: 'CONFLICT', reason: 'LEAD_LIST_NAME_TAKEN' });
    }
    // The same name in another team is another list.
    ok(await t.gqlAs(users.sales1, CREATE, { input: { name: 'weekly', team: 'AMER' } }));

    await t.sql(
      `INSERT INTO lead_list (team, name, created_by_name) SELECT 'APAC', 'filler ' || n, 'test' FROM generate_series(2, $1::int) n`,
      [LIST_LIMITS.listsPerTeam],
    );
    const full = onlyError(await t.gqlAs(users.sales1, CREATE, { input: { name: 'One too many', team: 'APAC' } }));
    expect(full.extensions).toMatchObject({ code: 'CONFLICT', reason: 'TOO_MANY_LEAD_LISTS' });
    expect(full.extensions?.problems?.[0].path).toBe('input.team');
    // Moving a list into the full team is refused the same way.
    const { createLeadList: other } = ok(
      await t.gqlAs<{ createLeadList: List }>(users.sales1, CREATE, { input: { name: 'Elsewhere', team: 'AMER' } }),
    );
    expect(onlyError(await t.gqlAs(users.sales1, UPDATE, { id: other.id, input: { team: 'APAC' } })).extensions?.reason).toBe(
      'TOO_MANY_LEAD_LISTS',
    );
    expect(ok(await t.gql<{ leadLists: List[] }>(LISTS, { team: 'APAC' })).leadLists).toHaveLength(LIST_LIMITS.listsPerTeam);
  });
});
