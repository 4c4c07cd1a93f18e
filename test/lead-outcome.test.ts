import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../server/src/auth/principal';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';

const SET_OUTCOME = `mutation($input: SetLeadOutcomeInput!) {
  setLeadOutcome(input: $input) { externalId outcome outcomeAt dealValue }
}`;

interface Outcome {
  setLeadOutcome: { externalId: string; outcome: string; outcomeAt: string | null; dealValue: string | null };
}

let t: TestApp;
let createdAt: Date;

async function setOutcome(input: Record<string, unknown>, principal?: Principal | null): Promise<GqlResult<Outcome>> {
  return principal === undefined ? t.gql<Outcome>(SET_OUTCOME, { input }) : t.gqlAs<Outcome>(principal, SET_OUTCOME, { input });
}

async function stored(externalId: string) {
  const [row] = await t.sql<{ outcome: string; outcome_at: Date | null; deal_value: string | null }>(
    'SELECT outcome, outcome_at, deal_value::text FROM lead WHERE external_id = $1',
    [externalId],
  );
  return row;
}

beforeAll(async () => {
  t = await createTestApp();
  await t.gql('mutation { upsertLead(input: { externalId: "won-1" }) { id } }');
  await t.gql('mutation { upsertLead(input: { externalId: "lost-1" }) { id } }');
  const [row] = await t.sql<{ created_at: Date }>(`SELECT created_at FROM lead WHERE external_id = 'won-1'`);
  createdAt = new Date(row.created_at);
});

afterAll(async () => {
  await t?.close();
});

describe('setLeadOutcome', () => {
  it('records a conversion with its time and deal value, and audits it', async () => {
    const at = new Date(createdAt.getTime() + 1000).toISOString();
    const result = await setOutcome({ externalId: 'won-1', outcome: 'CONVERTED', at, dealValue: 1250.5 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.setLeadOutcome).toEqual({ externalId: 'won-1', outcome: 'CONVERTED', outcomeAt: at, dealValue: '1250.50' });
    const [audit] = await t.sql<{ action: string; actor: string; after: Record<string, unknown> }>(
      `SELECT action, actor, after FROM audit_log WHERE entity_type = 'lead' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toMatchObject({
      action: 'lead.outcome_set',
      actor: 'user:admin@test.local',
      after: { outcome: 'converted', dealValue: '1250.50' },
    });
  });

  it('defaults the time to now; a lost lead has no deal value', async () => {
    const before = Date.now();
    const result = await setOutcome({ externalId: 'lost-1', outcome: 'LOST' });
    expect(result.data?.setLeadOutcome).toMatchObject({ outcome: 'LOST', dealValue: null });
    const outcomeAt = Date.parse(result.data?.setLeadOutcome.outcomeAt ?? '');
    expect(outcomeAt).toBeGreaterThanOrEqual(before - 1000);
    expect(outcomeAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('reopening clears the time and the deal value', async () => {
    await setOutcome({ externalId: 'lost-1', outcome: 'CONVERTED', dealValue: 10 });
    const result = await setOutcome({ externalId: 'lost-1', outcome: 'OPEN' });
    expect(result.data?.setLeadOutcome).toEqual({ externalId: 'lost-1', outcome: 'OPEN', outcomeAt: null, dealValue: null });
  });

  it.each([
    [{ outcome: 'LOST', dealValue: 100 }, 'input.dealValue', 'only a converted lead has a deal value'],
    [{ outcome: 'CONVERTED', dealValue: -1 }, 'input.dealValue', 'must be 0 or more'],
    [{ outcome: 'CONVERTED', dealValue: 1.005 }, 'input.dealValue', 'at most 2 decimal places'],
    [{ outcome: 'CONVERTED', at: '2999-01-01T00:00:00Z' }, 'input.at', 'is in the future'],
    [{ outcome: 'CONVERTED', at: '2001-01-01T00:00:00Z' }, 'input.at', 'is before the lead was created'],
    [{ outcome: 'OPEN', at: '2026-01-01T00:00:00Z' }, 'input.at', 'an open lead has no outcome date'],
  ])('refuses %j, naming %s, and writes nothing', async (input, path, message) => {
    const before = await stored('won-1');
    const result = await setOutcome({ externalId: 'won-1', ...input });
    expect(result.data).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_OUTCOME',
      problems: [{ path, message: expect.stringContaining(message) }],
    });
    expect(await stored('won-1')).toEqual(before);
  });

  it('names every wrong field at once', async () => {
    const result = await setOutcome({ externalId: ' ', outcome: 'LOST', dealValue: 5, at: '2999-01-01T00:00:00Z' });
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.path)).toEqual(['input.externalId', 'input.at', 'input.dealValue']);
  });

  it('an unknown lead is NOT_FOUND', async () => {
    const result = await setOutcome({ externalId: 'nobody', outcome: 'LOST' });
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'NOT_FOUND',
      problems: [{ path: 'input.externalId', message: 'no such lead' }],
    });
  });

  it('needs admin or an API key with leads:write', async () => {
    const viewer: Principal = { kind: 'user', userId: '999', email: 'v@test.local', name: 'Viewer', role: 'viewer' };
    expect((await setOutcome({ externalId: 'won-1', outcome: 'LOST' }, viewer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const key: Principal = { kind: 'apiKey', keyId: '1', name: 'crm-sync', scopes: ['leads:write'] };
    const result = await setOutcome({ externalId: 'won-1', outcome: 'LOST' }, key);
    expect(result.data?.setLeadOutcome.outcome).toBe('LOST');
  });
});
