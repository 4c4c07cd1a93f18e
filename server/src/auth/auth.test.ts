import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../http/http-server';
import { createTestApp, type GqlError, type TestApp } from '../../../test/support/test-app';
import type { Role, UserPrincipal } from './principal';

let t: TestApp;
let server: HttpServer;

/** The app's clock: real time plus what the tests moved it by, so locks and expiry need no waiting. */
let clockOffsetMs = 0;
const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
const advanceClock = (ms: number) => {
  clockOffsetMs += ms;
};

beforeAll(async () => {
  // As behind a load balancer: the client address comes from X-Forwarded-For, so tests can sign in from several.
  process.env.TRUST_PROXY = 'loopback';
  t = await createTestApp({ clock });
  server = await t.http();
});
afterAll(async () => {
  await t?.close();
});

interface HttpResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
  json: { data?: Record<string, any> | null; errors?: GqlError[] };
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
  const result = await post(`mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`, {
    email,
    password,
  });
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
    for (const credentials of [
      { email, password: 'wrong password!' },
      { email: 'nobody@acme.io', password: PASSWORD },
    ]) {
      const result = await post(
        `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`,
        credentials,
      );
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
    const mixed = await post(
      `mutation { signIn(email: "x@acme.io", password: "whatever-it-is") { token } defineAttribute(input: { name: "x", type: "string", label: "X" }) { name } }`,
    );
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
    const define = await t.gqlAs(
      marketing.principal,
      `mutation { defineAttribute(input: { name: "mkt", type: "string", label: "M" }) { name } }`,
    );
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
    const expiresAt = clock.now().getTime() + 60_000;
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

const SIGN_IN = `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`;
let addressCount = 0;
/** A client address of its own (TEST-NET-2), sent as X-Forwarded-For. */
const newAddress = () => `198.51.100.${++addressCount}`;
const signInFrom = (address: string, email: string, password: string) => post(SIGN_IN, { email, password }, { 'x-forwarded-for': address });

/** What a refused sign-in says, without the time it names. */
function refusal(result: HttpResult): {
  status: number;
  code?: string;
  reason?: string;
  retryAfter: string | null;
  retryAfterSeconds?: unknown;
} {
  const error = result.json.errors?.[0];
  return {
    status: result.status,
    code: error?.extensions?.code,
    reason: error?.extensions?.reason,
    retryAfter: result.headers.get('retry-after'),
    retryAfterSeconds: error?.extensions?.retryAfterSeconds,
  };
}

const locked = (seconds: number) => ({
  status: 429,
  code: 'RATE_LIMITED',
  reason: 'TOO_MANY_ATTEMPTS',
  retryAfter: String(seconds),
  retryAfterSeconds: seconds,
});
const wrong = { status: 200, code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS', retryAfter: null, retryAfterSeconds: undefined };

describe('sign-in throttling', () => {
  it('after 5 wrong passwords an account is locked from that address, 1 s doubling per further failure; refused attempts do not count', async () => {
    const { email } = await createUser('viewer');
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect(refusal(await signInFrom(address, email, `wrong password ${i}`))).toEqual(wrong);
    // Locked: even the right password is refused, with when to try again.
    const refused = await signInFrom(address, email, PASSWORD);
    expect(refusal(refused)).toEqual(locked(1));
    expect(refused.json.errors?.[0].message).toMatch(/^Too many failed sign-ins; try again in 1 s \(at \d{4}-\d\d-\d\dT/);
    expect(refused.json.data).toBeNull();
    // Attempts refused during a lock change nothing: the next lock is 2 s, not longer.
    for (let i = 0; i < 10; i++) expect(refusal(await signInFrom(address, email, 'wrong again!'))).toEqual(locked(1));
    for (const seconds of [2, 4, 8]) {
      advanceClock(seconds * 500 + 1_000);
      expect(refusal(await signInFrom(address, email, 'wrong password!'))).toEqual(wrong);
      expect(refusal(await signInFrom(address, email, PASSWORD))).toEqual(locked(seconds));
    }
    // Once the lock has run out, the right password works and the count starts again.
    advanceClock(8_001);
    const signedIn = await signInFrom(address, email, PASSWORD);
    expect(signedIn.json.errors).toBeUndefined();
    expect(signedIn.json.data?.signIn.token).toMatch(/^lss_/);
    expect(refusal(await signInFrom(address, email, 'wrong password!'))).toEqual(wrong);
  });

  it('the lock grows to at most 15 minutes however long the guessing goes on', async () => {
    const { email } = await createUser('viewer');
    const address = newAddress();
    const locks: number[] = [];
    // Guess on; whenever refused, note for how long and come back just after.
    for (let i = 0; locks.length < 16; i++) {
      const answer = refusal(await signInFrom(address, email, `guess ${i}`));
      if (answer.status === 429) {
        locks.push(answer.retryAfterSeconds as number);
        advanceClock((answer.retryAfterSeconds as number) * 1000 + 1);
      } else {
        expect(answer).toEqual(wrong);
      }
    }
    expect(locks.slice(0, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(locks.slice(10)).toEqual([900, 900, 900, 900, 900, 900]);
    // After the last lock, the owner signs in.
    expect((await signInFrom(address, email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
  });

  it("an attacker's failures cannot lock the owner out: not from an address they signed in from, at most 60 s from a new one", async () => {
    const { email } = await createUser('marketing');
    const home = newAddress();
    expect((await signInFrom(home, email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
    // Wrong passwords for the account, each from a new address so that no address is locked.
    const locks: number[] = [];
    for (let i = 0; locks.length < 9; i++) {
      const answer = refusal(await signInFrom(newAddress(), email, `spray ${i}`));
      if (answer.status === 429) {
        locks.push(answer.retryAfterSeconds as number);
        advanceClock((answer.retryAfterSeconds as number) * 1000 + 1);
      }
    }
    expect(locks).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(refusal(await signInFrom(newAddress(), email, 'spray on'))).toEqual(wrong);
    expect(refusal(await signInFrom(newAddress(), email, PASSWORD))).toEqual(locked(60));
    // The owner, from where they signed in before, is not held up.
    expect((await signInFrom(home, email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
    expect(refusal(await signInFrom(newAddress(), email, 'spray on'))).toEqual(wrong);
    advanceClock(60_001);
    expect((await signInFrom(newAddress(), email, PASSWORD)).json.data?.signIn.token).toMatch(/^lss_/);
  });

  it('an unknown email is answered and throttled exactly like a known one', async () => {
    const { email } = await createUser('sales');
    const answers = async (target: string) => {
      const address = newAddress();
      const seen = [];
      for (let i = 0; i < 7; i++) {
        const result = await signInFrom(address, target, 'not the password');
        seen.push({ ...refusal(result), message: result.json.errors?.[0].message.replace(/\(at [^)]+\)/, '(at …)') });
      }
      advanceClock(1_001);
      const after = await signInFrom(address, target, 'not the password');
      seen.push({ ...refusal(after), message: after.json.errors?.[0].message });
      return seen;
    };
    const known = await answers(email);
    const unknown = await answers('nobody-here@acme.io');
    expect(unknown).toEqual(known);
    expect(known.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 200]);
  });

  it('changePassword checks the current password under the same throttle', async () => {
    const { email } = await createUser('viewer');
    const address = newAddress();
    const token = (await signInFrom(address, email, PASSWORD)).json.data!.signIn.token as string;
    const change = (current: string) =>
      post(
        `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { id } }`,
        { c: current, n: 'a brand new password' },
        { ...bearer(token), 'x-forwarded-for': address },
      );
    for (let i = 0; i < 5; i++) {
      expect((await change(`not it ${i}`)).json.errors?.[0]).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD', problems: [{ path: 'currentPassword' }] },
      });
    }
    expect(refusal(await change(PASSWORD))).toEqual(locked(1));
    advanceClock(1_001);
    expect((await change(PASSWORD)).json.errors).toBeUndefined();
  });
});

const gqlWith = (token: string, query: string, variables: Record<string, unknown> = {}) => post(query, variables, bearer(token));
const auditRows = (action: string, entityId: string) =>
  t.sql<{ actor: string; summary: string }>(`SELECT actor, summary FROM audit_log WHERE action = $1 AND entity_id = $2`, [
    action,
    entityId,
  ]);

describe('managing users and sessions', () => {
  it("changePassword sets a new password and ends the caller's other sessions, audited", async () => {
    const { email, principal } = await createUser('marketing');
    const [first, second] = [await signIn(email), await signIn(email)];
    const CHANGE = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { id email } }`;
    const [{ password_hash: before }] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM app_user WHERE id = $1`, [
      principal.userId,
    ]);

    const tooShort = await gqlWith(first, CHANGE, { c: PASSWORD, n: 'short' });
    expect(tooShort.json.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'newPassword', message: 'must be 12 to 200 characters' }],
    });
    const wrongCurrent = await gqlWith(first, CHANGE, { c: 'not my password', n: 'the next password' });
    expect(wrongCurrent.json.errors?.[0]).toMatchObject({
      message: 'currentPassword: is not your current password',
      extensions: { code: 'BAD_USER_INPUT', reason: 'WRONG_PASSWORD' },
    });
    const [{ password_hash: unchanged }] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM app_user WHERE id = $1`, [
      principal.userId,
    ]);
    expect(unchanged).toBe(before);
    expect((await gqlWith(second, `{ me { actor } }`)).status).toBe(200);

    const changed = await gqlWith(first, CHANGE, { c: PASSWORD, n: 'the next password' });
    expect(changed.json.data).toEqual({ changePassword: { id: principal.userId, email } });
    expect((await gqlWith(first, `{ me { actor } }`)).status).toBe(200);
    const ended = await gqlWith(second, `{ me { actor } }`);
    expect(ended.status).toBe(401);
    expect(ended.json.errors?.[0].extensions?.reason).toBe('SESSION_EXPIRED');
    expect(refusal(await post(SIGN_IN, { email, password: PASSWORD }, { 'x-forwarded-for': newAddress() }))).toEqual(wrong);
    expect(await signIn(email, 'the next password')).toMatch(/^lss_/);
    expect(await auditRows('user.password_changed', principal.userId)).toEqual([
      { actor: `user:${email}`, summary: 'Changed own password; 1 other session(s) ended' },
    ]);

    const byKey = await createApiKey('no-password', ['SCORES_READ']);
    const refused = await post(CHANGE, { c: 'x', n: 'the next password' }, bearer(byKey.secret));
    expect(refused.json.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("disableUser ends the user's sessions and stops the API keys they created at once; enableUser lets them sign in again", async () => {
    const { email, principal } = await createUser('admin');
    const token = await signIn(email);
    const created = await post(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { name: 'made-by-a-leaver', scopes: ['SCORES_READ'] } },
      bearer(token),
    );
    const key = created.json.data!.createApiKey.secret as string;
    expect((await post(LEADS, {}, bearer(key))).status).toBe(200);

    const disabled = await t.gql<{ disableUser: { id: string; disabledAt: string | null } }>(
      `mutation($id: ID!) { disableUser(id: $id) { id disabledAt } }`,
      { id: principal.userId },
    );
    expect(disabled.errors).toBeUndefined();
    expect(disabled.data?.disableUser.disabledAt).not.toBeNull();
    expect((await gqlWith(token, `{ me { actor } }`)).json.errors?.[0].extensions?.reason).toBe('SESSION_EXPIRED');
    const keyRefused = await post(LEADS, {}, bearer(key));
    expect(keyRefused.status).toBe(401);
    expect(keyRefused.json.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'API_KEY_CREATOR_DISABLED' } });
    expect(refusal(await post(SIGN_IN, { email, password: PASSWORD }, { 'x-forwarded-for': newAddress() }))).toEqual(wrong);
    expect(await t.sql(`SELECT 1 FROM user_session WHERE user_id = $1 AND revoked_at IS NULL`, [principal.userId])).toHaveLength(0);

    const enabled = await t.gql<{ enableUser: { disabledAt: string | null } }>(
      `mutation($id: ID!) { enableUser(id: $id) { disabledAt } }`,
      { id: principal.userId },
    );
    expect(enabled.data?.enableUser.disabledAt).toBeNull();
    expect((await post(LEADS, {}, bearer(key))).status).toBe(200);
    expect((await gqlWith(token, `{ me { actor } }`)).status).toBe(401); // ended sessions stay ended
    expect(await signIn(email)).toMatch(/^lss_/);
    expect((await auditRows('user.disabled', principal.userId)).map((row) => row.actor)).toEqual([`user:${t.admin.email}`]);
    expect((await auditRows('user.enabled', principal.userId)).map((row) => row.actor)).toEqual([`user:${t.admin.email}`]);
  });

  it('disableUser refuses oneself (CONFLICT), an unknown id (NOT_FOUND) and a non-admin (FORBIDDEN), writing nothing', async () => {
    const self = await t.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: t.admin.userId });
    expect(self.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', reason: 'CANNOT_DISABLE_SELF', problems: [{ path: 'id' }] } });
    const unknown = await t.gql(`mutation { disableUser(id: "999999") { id } }`);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'USER_NOT_FOUND' });
    const { principal: viewer } = await createUser('viewer');
    const { principal: other } = await createUser('viewer');
    const forbidden = await t.gqlAs(viewer, `mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: other.userId });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(
      await t.sql(`SELECT 1 FROM app_user WHERE disabled_at IS NOT NULL AND id IN ($1, $2)`, [t.admin.userId, other.userId]),
    ).toHaveLength(0);
  });

  it("sessions lists one's active sessions (an admin: anyone's); revokeSession ends one, audited", async () => {
    const { email, principal } = await createUser('viewer');
    const here = newAddress();
    const mine = (await signInFrom(here, email, PASSWORD)).json.data!.signIn.token as string;
    const other = (await signInFrom(newAddress(), email, PASSWORD)).json.data!.signIn.token as string;
    const SESSIONS = `query($userId: ID) { sessions(userId: $userId) { id userId createdAt lastUsedAt expiresAt clientAddress current revoked } }`;
    const listed = await post(SESSIONS, {}, { ...bearer(mine), 'x-forwarded-for': here });
    const sessions = listed.json.data!.sessions as Array<{
      id: string;
      userId: string;
      current: boolean;
      clientAddress: string;
      lastUsedAt: string | null;
      createdAt: string;
      expiresAt: string;
    }>;
    expect(sessions).toHaveLength(2);
    expect(sessions.map((session) => session.current)).toEqual([false, true]);
    expect(sessions[1]).toMatchObject({ userId: principal.userId, clientAddress: here, revoked: false });
    expect(sessions[1].lastUsedAt).not.toBeNull(); // this very request used it
    expect(new Date(sessions[1].expiresAt).getTime() - new Date(sessions[1].createdAt).getTime()).toBe(12 * 3_600_000);

    // A viewer sees and ends only their own.
    const { principal: someoneElse } = await createUser('viewer');
    expect((await gqlWith(mine, SESSIONS, { userId: someoneElse.userId })).json.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const adminsView = await t.gql<{ sessions: Array<{ id: string }> }>(SESSIONS, { userId: principal.userId });
    expect(adminsView.data?.sessions.map((session) => session.id)).toEqual(sessions.map((session) => session.id));
    await t.adminToken();
    const [adminSession] = (await t.gql<{ sessions: Array<{ id: string }> }>(SESSIONS)).data!.sessions;
    expect(
      (await gqlWith(mine, `mutation($id: ID!) { revokeSession(id: $id) { id } }`, { id: adminSession.id })).json.errors?.[0].extensions
        ?.code,
    ).toBe('FORBIDDEN');

    const revoked = await gqlWith(mine, `mutation($id: ID!) { revokeSession(id: $id) { id revoked } }`, { id: sessions[0].id });
    expect(revoked.json.data).toEqual({ revokeSession: { id: sessions[0].id, revoked: true } });
    expect((await gqlWith(other, `{ me { actor } }`)).status).toBe(401);
    expect((await auditRows('session.revoked', sessions[0].id)).map((row) => row.actor)).toEqual([`user:${email}`]);

    // An admin ends anyone's session.
    const byAdmin = await t.gql(`mutation($id: ID!) { revokeSession(id: $id) { revoked } }`, { id: sessions[1].id });
    expect(byAdmin.errors).toBeUndefined();
    expect((await gqlWith(mine, `{ me { actor } }`)).status).toBe(401);
    expect((await t.gql(`mutation { revokeSession(id: "999999") { id } }`)).errors?.[0].extensions).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'SESSION_NOT_FOUND',
    });
  });
});
