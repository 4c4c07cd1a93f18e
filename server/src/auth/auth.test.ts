import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../http/http-server';
import { createTestApp, type GqlError, type TestApp } from '../../../test/support/test-app';
import type { Role, UserPrincipal } from './principal';

let t: TestApp;
let server: HttpServer;

beforeAll(async () => {
  t = await createTestApp();
  server = await t.http();
});
afterAll(async () => {
  await t?.close();
});

interface HttpResult {
  status: number;
  headers: Headers;
  json: { data?: Record<string, any> | null; errors?: GqlError[] }; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary per test
}

async function post(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<HttpResult> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as HttpResult['json'] };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const PASSWORD = 'correct horse battery';
let userCount = 0;

/** A user of the given role, created by the admin through the API. */
async function createUser(role: Role): Promise<{ principal: UserPrincipal; email: string }> {
  userCount += 1;
  const email = `${role}${userCount}@acme.io`;
  const created = await t.gql<{ createUser: { id: string; email: string; name: string } }>(
    `mutation($input: CreateUserInput!) { createUser(input: $input) { id email name role } }`,
    { input: { email, name: `${role} ${userCount}`, role: role.toUpperCase(), password: PASSWORD } },
  );
  expect(created.errors).toBeUndefined();
  const user = created.data!.createUser;
  return { principal: { kind: 'user', userId: user.id, email: user.email, name: user.name, role }, email };
}

async function signIn(email: string, password = PASSWORD): Promise<string> {
  const result = await post(`mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`, { email, password });
  expect(result.json.errors).toBeUndefined();
  return result.json.data!.signIn.token as string;
}

async function createApiKey(name: string, scopes: string[], expiresAt?: string): Promise<{ id: string; secret: string; prefix: string }> {
  const created = await t.gql<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix scopes active } } }`,
    { input: { name, scopes, expiresAt } },
  );
  expect(created.errors).toBeUndefined();
  return { ...created.data!.createApiKey.apiKey, secret: created.data!.createApiKey.secret };
}

const UPSERT = `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id externalId score { total cell } } }`;
const RECORD = `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate score { engagement } } }`;
const LEADS = `{ leads(first: 5) { totalCount edges { node { externalId score { total } } } } }`;

const leadRows = (externalId: string) => t.sql(`SELECT 1 FROM lead WHERE external_id = $1`, [externalId]);

describe('signing in', () => {
  it('gives a bearer token for the right password, and me says who is calling', async () => {
    const { email } = await createUser('marketing');
    const result = await post(
      `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token expiresAt user { email role } } }`,
      { email: email.toUpperCase(), password: PASSWORD },
    );
    expect(result.status).toBe(200);
    const session = result.json.data!.signIn;
    expect(session.user).toEqual({ email, role: 'MARKETING' });
    const hours = (new Date(session.expiresAt).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);

    const me = await post(`{ me { actor user { email role } apiKey { id } } }`, {}, bearer(session.token));
    expect(me.json.data!.me).toEqual({ actor: `user:${email}`, user: { email, role: 'MARKETING' }, apiKey: null });
  });

  it('refuses a wrong password (or an unknown email) with UNAUTHENTICATED and no token', async () => {
    const { email } = await createUser('viewer');
    const [{ count: before }] = await t.sql<{ count: string }>(`SELECT count(*)::text AS count FROM user_session`);
    for (const credentials of [{ email, password: 'wrong password!' }, { email: 'nobody@acme.io', password: PASSWORD }]) {
      const result = await post(`mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`, credentials);
      expect(result.json.data).toBeNull();
      expect(result.json.errors?.[0]).toMatchObject({
        message: 'Email or password is wrong',
        extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' },
      });
    }
    const [{ count: after }] = await t.sql<{ count: string }>(`SELECT count(*)::text AS count FROM user_session`);
    expect(after).toBe(before);
  });

  it('stores passwords and session tokens only as hashes', async () => {
    const { email } = await createUser('sales');
    const token = await signIn(email);
    const [user] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM app_user WHERE email = $1`, [email]);
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain(PASSWORD);
    const sessions = await t.sql(`SELECT * FROM user_session`);
    expect(JSON.stringify(sessions)).not.toContain(token);
  });

  it('signOut ends the session: its token is refused afterwards', async () => {
    const { email } = await createUser('viewer');
    const token = await signIn(email);
    const signedOut = await post(`mutation { signOut }`, {}, bearer(token));
    expect(signedOut.json.data).toEqual({ signOut: true });
    const after = await post(LEADS, {}, bearer(token));
    expect(after.status).toBe(401);
    expect(after.json.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' } });
    expect(after.json.errors?.[0].message).toContain('signed out');
  });
});

describe('without credentials', () => {
  it('over HTTP, a query or a mutation gets 401 "Sign in or send an API key" and writes nothing', async () => {
    const query = await post(LEADS);
    expect(query.status).toBe(401);
    expect(query.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(query.json.data).toBeUndefined();
    expect(query.json.errors).toEqual([
      { message: 'Sign in or send an API key', extensions: { code: 'UNAUTHENTICATED', reason: 'NOT_AUTHENTICATED', problems: [] } },
    ]);

    const mutation = await post(UPSERT, { input: { externalId: 'anon-1' } });
    expect(mutation.status).toBe(401);
    expect(mutation.json.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await leadRows('anon-1')).toHaveLength(0);

    // A public field cannot carry a private one past the check.
    const mixed = await post(`mutation { signIn(email: "x@acme.io", password: "whatever-it-is") { token } defineAttribute(input: { name: "x", type: "string", label: "X" }) { name } }`);
    expect(mixed.status).toBe(401);
  });

  it('signIn still works and /healthz and /readyz answer', async () => {
    await createUser('viewer');
    const result = await post(`mutation { signIn(email: "viewer${userCount}@acme.io", password: "${PASSWORD}") { token } }`);
    expect(result.status).toBe(200);
    expect(result.json.data!.signIn.token).toMatch(/^lss_/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('in-process, every operation but signIn is refused the same way', async () => {
    const result = await t.gqlAs(null, `{ attributeDefinitions { name } }`);
    expect(result.errors?.[0]).toMatchObject({ message: 'Sign in or send an API key', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('a malformed Authorization header or an unknown token is refused with a reason', async () => {
    const basic = await post(LEADS, {}, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(basic.status).toBe(401);
    expect(basic.json.errors?.[0].message).toContain('Bearer');
    const unknown = await post(LEADS, {}, bearer('lss_not-a-real-token'));
    expect(unknown.status).toBe(401);
    expect(unknown.json.errors?.[0].extensions?.reason).toBe('SESSION_EXPIRED');
  });
});

describe('roles', () => {
  it('a viewer reads leads but cannot upsertLead: FORBIDDEN naming what is needed, nothing written', async () => {
    const { principal } = await createUser('viewer');
    expect((await t.gqlAs(principal, LEADS)).errors).toBeUndefined();
    const result = await t.gqlAs(principal, UPSERT, { input: { externalId: 'viewer-1' } });
    expect(result.data).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'FORBIDDEN_ROLE' });
    expect(result.errors?.[0].message).toBe(
      `mutation upsertLead needs role admin, or an API key with scope leads:write; user:${principal.email} (role viewer) may not`,
    );
    expect(await leadRows('viewer-1')).toHaveLength(0);
  });

  it('sales cannot runDecayPass; marketing cannot defineAttribute', async () => {
    const sales = await createUser('sales');
    const decay = await t.gqlAs(sales.principal, `mutation { runDecayPass { leadsScored } }`);
    expect(decay.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(decay.errors?.[0].message).toContain('mutation runDecayPass needs role admin');

    const marketing = await createUser('marketing');
    const define = await t.gqlAs(marketing.principal, `mutation { defineAttribute(input: { name: "mkt", type: "string", label: "M" }) { name } }`);
    expect(define.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await t.sql(`SELECT 1 FROM attribute_definition WHERE name = 'mkt'`)).toHaveLength(0);
  });

  it('only an admin lists users and API keys or creates them', async () => {
    const marketing = await createUser('marketing');
    for (const operation of [
      `{ apiKeys { id } }`,
      `{ users { id } }`,
      `mutation { createApiKey(input: { name: "mine", scopes: [LEADS_WRITE] }) { secret } }`,
      `mutation { createUser(input: { email: "x@acme.io", name: "X", role: ADMIN, password: "${PASSWORD}" }) { id } }`,
    ]) {
      const result = await t.gqlAs(marketing.principal, operation);
      expect(result.errors?.[0].extensions?.code, operation).toBe('FORBIDDEN');
    }
    expect(await t.sql(`SELECT 1 FROM api_key WHERE name = 'mine'`)).toHaveLength(0);
    expect(await t.sql(`SELECT 1 FROM app_user WHERE email = 'x@acme.io'`)).toHaveLength(0);

    const key = await createApiKey('reader-for-admin-check', ['SCORES_READ']);
    const viaKey = await post(`{ apiKeys { id } }`, {}, bearer(key.secret));
    expect(viaKey.json.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(viaKey.json.errors?.[0].message).toContain('apiKey:reader-for-admin-check (scopes scores:read)');
  });

  it('createUser names each wrong field, and refuses a taken email', async () => {
    const result = await t.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { email: 'not-an-email', name: '  ', role: 'SALES', password: 'short' },
    });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_USER' });
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.path)).toEqual(['input.email', 'input.name', 'input.password']);
    expect(await t.sql(`SELECT 1 FROM app_user WHERE email = 'not-an-email'`)).toHaveLength(0);

    const { email } = await createUser('sales');
    const taken = await t.gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
      input: { email: email.toUpperCase(), name: 'Again', role: 'SALES', password: PASSWORD },
    });
    expect(taken.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'EMAIL_TAKEN', problems: [{ path: 'input.email' }] });
  });
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
    const upserted = await post(UPSERT, { input: { externalId: 'crm-1', email: 'ana@acme.io', attributes: { industry: 'software' } } }, bearer(key.secret));
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
    const expiresAt = Date.now() + 1_500;
    const key = await createApiKey('trial', ['SCORES_READ'], new Date(expiresAt).toISOString());
    expect((await post(LEADS, {}, { 'x-api-key': key.secret })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
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
