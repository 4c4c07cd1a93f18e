import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/support/test-app';
import {
  startAuthTestApp,
  advanceClock,
  testClock,
  post,
  bearer,
  createApiKey,
  UPSERT,
  RECORD,
  LEADS,
  leadRows,
} from './testing/auth-test-app';

let t: TestApp;

beforeAll(async () => {
  ({ t } = await startAuthTestApp());
});
afterAll(async () => {
  await t?.close();
});

describe('API keys', () => {
  it('scores:read reads leads and scores (Bearer or X-Api-Key) but cannot upsertLead', async () => {
    await t.gql(UPSERT, { input: { externalId: 'key-read-1', attributes: { industry: 'software' } } });
    const key = await createApiKey('dashboard', ['SCORES_READ']);
    expect(key.secret).toMatch(/^lsk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.secret.startsWith(`${key.prefix}_`)).toBe(true);

    const viaBearer = await post(`{ lead(externalId: "key-read-1") { score { total cell } } }`, {}, bearer(key.secret));
    expect(viaBearer.json.errors).toBeUndefined();
    expect(viaBearer.json.data!.lead.score.cell).toMatch(/^[A-D][1-4]$/);
    const viaHeader = await post(LEADS, {}, { 'x-api-key': key.secret });
    expect(viaHeader.json.errors).toBeUndefined();
    expect(viaHeader.json.data!.leads.totalCount).toBeGreaterThan(0);

    const write = await post(UPSERT, { input: { externalId: 'key-read-2' } }, { 'x-api-key': key.secret });
    expect(write.status).toBe(200);
    expect(write.json.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(write.json.errors?.[0].message).toContain('apiKey:dashboard (scopes scores:read) may not');
    expect(await leadRows('key-read-2')).toHaveLength(0);
  });

  it('leads:write upserts leads and records activities over HTTP, and me names the key', async () => {
    const key = await createApiKey('crm-sync', ['LEADS_WRITE']);
    const upserted = await post(
      UPSERT,
      { input: { externalId: 'crm-1', email: 'ana@acme.io', attributes: { industry: 'software' } } },
      bearer(key.secret),
    );
    expect(upserted.json.errors).toBeUndefined();
    expect(upserted.json.data!.upsertLead.externalId).toBe('crm-1');
    const recorded = await post(
      RECORD,
      { input: { leadExternalId: 'crm-1', type: 'DEMO_REQUEST', occurredAt: new Date().toISOString(), idempotencyKey: 'crm-evt-1' } },
      { 'x-api-key': key.secret },
    );
    expect(recorded.json.errors).toBeUndefined();
    expect(recorded.json.data!.recordActivity.score.engagement).toBeGreaterThan(0);

    const me = await post(`{ me { actor user { id } apiKey { name scopes lastUsedAt } } }`, {}, bearer(key.secret));
    expect(me.json.data!.me).toMatchObject({ actor: 'apiKey:crm-sync', user: null, apiKey: { name: 'crm-sync', scopes: ['LEADS_WRITE'] } });
    expect(me.json.data!.me.apiKey.lastUsedAt).not.toBeNull();
  });

  it('a revoked key is refused with UNAUTHENTICATED saying it was revoked', async () => {
    const key = await createApiKey('old-website', ['SCORES_READ']);
    expect((await post(LEADS, {}, bearer(key.secret))).status).toBe(200);
    const revoked = await t.gql<{ revokeApiKey: { revokedAt: string | null; active: boolean } }>(
      `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt active } }`,
      { id: key.id },
    );
    expect(revoked.data?.revokeApiKey.active).toBe(false);
    expect(revoked.data?.revokeApiKey.revokedAt).not.toBeNull();

    const refused = await post(LEADS, {}, bearer(key.secret));
    expect(refused.status).toBe(401);
    expect(refused.json.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_REVOKED' });
    expect(refused.json.errors?.[0].message).toMatch(new RegExp(`^API key "old-website" \\(${key.prefix}\\) was revoked on `));
  });

  it('an expired key is refused with UNAUTHENTICATED', async () => {
    // Expiry is checked on every request, also while the key's lookup is cached (API_KEY_CACHE_MS).
    const expiresAt = testClock().now().getTime() + 60_000;
    const key = await createApiKey('trial', ['SCORES_READ'], new Date(expiresAt).toISOString());
    expect((await post(LEADS, {}, { 'x-api-key': key.secret })).status).toBe(200);
    advanceClock(60_001);
    const refused = await post(LEADS, {}, { 'x-api-key': key.secret });
    expect(refused.status).toBe(401);
    expect(refused.json.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_EXPIRED' });
    expect(refused.json.errors?.[0].message).toContain('"trial"');
    expect(refused.json.errors?.[0].message).toContain('expired');
  });

  it('a key with a wrong secret is not recognised, and says nothing more about the key', async () => {
    const key = await createApiKey('guessed', ['SCORES_READ']);
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.id });
    const forged = `${key.prefix}_${'A'.repeat(43)}`;
    const refused = await post(LEADS, {}, bearer(forged));
    expect(refused.status).toBe(401);
    expect(refused.json.errors?.[0]).toMatchObject({ message: 'API key not recognised', extensions: { reason: 'INVALID_API_KEY' } });
  });

  it('are stored hashed: the secret is in no api_key row nor in the list', async () => {
    const key = await createApiKey('hash-check', ['SCORES_READ', 'LEADS_WRITE']);
    const secretPart = key.secret.slice(key.prefix.length + 1);
    const rows = await t.sql(`SELECT * FROM api_key`);
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(secretPart);
    const listed = await t.gql<{ apiKeys: Array<{ prefix: string; name: string; scopes: string[]; createdBy: string }> }>(
      `{ apiKeys { id name prefix scopes createdBy active } }`,
    );
    expect(JSON.stringify(listed)).not.toContain(secretPart);
    expect(listed.data?.apiKeys.find((k) => k.name === 'hash-check')).toMatchObject({
      prefix: key.prefix,
      scopes: ['SCORES_READ', 'LEADS_WRITE'],
      createdBy: t.admin.userId,
    });
  });

  it('createApiKey names each wrong field', async () => {
    const result = await t.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, {
      input: { name: '', scopes: [], expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.path)).toEqual(['input.name', 'input.scopes', 'input.expiresAt']);
    expect(await t.sql(`SELECT 1 FROM api_key WHERE name = ''`)).toHaveLength(0);
  });

  it('revoking an unknown key is NOT_FOUND', async () => {
    const result = await t.gql(`mutation { revokeApiKey(id: "999999") { id } }`);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'API_KEY_NOT_FOUND' });
  });
});
