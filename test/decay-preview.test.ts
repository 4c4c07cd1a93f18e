import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { decayHelpers, causes, points, type Preview, PREVIEW, snapshotOf } from './support/decay';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let t0: number;
beforeAll(async () => {
  t = await createTestApp();
  t0 = Date.now();
  await seedDecayLeads();
  // The state the pass tests leave: the scheduler's pass has run up to day 401.
  await runDecayPass(asOfDays(401));
});
afterAll(async () => {
  await t?.close();
});
const { seedDecayLeads, upsert, lead, runDecayPass, preview, previewWritingNothing, leadRows, asOfDays } = decayHelpers(
  () => t,
  () => t0,
);

describe('decayPreview', () => {
  const rising = ['decay-rising-1', 'decay-rising-2'];
  let asOf: string;

  beforeAll(async () => {
    asOf = asOfDays(410);
    // A lead whose score goes up by a date: a demo request dated a day before it, written straight
    // into the table (the API refuses future activities). By then the pass would qualify it and,
    // with an active endpoint, write a lead.qualified event to the webhook outbox.
    for (const externalId of rising) {
      await upsert(externalId);
      await t.sql(
        `INSERT INTO activity (lead_id, type, occurred_at, idempotency_key) SELECT id, 'demo_request', $2, $3 FROM lead WHERE external_id = $1`,
        [externalId, asOfDays(409), `${externalId}-future-demo`],
      );
    }
    await t.sql(
      `INSERT INTO webhook_endpoint (name, url, secret, events, created_by) VALUES ('preview', 'https://hooks.example.com/x', 'secret', '{lead.qualified}', 'test')`,
    );
  });

  it('shows the leads that would become qualified, writes no score, history or outbox event, and the real pass then does', async () => {
    const page = await previewWritingNothing(asOf);
    expect(page.changes.map((change) => change.lead?.externalId)).toEqual(rising);
    for (const change of page.changes) {
      expect(change.current?.qualified).toBe(false);
      expect(change.projected.qualified).toBe(true);
      expect(change.projected.engagement).toBe(points('eng-requested-demo'));
    }
    expect(page.summary).toMatchObject({ leadsScored: await leadRows(), leadsChanged: 2, leavingQualified: 0, enteringQualified: 2 });
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(await t.sql('SELECT * FROM outbox_event')).toEqual([]);

    // The same date through the real pass (its clock at that date) writes what the preview did not.
    await runDecayPass(asOf);
    const events = await t.sql<{ type: string; lead_id: string }>(
      'SELECT type, lead_id::text AS lead_id FROM outbox_event ORDER BY lead_id',
    );
    expect(events.map((event) => event.type)).toEqual(['lead.qualified', 'lead.qualified']);
    expect(events.map((event) => event.lead_id)).toEqual(page.changes.map((change) => change.leadId));
    for (const change of page.changes) {
      const stored = await lead(change.lead!.externalId);
      expect(change.projected).toMatchObject(snapshotOf(stored.score));
      expect(causes(stored)[0]).toBe('decay');
    }
  });

  it('pages by `first` changes; each page summarises the leads it examined and the pages add up to the whole', async () => {
    const later = asOfDays(600); // both rising leads lose their demo request again
    const first = await previewWritingNothing(later, 1);
    expect(first.changes.map((change) => change.lead?.externalId)).toEqual([rising[0]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await previewWritingNothing(later, 1, first.pageInfo.endCursor!);
    expect(second.changes.map((change) => change.lead?.externalId)).toEqual([rising[1]]);
    const pages = [first, second];
    let last = second;
    while (last.pageInfo.hasNextPage) {
      last = await previewWritingNothing(later, 1, last.pageInfo.endCursor!);
      pages.push(last);
    }
    expect(pages.reduce((sum, page) => sum + page.summary.leadsScored, 0)).toBe(await leadRows());
    const whole = await previewWritingNothing(later, 100);
    expect(whole.summary.leadsChanged).toBe(pages.reduce((sum, page) => sum + page.summary.leadsChanged, 0));
    expect(whole.summary.leavingQualified).toBe(2);
    expect(first.summary.leavingQualified + second.summary.leavingQualified).toBe(2);
  });

  it('refuses a cursor of another asOf, a made-up cursor and a page size out of range, naming the argument', async () => {
    const page = await preview(asOf, 1);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ asOf: asOfDays(411), after: page.pageInfo.endCursor }, 'after'],
      [{ asOf, after: 'bm90LWEtY3Vyc29y' }, 'after'],
      [{ asOf, first: 0 }, 'first'],
      [{ asOf, first: 201 }, 'first'],
    ];
    for (const [variables, path] of cases) {
      const result = await t.gql(
        `query($asOf: DateTimeISO!, $first: Int, $after: String) { decayPreview(asOf: $asOf, first: $first, after: $after) { asOf } }`,
        variables,
      );
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].extensions?.problems).toEqual([{ path, message: expect.any(String) }]);
    }
  });

  it('is readable by every role and by API keys with scores:read, not by a key without it', async () => {
    const viewer: UserPrincipal = { kind: 'user', userId: t.admin.userId, email: 'viewer@test.local', name: 'Viewer', role: 'viewer' };
    expect((await t.gqlAs<{ decayPreview: Preview }>(viewer, PREVIEW, { asOf })).errors).toBeUndefined();
    expect(
      (await t.gqlAs({ kind: 'apiKey', keyId: '1', name: 'reader', scopes: ['scores:read'] }, PREVIEW, { asOf })).errors,
    ).toBeUndefined();
    const writer = await t.gqlAs({ kind: 'apiKey', keyId: '2', name: 'writer', scopes: ['leads:write'] }, PREVIEW, { asOf });
    expect(writer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
