import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/support/test-app';
import type { HttpServer } from '../http/http-server';
import {
  startAuthTestApp,
  testClock,
  post,
  bearer,
  PASSWORD,
  createUser,
  signIn,
  createApiKey,
  UPSERT,
  LEADS,
  leadRows,
} from './testing/auth-test-app';

let t: TestApp;
let server: HttpServer;

beforeAll(async () => {
  ({ t, server } = await startAuthTestApp());
});
afterAll(async () => {
  await t?.close();
});

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
    const hours = (new Date(session.expiresAt).getTime() - testClock().now().getTime()) / 3_600_000;
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
    const { email } = await createUser('viewer');
    const result = await post(`mutation { signIn(email: "${email}", password: "${PASSWORD}") { token } }`);
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
