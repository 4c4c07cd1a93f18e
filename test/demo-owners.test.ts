import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DEMO_TEAM, seedDemoOwners } from '../server/src/demo/demo-owners';
import { seedDemoData } from '../server/src/demo/seed-demo';
import { ok } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';

/* `npm run demo`: the sales demo user has leads of their own and a routing rule keeps giving them more. */

let t: TestApp;
let sales: UserPrincipal;
beforeAll(async () => {
  t = await createTestApp();
  // The test database has its admin already, so ensureDemoUsers would add nobody: the sales demo user by hand.
  await t.app.services.auth.createUser({ email: 'sales@demo.local', name: 'Sam Sales', role: 'sales', password: 'demo-password' });
  await seedDemoData(t.app, { leads: 400, now: new Date('2026-06-01T12:00:00Z') });
  const [user] = await t.sql<{ id: string; name: string }>(`SELECT id::text AS id, name FROM app_user WHERE email = 'sales@demo.local'`);
  sales = { kind: 'user', userId: user.id, email: 'sales@demo.local', name: user.name, role: 'sales' };
});
afterAll(async () => {
  await t?.close();
});

const MY_LEADS = `{ leads(first: 200, filter: { mine: true }) { totalCount edges { node { id owner { name team kind } score { qualified action } } } } }`;

describe('demo owners', () => {
  it('gives the sales user a share of the open qualified leads, once', async () => {
    const seeded = await seedDemoOwners(t.app);
    expect(seeded?.owners).toBe(2);
    expect(seeded?.assigned).toBeGreaterThan(1);

    const { leads } = ok(
      await t.gqlAs<{
        leads: {
          totalCount: number;
          edges: Array<{ node: { owner: { name: string; team: string; kind: string }; score: { qualified: boolean; action: string } } }>;
        };
      }>(sales, MY_LEADS),
    );
    expect(leads.totalCount).toBe(Math.ceil((seeded?.assigned ?? 0) / 2));
    for (const { node } of leads.edges) {
      expect(node.owner).toMatchObject({ kind: 'USER', team: DEMO_TEAM });
      expect(node.score.qualified || node.score.action === 'send_to_sales').toBe(true);
    }
    const rules = ok(await t.gql<{ routingRules: Array<{ team: string }> }>('{ routingRules { team } }'));
    expect(rules.routingRules).toEqual([{ team: DEMO_TEAM }]);
    expect(await seedDemoOwners(t.app)).toBeNull();
  });
});
