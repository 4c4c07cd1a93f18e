import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyPrincipal, UserPrincipal } from '../server/src/auth/principal';
import { ASSIGN, OWNER_FIELDS, type OwnerResult, ownerHelpers, UNASSIGN } from './support/owners';
import { ok, onlyError } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Owners (sales users and queues), who may define and assign them, `Lead.owner`, and the leads
 * filters `mine` and `ownerId`.
 */

let t: TestApp;
const { createLead, user, defineOwner, salesOwner, ownerOf } = ownerHelpers(() => t);
let ana: { principal: UserPrincipal; owner: OwnerResult };
let ben: { principal: UserPrincipal; owner: OwnerResult };
let queue: OwnerResult;
const leadIds: Record<string, string> = {};
const apiKey: ApiKeyPrincipal = { kind: 'apiKey', keyId: '1', name: 'crm', scopes: ['scores:read'] };

const MY_LEADS = `query($filter: LeadFilter) { leads(filter: $filter, first: 50) { totalCount edges { node { externalId owner { id name kind } } } } }`;

beforeAll(async () => {
  t = await createTestApp();
  ana = await salesOwner('inbound', 'Ana Sales');
  ben = await salesOwner('inbound', 'Ben Sales');
  queue = await defineOwner({ kind: 'QUEUE', name: 'Partners', team: 'partners' });
  for (const externalId of ['own-1', 'own-2', 'own-3', 'own-4']) leadIds[externalId] = await createLead(externalId);
});
afterAll(() => t?.close());

describe('owners', () => {
  it('defines users (name from the user) and queues, and lists them', async () => {
    expect(ana.owner).toMatchObject({ kind: 'USER', name: 'Ana Sales', team: 'inbound', userId: ana.principal.userId, active: true });
    expect(queue).toMatchObject({ kind: 'QUEUE', name: 'Partners', team: 'partners', userId: null });
    const owners = ok(await t.gqlAs<{ owners: OwnerResult[] }>(ana.principal, `{ owners(team: "inbound") { ${OWNER_FIELDS} } }`)).owners;
    expect(owners.map((owner) => owner.name)).toEqual(['Ana Sales', 'Ben Sales']);
  });

  it('refuses bad owners, naming the field, and writes nothing', async () => {
    const viewer = await user('viewer');
    const before = (await t.sql('SELECT 1 FROM lead_owner')).length;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ kind: 'USER' }, 'BAD_USER_INPUT', 'input.userId'],
      [{ kind: 'USER', userId: viewer.userId }, 'BAD_USER_INPUT', 'input.userId'],
      [{ kind: 'USER', userId: '99999' }, 'BAD_USER_INPUT', 'input.userId'],
      [{ kind: 'USER', userId: ana.principal.userId }, 'CONFLICT', 'input.userId'],
      [{ kind: 'QUEUE', name: 'No team' }, 'BAD_USER_INPUT', 'input.team'],
      [{ kind: 'QUEUE', name: '', team: 'x' }, 'BAD_USER_INPUT', 'input.name'],
    ];
    for (const [input, code, path] of cases) {
      const error = onlyError(await t.gql(`mutation($input: DefineOwnerInput!) { defineOwner(input: $input) { id } }`, { input }));
      expect([error.extensions?.code, error.extensions?.problems?.[0].path]).toEqual([code, path]);
    }
    expect(await t.sql('SELECT 1 FROM lead_owner')).toHaveLength(before);
    const forbidden = onlyError(
      await t.gqlAs(ana.principal, `mutation { defineOwner(input: { kind: QUEUE, name: "Mine", team: "x" }) { id } }`),
    );
    expect(forbidden.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets sales take an unowned lead for themselves only, and admin assign any', async () => {
    const taken = ok(
      await t.gqlAs<{ assignLead: { owner: { id: string; name: string } } }>(ana.principal, ASSIGN, {
        leadId: leadIds['own-1'],
        ownerId: ana.owner.id,
      }),
    );
    expect(taken.assignLead.owner).toEqual({ id: ana.owner.id, name: 'Ana Sales' });

    const toOther = onlyError(await t.gqlAs(ana.principal, ASSIGN, { leadId: leadIds['own-2'], ownerId: ben.owner.id }));
    expect([toOther.extensions?.code, toOther.extensions?.reason]).toEqual(['FORBIDDEN', 'ASSIGNMENT_FORBIDDEN']);
    const stealing = onlyError(await t.gqlAs(ben.principal, ASSIGN, { leadId: leadIds['own-1'], ownerId: ben.owner.id }));
    expect([stealing.extensions?.code, stealing.extensions?.reason]).toEqual(['CONFLICT', 'LEAD_ALREADY_OWNED']);
    const byViewer = onlyError(await t.gqlAs(await user('viewer'), ASSIGN, { leadId: leadIds['own-2'], ownerId: ana.owner.id }));
    expect(byViewer.extensions?.code).toBe('FORBIDDEN');
    expect(await ownerOf('own-1')).toBe(ana.owner.id);
    expect(await ownerOf('own-2')).toBeNull();

    ok(await t.gql(ASSIGN, { leadId: leadIds['own-2'], ownerId: ana.owner.id }));
    ok(await t.gql(ASSIGN, { leadId: leadIds['own-3'], ownerId: queue.id }));
    ok(await t.gql(ASSIGN, { leadId: leadIds['own-1'], ownerId: ben.owner.id }));
    expect(await ownerOf('own-1')).toBe(ben.owner.id);

    const unknownLead = onlyError(await t.gql(ASSIGN, { leadId: '999999', ownerId: ana.owner.id }));
    expect([unknownLead.extensions?.code, unknownLead.extensions?.problems?.[0].path]).toEqual(['NOT_FOUND', 'leadId']);
    const unknownOwner = onlyError(await t.gql(ASSIGN, { leadId: leadIds['own-4'], ownerId: 'not-a-uuid' }));
    expect([unknownOwner.extensions?.code, unknownOwner.extensions?.problems?.[0].path]).toEqual(['NOT_FOUND', 'ownerId']);

    const audit = await t.sql<{ actor: string; entity: string }>(
      `SELECT actor, entity_id AS entity FROM audit_log WHERE action = 'lead.assigned' ORDER BY id`,
    );
    expect(audit).toEqual([
      { actor: `user:${ana.principal.email}`, entity: leadIds['own-1'] },
      { actor: 'user:admin@test.local', entity: leadIds['own-2'] },
      { actor: 'user:admin@test.local', entity: leadIds['own-3'] },
      { actor: 'user:admin@test.local', entity: leadIds['own-1'] },
    ]);
  });

  it('lets sales unassign only their own leads', async () => {
    const notTheirs = onlyError(await t.gqlAs(ana.principal, UNASSIGN, { leadId: leadIds['own-1'] }));
    expect(notTheirs.extensions?.code).toBe('FORBIDDEN');
    ok(await t.gqlAs(ben.principal, UNASSIGN, { leadId: leadIds['own-1'] }));
    expect(await ownerOf('own-1')).toBeNull();
    ok(await t.gqlAs(ben.principal, ASSIGN, { leadId: leadIds['own-1'], ownerId: ben.owner.id }));
  });

  it('filters my leads and an owner’s leads, with Lead.owner on every row', async () => {
    const mine = ok(
      await t.gqlAs<{ leads: { totalCount: number; edges: Array<{ node: { externalId: string; owner: { name: string } | null } }> } }>(
        ana.principal,
        MY_LEADS,
        { filter: { mine: true } },
      ),
    ).leads;
    expect(mine.totalCount).toBe(1);
    expect(mine.edges.map((edge) => [edge.node.externalId, edge.node.owner?.name])).toEqual([['own-2', 'Ana Sales']]);

    const byOwner = ok(
      await t.gql<{ leads: { totalCount: number; edges: Array<{ node: { externalId: string; owner: { kind: string } } }> } }>(MY_LEADS, {
        filter: { ownerId: queue.id },
      }),
    ).leads;
    expect(byOwner.edges.map((edge) => [edge.node.externalId, edge.node.owner.kind])).toEqual([['own-3', 'QUEUE']]);

    const everyone = ok(
      await t.gql<{ leads: { edges: Array<{ node: { externalId: string; owner: { name: string } | null } }> } }>(MY_LEADS, {
        filter: { mine: false },
      }),
    ).leads;
    expect(Object.fromEntries(everyone.edges.map((edge) => [edge.node.externalId, edge.node.owner?.name ?? null]))).toEqual({
      'own-1': 'Ben Sales',
      'own-2': 'Ana Sales',
      'own-3': 'Partners',
      'own-4': null,
    });

    // The admin has no owner: their leads are none.
    expect(ok(await t.gql<{ leads: { totalCount: number } }>(MY_LEADS, { filter: { mine: true } })).leads.totalCount).toBe(0);
    const byKey = onlyError(await t.gqlAs(apiKey, MY_LEADS, { filter: { mine: true } }));
    expect([byKey.extensions?.code, byKey.extensions?.problems?.[0].path]).toEqual(['BAD_USER_INPUT', 'filter.mine']);
    const badOwner = onlyError(await t.gql(MY_LEADS, { filter: { ownerId: 'nope' } }));
    expect(badOwner.extensions?.problems?.[0].path).toBe('filter.ownerId');
  });

  it('deactivates an owner: it keeps its leads and takes no new assignment', async () => {
    const deactivated = ok(
      await t.gql<{ deactivateOwner: OwnerResult }>(`mutation($id: ID!) { deactivateOwner(id: $id) { ${OWNER_FIELDS} } }`, {
        id: queue.id,
      }),
    ).deactivateOwner;
    expect(deactivated.active).toBe(false);
    expect(await ownerOf('own-3')).toBe(queue.id);
    const refused = onlyError(await t.gql(ASSIGN, { leadId: leadIds['own-4'], ownerId: queue.id }));
    expect([refused.extensions?.code, refused.extensions?.reason]).toEqual(['CONFLICT', 'OWNER_INACTIVE']);
    const audit = await t.sql<{ action: string }>(`SELECT action FROM audit_log WHERE entity_type = 'lead_owner' ORDER BY id`);
    expect(audit.map((row) => row.action)).toEqual(['owner.defined', 'owner.defined', 'owner.defined', 'owner.deactivated']);
  });
});
