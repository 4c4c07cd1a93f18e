import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, onlyError } from './support/scores';
import { ASSIGN, FIT_A, type OwnerResult, ownerHelpers, SET_RULES } from './support/owners';
import { teamTurnSequence } from '../server/src/owners/routing.service';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Routing rules: validation naming each wrong field, rule order, round robin within a team that
 * stays fair when leads qualify concurrently, and no reassignment of leads that have an owner.
 */

let t: TestApp;
const { createLead, qualify, defineOwner, salesOwner, ownerOf } = ownerHelpers(() => t);
let inbound: OwnerResult[];
let germany: OwnerResult;
let enterprise: OwnerResult;

beforeAll(async () => {
  t = await createTestApp();
  inbound = [];
  for (const name of ['Ana', 'Ben', 'Cid']) inbound.push((await salesOwner('inbound', `Inbound ${name}`)).owner);
  germany = (await salesOwner('dach', 'Greta')).owner;
  enterprise = await defineOwner({ kind: 'QUEUE', name: 'Enterprise desk', team: 'enterprise' });
});
afterAll(() => t?.close());

const RULES = () => [
  { name: 'German leads', attributes: [{ name: 'country', value: 'DE' }], ownerId: germany.id },
  { name: 'Enterprise segment', segment: 'enterprise', cells: ['A1', 'A2'], team: 'enterprise' },
  { name: 'Everyone else', bands: ['hot', 'warm', 'cold'], team: 'inbound' },
];

describe('routing rules', () => {
  it('refuses unknown cells, bands, attributes, owners and teams, naming each, and keeps the rules', async () => {
    ok(await t.gql(SET_RULES, { rules: RULES() }));
    const error = onlyError(
      await t.gql(SET_RULES, {
        rules: [
          { name: 'ok', team: 'inbound' },
          { name: 'bad cell', cells: ['A1', 'E9'], team: 'inbound' },
          { name: 'bad band', bands: ['lukewarm'], ownerId: germany.id },
          { name: 'bad owner', ownerId: '00000000-0000-4000-8000-000000000000' },
          { name: 'bad team', team: 'nobody' },
          { name: 'bad attribute', attributes: [{ name: 'shoeSize', value: 42 }], team: 'inbound' },
          { name: 'two targets', ownerId: germany.id, team: 'inbound' },
          { name: 'ok', team: 'inbound' },
        ],
      }),
    );
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.reason).toBe('INVALID_ROUTING_RULES');
    expect(error.extensions?.problems?.map((problem) => problem.path)).toEqual([
      'rules[1].cells[1]',
      'rules[2].bands[0]',
      'rules[3].ownerId',
      'rules[4].team',
      'rules[5].attributes[0].name',
      'rules[6]',
      'rules[7].name',
    ]);
    expect(error.message).toContain('rules[1].cells[1]: unknown cell "E9"');
    const rules = ok(
      await t.gql<{ routingRules: Array<{ name: string; owner: { id: string } | null; team: string | null }> }>(
        '{ routingRules { name owner { id } team } }',
      ),
    ).routingRules;
    expect(rules.map((rule) => rule.name)).toEqual(['German leads', 'Enterprise segment', 'Everyone else']);
    expect(rules[0].owner?.id).toBe(germany.id);
  });

  it('only admin and marketing set rules', async () => {
    const sales = await t.app.services.auth.createUser({
      email: 'rules.sales@owners.test',
      name: 'S',
      role: 'sales',
      password: 'pw-long-enough-1',
    });
    const result = await t.gqlAs({ kind: 'user', userId: sales.id, email: sales.email, name: sales.name, role: 'sales' }, SET_RULES, {
      rules: [],
    });
    expect(onlyError(result).extensions?.code).toBe('FORBIDDEN');
  });

  it('assigns by the first rule that matches, when a lead qualifies, and audits it', async () => {
    await createLead('route-de', { attributes: { ...FIT_A, country: 'DE' } });
    await createLead('route-ent', { segment: 'enterprise' });
    await createLead('route-other');
    expect(await ownerOf('route-de')).toBeNull();
    for (const externalId of ['route-de', 'route-ent', 'route-other']) expect((await qualify(externalId)).qualified).toBe(true);
    expect(await ownerOf('route-de')).toBe(germany.id);
    expect(await ownerOf('route-ent')).toBe(enterprise.id);
    expect(inbound.map((owner) => owner.id)).toContain(await ownerOf('route-other'));
    const audit = await t.sql<{ actor: string; summary: string }>(
      `SELECT actor, summary FROM audit_log WHERE action = 'lead.assigned' ORDER BY id`,
    );
    expect(audit).toHaveLength(3);
    expect(audit[0]).toEqual({ actor: 'routing', summary: expect.stringContaining('by routing rule "German leads"') });
  });

  it('takes turns fairly within a team when many leads qualify at once, each assigned once', async () => {
    const n = 24;
    const ids = Array.from({ length: n }, (_, i) => `rr-${i}`);
    for (const id of ids) await createLead(id);
    const [before] = await t.sql<{ turns: string }>(`SELECT last_value::text AS turns FROM ${teamTurnSequence('inbound')}`);
    const scores = await Promise.all(ids.map((id) => qualify(id)));
    expect(scores.every((score) => score.qualified)).toBe(true);

    const counts = await t.sql<{ owner: string; leads: number }>(
      `SELECT owner_id::text AS owner, count(*)::int AS leads FROM lead WHERE external_id LIKE 'rr-%' GROUP BY owner_id`,
    );
    // The earlier test gave one lead to the team: the turns go on from there, so each owner gets n/k.
    expect(counts.map((row) => row.leads)).toEqual([n / 3, n / 3, n / 3]);
    expect(new Set(counts.map((row) => row.owner))).toEqual(new Set(inbound.map((owner) => owner.id)));
    const [after] = await t.sql<{ turns: string }>(`SELECT last_value::text AS turns FROM ${teamTurnSequence('inbound')}`);
    expect(Number(after.turns) - Number(before.turns)).toBe(n);
    const assignments = await t.sql<{ entity: string; times: number }>(
      `SELECT entity_id AS entity, count(*)::int AS times FROM audit_log WHERE action = 'lead.assigned' AND entity_id IN
         (SELECT id::text FROM lead WHERE external_id LIKE 'rr-%') GROUP BY entity_id`,
    );
    expect(assignments).toHaveLength(n);
    expect(assignments.every((row) => row.times === 1)).toBe(true);
  });

  it('never reassigns a lead that has an owner, and skips inactive targets', async () => {
    const leadId = await createLead('owned-first');
    ok(await t.gql(ASSIGN, { leadId, ownerId: germany.id }));
    await qualify('owned-first');
    expect(await ownerOf('owned-first')).toBe(germany.id);

    // More activity of a routed lead (still qualified) routes nothing again.
    const routed = await ownerOf('route-other');
    await qualify('route-other', 'again');
    expect(await ownerOf('route-other')).toBe(routed);

    // The German owner deactivated: its rule is skipped, the next one that matches routes the lead.
    ok(await t.gql(`mutation($id: ID!) { deactivateOwner(id: $id) { active } }`, { id: germany.id }));
    await createLead('route-de-2', { attributes: { ...FIT_A, country: 'DE' } });
    await qualify('route-de-2');
    expect(inbound.map((owner) => owner.id)).toContain(await ownerOf('route-de-2'));
    ok(await t.gql(`mutation($id: ID!) { updateOwner(id: $id, input: { active: true }) { active } }`, { id: germany.id }));
  });

  it('leaves leads unowned when no rule matches', async () => {
    ok(await t.gql(SET_RULES, { rules: [{ name: 'Segment smb only', segment: 'smb', team: 'inbound' }] }));
    await createLead('no-match');
    await qualify('no-match');
    expect(await ownerOf('no-match')).toBeNull();
    ok(await t.gql(SET_RULES, { rules: RULES() }));
  });
});
