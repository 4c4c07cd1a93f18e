/**
 * Bad input over HTTP (test/support/bad-input.ts): whatever a client sends, the answer is a clear
 * 4xx (or a GraphQL error with a clear code), never a 5xx, a stack trace or SQL text, and nothing is
 * written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/test-app';
import { createBadInputKit, gql, refused, BAD_INPUT, MISSING } from './support/bad-input';

let t: TestApp;
let expiredKey: { secret: string; prefix: string };
let revokedKey: { secret: string; prefix: string };
let activeVersionId: string;
let activeDefinition: Record<string, unknown>;

beforeAll(async () => {
  ({ t, expiredKey, revokedKey, activeVersionId, activeDefinition } = await createBadInputKit());
});
afterAll(async () => {
  await t?.close();
});

describe('invalid rule sets', () => {
  function broken(): Record<string, unknown> {
    const definition = structuredClone(activeDefinition) as {
      grades: Record<string, number>;
      rules: Array<{ conditions: unknown; event: { params: Record<string, unknown> } }>;
    };
    definition.grades = { A: 20, B: 40, C: 60 }; // out of order
    definition.rules[0].conditions = { all: [{ fact: 'shoeSize', operator: 'greaterThan', value: 42 }] }; // unknown fact
    definition.rules[1].event.params.points = 'ten'; // wrong type
    return definition as unknown as Record<string, unknown>;
  }

  it('createDraft with an invalid definition: BAD_USER_INPUT naming each problem under input.definition', async () => {
    const error = await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: broken() },
        }),
      { codes: BAD_INPUT },
    );
    const paths = (error.extensions?.problems ?? []).map((problem) => problem.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const problemPath of paths) expect(problemPath).toMatch(/^input\.definition(\.|$)/);
    expect(error.extensions?.reason).toBe('INVALID_RULE_SET');
  });

  it('saveDraft with an invalid definition: BAD_USER_INPUT with paths, nothing saved', async () => {
    const error = await refused(
      () =>
        gql('mutation($input: SaveDraftInput!) { saveDraft(input: $input) { id } }', {
          input: { versionId: activeVersionId, expectedRevision: 1, definition: broken() },
        }),
      { codes: BAD_INPUT },
    );
    const paths = (error.extensions?.problems ?? []).map((problem) => problem.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const problemPath of paths) expect(problemPath).toMatch(/^input\.definition(\.|$)/);
  });

  it('a definition that is not a rule set at all, and one for another key', async () => {
    await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: { hello: 'world' } },
        }),
      {
        codes: BAD_INPUT,
      },
    );
    await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: { ...activeDefinition, key: 'someone-else' } },
        }),
      { codes: BAD_INPUT, problems: ['input.definition.key'] },
    );
    await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: [1, 2] },
        }),
      {
        codes: BAD_INPUT,
        message: /JSONObject|object/,
      },
    );
  });
});

describe('unknown ids', () => {
  // A missing lead is null (GraphQL convention), whatever the id looks like.
  it.each([
    ['lead id 999999', '{ lead(id: "999999") { id } }'],
    ['lead id "abc"', '{ lead(id: "abc") { id } }'],
    ['lead id beyond bigint', '{ lead(id: "99999999999999999999") { id } }'],
    ['unknown lead externalId', '{ lead(externalId: "nobody") { id } }'],
  ])('query: %s -> null', async (_name, query) => {
    const reply = await gql(query);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: { lead: null } });
  });

  it.each([
    ['rule set version id "abc"', '{ ruleSetVersion(id: "abc") { id } }'],
    ['rule set version id 999999', '{ ruleSetVersion(id: "999999") { id } }'],
    ['rescore job 12345', '{ rescoreJob(id: "12345") { id } }'],
    ['rescore job "abc"', '{ rescoreJob(id: "abc") { id } }'],
    ['unknown rule set key', '{ ruleSet(key: "no-such-rules") { id } }'],
    ['diff from version "abc"', '{ ruleSetDiff(fromVersionId: "abc", toVersionId: "1") { identical } }'],
    ['reviews of version "abc"', '{ ruleSetReviews(versionId: "abc") { id } }'],
    ['simulate on lead 999999', '{ simulateRuleSet(input: { leadId: "999999" }) { candidate { score { total } } } }'],
    ['webhook deliveries of endpoint "abc"', '{ webhookDeliveries(endpointId: "abc") { edges { cursor } } }'],
    ['a cursor that is not one', '{ leads(after: "not-a-cursor") { totalCount } }'],
    [
      'an activity cursor with garbage inside',
      `{ lead(externalId: "bi-1") { activities(after: "${Buffer.from(JSON.stringify(['activity', 'not a date', 'x'])).toString('base64url')}") { totalCount } } }`,
    ],
    [
      'a score history cursor with garbage inside',
      `{ lead(externalId: "bi-1") { scoreHistory(after: "${Buffer.from(JSON.stringify(['history', 'x'])).toString('base64url')}") { edges { cursor } } } }`,
    ],
    [
      'a lead cursor with garbage inside',
      `{ leads(after: "${Buffer.from(JSON.stringify(['SCORE_DESC', 'x', 'y'])).toString('base64url')}") { totalCount } }`,
    ],
    [
      'a lead cursor (by creation) with garbage inside',
      `{ leads(orderBy: CREATED_DESC, after: "${Buffer.from(JSON.stringify(['CREATED_DESC', 7, {}])).toString('base64url')}") { totalCount } }`,
    ],
    [
      'an audit cursor with garbage inside',
      `{ auditLog(after: "${Buffer.from(JSON.stringify(['audit', 'x'])).toString('base64url')}") { edges { cursor } } }`,
    ],
    [
      'a webhook delivery cursor with garbage inside',
      `{ webhookDeliveries(after: "${Buffer.from(JSON.stringify(['delivery', '1e99'])).toString('base64url')}") { edges { cursor } } }`,
    ],
    ['simulate version "abc"', '{ simulateRuleSet(input: { versionId: "abc", facts: {} }) { candidate { score { total } } } }'],
    ['simulate lead "abc"', '{ simulateRuleSet(input: { leadId: "abc" }) { candidate { score { total } } } }'],
    ['diff to version "abc"', `{ ruleSetDiff(fromVersionId: "1", toVersionId: "abc") { identical } }`],
    ['an audit cursor that is not one', '{ auditLog(after: "nope") { edges { cursor } } }'],
  ])('query: %s -> NOT_FOUND or BAD_USER_INPUT', async (_name, query) => {
    await refused(() => gql(query), { codes: MISSING });
  });

  it.each([
    [
      'recordActivity for an unknown lead',
      'mutation { recordActivity(input: { leadExternalId: "nobody", type: PAGE_VIEW, occurredAt: "2025-01-01T00:00:00Z", idempotencyKey: "bi-ghost" }) { duplicate } }',
    ],
    ['revokeApiKey 999999', 'mutation { revokeApiKey(id: "999999") { id } }'],
    ['revokeApiKey "abc"', 'mutation { revokeApiKey(id: "abc") { id } }'],
    ['revokeApiKey beyond bigint', 'mutation { revokeApiKey(id: "99999999999999999999") { id } }'],
    ['publishVersion 999999', 'mutation { publishVersion(versionId: "999999") { version { id } } }'],
    ['publishVersion "abc"', 'mutation { publishVersion(versionId: "abc") { version { id } } }'],
    ['submitForReview "abc"', 'mutation { submitForReview(versionId: "abc") { id } }'],
    ['saveDraft of version 999999', 'mutation { saveDraft(input: { versionId: "999999", expectedRevision: 1, definition: {} }) { id } }'],
    ['createDraft copying version "abc"', 'mutation { createDraft(input: { ruleSetKey: "default-b2b", copyOfVersionId: "abc" }) { id } }'],
    ['createDraft of an unknown rule set', 'mutation { createDraft(input: { ruleSetKey: "no-such-rules", copyOfVersionId: "1" }) { id } }'],
    [
      'rollbackRuleSet to version 999999',
      'mutation { rollbackRuleSet(ruleSetKey: "default-b2b", toVersionId: "999999") { version { id } } }',
    ],
    ['archiveRuleSet of an unknown key', 'mutation { archiveRuleSet(key: "no-such-rules") { id } }'],
    ['setWebhookEndpointActive 999999', 'mutation { setWebhookEndpointActive(id: "999999", active: false) { id } }'],
    ['setWebhookEndpointActive beyond bigint', 'mutation { setWebhookEndpointActive(id: "99999999999999999999", active: false) { id } }'],
  ])('mutation: %s -> NOT_FOUND or BAD_USER_INPUT, nothing written', async (_name, query) => {
    await refused(() => gql(query), { codes: MISSING });
  });
});

describe('the same mutations with ids that exist', () => {
  it('setWebhookEndpointActive on a real endpoint answers it (on either database), and an unknown one writes no audit entry', async () => {
    const created = await gql(
      'mutation { createWebhookEndpoint(input: { name: "crm", url: "https://example.com/hook", events: ["lead.qualified"] }) { endpoint { id } } }',
    );
    const id = (created.json!.data!.createWebhookEndpoint as { endpoint: { id: string } }).endpoint.id;
    const toggled = await gql('mutation($id: ID!) { setWebhookEndpointActive(id: $id, active: false) { id active } }', { id });
    expect(toggled.json).toEqual({ data: { setWebhookEndpointActive: { id, active: false } } });
    await refused(() => gql('mutation { setWebhookEndpointActive(id: "999998", active: true) { id } }'), {
      codes: ['NOT_FOUND'],
      message: /No webhook endpoint with id "999998"/,
    });
  });
});

describe('credentials that no longer hold', () => {
  const LEADS = '{ leads(first: 1) { totalCount } }';
  const UPSERT = 'mutation { upsertLead(input: { externalId: "with-dead-key" }) { id } }';

  it('an expired API key: 401 UNAUTHENTICATED saying it expired, for a read or a write', async () => {
    for (const [query, headers] of [
      [LEADS, { 'x-api-key': expiredKey.secret }],
      [UPSERT, { authorization: `Bearer ${expiredKey.secret}` }],
    ] as const) {
      const error = await refused(() => gql(query, {}, headers), {
        status: 401,
        codes: ['UNAUTHENTICATED'],
        message: /^API key "trial-key" \(lsk_[0-9a-f]{12}\) expired on \d{4}-/,
      });
      expect(error.extensions?.reason).toBe('API_KEY_EXPIRED');
    }
  });

  it('a revoked API key: 401 UNAUTHENTICATED saying it was revoked', async () => {
    for (const [query, headers] of [
      [LEADS, { authorization: `Bearer ${revokedKey.secret}` }],
      [UPSERT, { 'x-api-key': revokedKey.secret }],
    ] as const) {
      const error = await refused(() => gql(query, {}, headers), {
        status: 401,
        codes: ['UNAUTHENTICATED'],
        message: /^API key "old-website" \(lsk_[0-9a-f]{12}\) was revoked on \d{4}-/,
      });
      expect(error.extensions?.reason).toBe('API_KEY_REVOKED');
    }
  });

  it('no credentials, a malformed header, or a forged key: 401 with a reason', async () => {
    await refused(() => gql(UPSERT, {}, {}), { status: 401, codes: ['UNAUTHENTICATED'], message: /^Sign in or send an API key$/ });
    await refused(() => gql(UPSERT, {}, { authorization: 'Token abc' }), { status: 401, codes: ['UNAUTHENTICATED'], message: /Bearer/ });
    await refused(() => gql(UPSERT, {}, { 'x-api-key': `${revokedKey.prefix}_${'A'.repeat(43)}` }), {
      status: 401,
      codes: ['UNAUTHENTICATED'],
      message: /^API key not recognised$/,
    });
    await refused(() => gql(UPSERT, {}, { 'x-api-key': 'lsk_short' }), {
      status: 401,
      codes: ['UNAUTHENTICATED'],
      message: /^API key not recognised$/,
    });
  });
});
