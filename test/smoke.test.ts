import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('smoke', () => {
  it('upserts a lead and records an activity', async () => {
    const created = await t.gql<{ upsertLead: { id: string; score: { total: number; cell: string } } }>(
      `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id score { total cell fit engagement reasons { rule points } } } }`,
      { input: { externalId: 'x-1', email: 'ana@acme.io', attributes: { industry: 'software', companySize: 800, seniority: 'vp' } } },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.upsertLead.score.cell).toMatch(/^[A-D][1-4]$/);
    const recorded = await t.gql<{ recordActivity: { duplicate: boolean; score: { engagement: number } } }>(
      `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate score { engagement } } }`,
      { input: { leadExternalId: 'x-1', type: 'DEMO_REQUEST', occurredAt: new Date().toISOString(), idempotencyKey: 'k1' } },
    );
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data?.recordActivity.score.engagement).toBeGreaterThan(0);
  });
});
