import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadHelpers, type Lead, LEAD, ok, onlyError } from './support/leads';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});
const { upsert } = leadHelpers(() => t);

describe('lead query', () => {
  it('finds a lead by id and by externalId', async () => {
    const created = await upsert({ externalId: 'find-1', attributes: { industry: 'insurance' } });
    const byId = ok(await t.gql<{ lead: Lead }>(`query($id: ID) { lead(id: $id) { ${LEAD} } }`, { id: created.id })).lead;
    const byExternalId = ok(await t.gql<{ lead: Lead }>(`query($x: String) { lead(externalId: $x) { ${LEAD} } }`, { x: 'find-1' })).lead;
    expect(byId).toEqual(created);
    expect(byExternalId).toEqual(created);
  });

  it('giving both id and externalId, or neither, is BAD_USER_INPUT', async () => {
    const created = await upsert({ externalId: 'find-2' });
    const both = onlyError(
      await t.gql(`query($id: ID, $x: String) { lead(id: $id, externalId: $x) { id } }`, { id: created.id, x: 'find-2' }),
    );
    expect(both.extensions?.code).toBe('BAD_USER_INPUT');
    const neither = onlyError(await t.gql(`{ lead { id } }`));
    expect(neither.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('concurrent reads (batched into shared queries) each get their own lead, or null', async () => {
    const industries = ['software', 'insurance', 'retail', 'education', 'healthcare', 'manufacturing'];
    const created: Lead[] = [];
    for (let n = 0; n < 12; n++) {
      created.push(
        await upsert({
          externalId: `concurrent-${n}`,
          email: `c${n}@acme.io`,
          attributes: { industry: industries[n % industries.length], companySize: 10 * (n + 1) },
        }),
      );
    }
    const reversed = [...created].reverse();
    const [byExternalId, byId, unknown] = await Promise.all([
      Promise.all(
        reversed.map((lead) => t.gql<{ lead: Lead }>(`query($x: String) { lead(externalId: $x) { ${LEAD} } }`, { x: lead.externalId })),
      ),
      Promise.all(created.map((lead) => t.gql<{ lead: Lead }>(`query($id: ID) { lead(id: $id) { ${LEAD} } }`, { id: lead.id }))),
      Promise.all(['concurrent-none-1', 'concurrent-none-2'].map((x) => t.gql(`query($x: String) { lead(externalId: $x) { id } }`, { x }))),
    ]);
    expect(byExternalId.map((result) => ok(result).lead)).toEqual(reversed);
    expect(byId.map((result) => ok(result).lead)).toEqual(created);
    for (const result of unknown) expect(ok(result).lead).toBeNull();
  });

  it('an unknown lead is null (GraphQL convention), by externalId and by id', async () => {
    expect(ok(await t.gql(`{ lead(externalId: "no-such-lead-42") { id } }`))).toEqual({ lead: null });
    expect(ok(await t.gql(`{ lead(id: "999999999") { id } }`))).toEqual({ lead: null });
  });
});
