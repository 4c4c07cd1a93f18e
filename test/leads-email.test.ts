import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lead, LEAD, leadHelpers, ok, onlyError } from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { upsert } = leadHelpers(() => t);

const BY_EMAIL = `query($email: String) { lead(email: $email) { ${LEAD} } }`;

describe('lead(email:)', () => {
  it('finds a lead by its email, whatever the case of either', async () => {
    const created = await upsert({ externalId: 'mail-1', email: 'Dana.Scully@FBI.gov', attributes: { industry: 'insurance' } });
    for (const email of ['dana.scully@fbi.gov', 'DANA.SCULLY@FBI.GOV', 'Dana.Scully@Fbi.Gov']) {
      expect(ok(await t.gql<{ lead: Lead }>(BY_EMAIL, { email })).lead).toEqual(created);
    }
  });

  it('an email stored with capitals (written before emails were lower-cased) is found too', async () => {
    const created = await upsert({ externalId: 'mail-legacy', email: 'fox@fbi.gov' });
    await t.sql(`UPDATE lead SET email = 'Fox.Mulder@FBI.gov' WHERE external_id = 'mail-legacy'`);
    const found = ok(await t.gql<{ lead: Lead }>(BY_EMAIL, { email: 'fox.mulder@fbi.gov' })).lead;
    expect(found.id).toBe(created.id);
  });

  it('is exact: a prefix or another address is null, not a match', async () => {
    await upsert({ externalId: 'mail-2', email: 'walter@fbi.gov' });
    for (const email of ['walter@fbi.go', 'walte@fbi.gov', 'xwalter@fbi.gov']) {
      const result = await t.gql<{ lead: Lead | null }>(BY_EMAIL, { email });
      expect(result.errors).toBeUndefined();
      expect(result.data?.lead).toBeNull();
    }
  });

  it('a missing lead is null by id, externalId and email (GraphQL convention), not an error', async () => {
    for (const [query, variables] of [
      [`query($v: ID) { lead(id: $v) { id } }`, { v: '999999999' }],
      [`query($v: ID) { lead(id: $v) { id } }`, { v: 'not-a-number' }],
      [`query($v: String) { lead(externalId: $v) { id } }`, { v: 'no-such-lead' }],
      [`query($v: String) { lead(email: $v) { id } }`, { v: 'nobody@nowhere.io' }],
    ] as const) {
      const result = await t.gql<{ lead: Lead | null }>(query, variables);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ lead: null });
    }
  });

  it('an email several leads share is a CONFLICT naming them', async () => {
    await upsert({ externalId: 'shared-1', email: 'team@globex.com' });
    await upsert({ externalId: 'shared-2', email: 'TEAM@globex.com' });
    const error = onlyError(await t.gql(BY_EMAIL, { email: 'team@globex.com' }));
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.extensions?.reason).toBe('AMBIGUOUS_EMAIL');
    expect(error.message).toContain('shared-1');
    expect(error.message).toContain('shared-2');
  });

  it('not an email, or giving email with id or externalId, is BAD_USER_INPUT', async () => {
    const bad = onlyError(await t.gql(BY_EMAIL, { email: 'not an email' }));
    expect(bad.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.extensions?.problems?.map((problem) => problem.path)).toEqual(['email']);
    const both = onlyError(await t.gql(`{ lead(externalId: "mail-1", email: "dana.scully@fbi.gov") { id } }`));
    expect(both.extensions?.code).toBe('BAD_USER_INPUT');
    expect(both.message).toMatch(/exactly one of id, externalId or email/);
  });

  it('concurrent lookups by email, id and externalId each get their own lead', async () => {
    const created: Lead[] = [];
    for (let n = 0; n < 6; n++) created.push(await upsert({ externalId: `mail-c${n}`, email: `c${n}@initech.com` }));
    const found = await Promise.all(
      created.flatMap((lead) => [
        t.gql<{ lead: Lead }>(BY_EMAIL, { email: lead.email?.toUpperCase() }),
        t.gql<{ lead: Lead }>(`query($v: ID) { lead(id: $v) { ${LEAD} } }`, { v: lead.id }),
      ]),
    );
    expect(found.map((result) => ok(result).lead.id)).toEqual(created.flatMap((lead) => [lead.id, lead.id]));
  });
});
