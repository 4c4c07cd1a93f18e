import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enumerateCandidates } from '../server/src/backtests/candidates';
import type { CohortSnapshot } from '../server/src/backtests/cohort-snapshot';
import { createSnapshotFacts } from '../server/src/backtests/snapshot-facts';
import { REPO_ROOT } from '../server/src/common/paths';
import { buildFactsQuery, daysInactive, factsFromRow, type FactsRow } from '../server/src/engine/facts';
import type { Facts } from '../server/src/engine/rule-engine';
import type { ActivityFact, RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { ok } from './support/scores';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * Backtests with types defined in the activity catalog: the cohort snapshot stores each type by
 * its catalog code (never 0 for a known type), and facts computed from the snapshot equal the
 * facts engine/facts.ts computes in SQL for the same leads, whatever mix of built-in, defined and
 * unknown types they did (seeded random leads and activities).
 */

const DEFAULT = JSON.parse(readFileSync(path.join(REPO_ROOT, 'rules/default-b2b.json'), 'utf8')) as RuleSetDefinition;
const fact = (f: Omit<ActivityFact, 'source' | 'label'>): ActivityFact => ({ ...f, source: 'activity', label: f.name });
const DEFINITION: RuleSetDefinition = {
  ...DEFAULT,
  facts: [
    ...DEFAULT.facts,
    fact({ name: 'featureUses', type: 'number', aggregate: 'count', activityTypes: ['feature_used'] }),
    fact({ name: 'featureUses7d', type: 'number', aggregate: 'count', activityTypes: ['feature_used'], windowDays: 7 }),
    fact({ name: 'signedUp', type: 'boolean', aggregate: 'exists', activityTypes: ['product_signup'] }),
    fact({ name: 'daysSinceProductUse', type: 'number', aggregate: 'daysSinceLast', activityTypes: ['feature_used', 'product_signup'] }),
    fact({ name: 'featureMinutes', type: 'number', aggregate: 'sum', activityTypes: ['feature_used'], property: 'minutes' }),
    fact({ name: 'exports', type: 'number', aggregate: 'count', activityTypes: ['feature_used'], where: { feature: 'export' } }),
    fact({ name: 'mixed30d', type: 'number', aggregate: 'count', activityTypes: ['page_view', 'feature_used'], windowDays: 30 }),
    fact({ name: 'everything', type: 'number', aggregate: 'count' }),
  ],
};
const TYPES = ['page_view', 'demo_request', 'feature_used', 'product_signup', 'retired_thing', 'never_defined'];
const PROPERTIES: object[] = [{}, { feature: 'export', minutes: 3 }, { feature: 'dashboards', minutes: 12.5 }, { minutes: 'x' }];
const CUTOFF = '2025-03-01T12:00:00.000Z';

let t: TestApp;
let snapshot: CohortSnapshot;

beforeAll(async () => {
  t = await createTestApp();
  const define = `mutation($input: DefineActivityTypeInput!) { defineActivityType(input: $input) { code } }`;
  for (const name of ['feature_used', 'product_signup', 'retired_thing'])
    ok(await t.gql(define, { input: { name, label: name, openProperties: true } }));
  ok(await t.gql(`mutation { retireActivityType(name: "retired_thing") { retiredAt } }`));
  const leads = fc.sample(
    fc.record({
      createdDaysBefore: fc.integer({ min: 1, max: 80 }),
      activities: fc.array(
        fc.record({
          type: fc.constantFrom(...TYPES),
          ms: fc.integer({ min: -5 * 86_400_000, max: 60 * 86_400_000 }),
          p: fc.nat({ max: PROPERTIES.length - 1 }),
        }),
        { maxLength: 12 },
      ),
    }),
    { seed: 151515, numRuns: 60 },
  );
  for (const [n, lead] of leads.entries()) {
    // Rows written directly: old data may hold types the catalog never knew (never_defined).
    const [{ id }] = await t.sql<{ id: string }>(
      `INSERT INTO lead (external_id, email, created_at, attributes) VALUES ($1, $2, $3::timestamptz, '{}') RETURNING id::text AS id`,
      [`bt-${n}`, `bt-${n}@acme.io`, new Date(Date.parse(CUTOFF) - lead.createdDaysBefore * 86_400_000).toISOString()],
    );
    const rows = lead.activities.map((a, k) => ({
      type: a.type,
      at: new Date(Date.parse(CUTOFF) - a.ms).toISOString(),
      key: `bt-${n}-${k}`,
      properties: PROPERTIES[a.p],
    }));
    await t.sql(
      `INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
       SELECT $1::bigint, r.type, r.at, r.key, r.properties FROM jsonb_to_recordset($2::jsonb) AS r(type text, at timestamptz, key text, properties jsonb)`,
      [id, JSON.stringify(rows)],
    );
  }
  const cohort = await t.app.services.backtests.prepareCohort(
    {
      createdFrom: '2024-12-01T00:00:00.000Z',
      createdTo: '2025-03-01T00:00:00.000Z',
      source: null,
      segment: null,
      attributes: [],
      cutoff: { kind: 'fixed', at: CUTOFF },
    },
    'user:test',
  );
  snapshot = await t.app.services.backtests.loadSnapshot(cohort);
});
afterAll(async () => {
  await t?.close();
});

async function sqlFacts(): Promise<Array<{ facts: Facts; daysInactive: number }>> {
  const query = buildFactsQuery(DEFINITION);
  const asOf = new Date(CUTOFF);
  const rows: FactsRow[] = await t.sql(query.sql, query.params(asOf, snapshot.leadIds));
  const byId = new Map(rows.map((row) => [row.lead_id, row]));
  return snapshot.leadIds.map((id) => {
    const row = byId.get(id) as FactsRow;
    return { facts: factsFromRow(DEFINITION, row, asOf), daysInactive: daysInactive(row, asOf) };
  });
}

describe('backtests over types defined in the activity catalog', () => {
  it('store every catalog type by its own code; only types the catalog never knew are 0', async () => {
    expect(snapshot.size).toBe(60);
    expect(snapshot.activityTypeNames.slice(19, 22)).toEqual(['feature_used', 'product_signup', 'retired_thing']);
    const [expected] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM activity WHERE type = 'never_defined' AND occurred_at <= $1::timestamptz`,
      [CUTOFF],
    );
    const codes = Array.from(snapshot.activityTypes);
    expect(codes.filter((code) => code === 0)).toHaveLength(expected.n);
    for (const name of ['feature_used', 'product_signup', 'retired_thing', 'page_view'])
      expect(codes.filter((code) => snapshot.activityTypeNames[code] === name).length, name).toBeGreaterThan(0);
  });

  it('compute the same facts from the snapshot as in SQL, lead by lead', async () => {
    const expected = await sqlFacts();
    const facts = createSnapshotFacts(DEFINITION, snapshot);
    for (let i = 0; i < snapshot.size; i++)
      expect({ lead: snapshot.externalIds[i], facts: facts.factsOf(i), daysInactive: facts.daysInactiveOf(i) }).toEqual({
        lead: snapshot.externalIds[i],
        ...expected[i],
      });
    expect(expected.some((lead) => (lead.facts.featureUses as number) > 0 && lead.facts.signedUp === true)).toBe(true);
  });

  it('propose candidate rules on defined types too', () => {
    const rows = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
    const candidates = enumerateCandidates(DEFAULT, snapshot, rows, new Map(), { minSupport: 1 });
    const types = new Set(candidates.flatMap((c) => c.facts.flatMap((f) => (f.source === 'activity' ? (f.activityTypes ?? []) : []))));
    expect(types).toContain('feature_used');
    expect(types).toContain('product_signup');
  });
});
