import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * The audit log filtered on the server by rule set (the rule set itself and its versions) and by a
 * period, through GraphQL; filters that cannot mean anything are refused with sentences.
 */

const AUDIT = `query($filter: AuditFilter) { auditLog(filter: $filter, first: 100) { edges { node { summary } } } }`;

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  const [ruleSet] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM rule_set WHERE key = 'default-b2b'`);
  const [version] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM rule_set_version WHERE rule_set_id = $1 LIMIT 1`, [ruleSet.id]);
  const rows: Array<[string, string, string, string]> = [
    ['rule_set', ruleSet.id, 'segments of default-b2b', '2026-03-01T10:00:00Z'],
    ['rule_set_version', version.id, 'a version of default-b2b', '2026-03-05T10:00:00Z'],
    ['rule_set_version', '987654321', 'a version of another rule set', '2026-03-05T11:00:00Z'],
    ['lead', ruleSet.id, 'a lead whose id is that of the rule set', '2026-03-10T10:00:00Z'],
  ];
  for (const [entityType, entityId, summary, at] of rows)
    await t.sql(
      `INSERT INTO audit_log (actor, action, entity_type, entity_id, summary, at) VALUES ('system', 'test.seeded', $1, $2, $3, $4)`,
      [entityType, entityId, summary, at],
    );
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function summaries(filter: Record<string, unknown>): Promise<string[]> {
  const result = await t.gql<{ auditLog: { edges: Array<{ node: { summary: string } }> } }>(AUDIT, {
    filter: { action: 'test.seeded', ...filter },
  });
  expect(result.errors).toBeUndefined();
  return (result.data?.auditLog.edges ?? []).map((edge) => edge.node.summary);
}

describe('auditLog filter', () => {
  it('by rule set key: the rule set and its versions, not other rule sets or other entities', async () => {
    expect(await summaries({ ruleSetKey: 'default-b2b' })).toEqual(['a version of default-b2b', 'segments of default-b2b']);
    expect(await summaries({ ruleSetKey: 'no-such-rule-set' })).toEqual([]);
  });

  it('by period: from included, to not included', async () => {
    expect(await summaries({ from: '2026-03-05T10:00:00Z', to: '2026-03-10T10:00:00Z' })).toEqual([
      'a version of another rule set',
      'a version of default-b2b',
    ]);
    expect(await summaries({ from: '2026-03-06T00:00:00Z' })).toEqual(['a lead whose id is that of the rule set']);
    expect(await summaries({ to: '2026-03-02T00:00:00Z' })).toEqual(['segments of default-b2b']);
  });

  it('rule set and period together', async () => {
    expect(await summaries({ ruleSetKey: 'default-b2b', from: '2026-03-02T00:00:00Z' })).toEqual(['a version of default-b2b']);
  });

  it('refuses a reversed period and a blank rule set key with sentences', async () => {
    const reversed = await t.gql(AUDIT, { filter: { from: '2026-03-10T00:00:00Z', to: '2026-03-01T00:00:00Z' } });
    expect(reversed.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_AUDIT_QUERY',
      problems: [{ path: 'filter.to', message: 'The end of the period must come after its start' }],
    });
    const blank = await t.gql(AUDIT, { filter: { ruleSetKey: ' ' } });
    expect(blank.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_AUDIT_QUERY',
      problems: [{ path: 'filter.ruleSetKey', message: 'The rule set key must be between 1 and 200 characters' }],
    });
  });

  it('refuses a date that is not one', async () => {
    const result = await t.gql(AUDIT, { filter: { from: 'yesterday' } });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
