import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProviderSteps, signInThroughProvider, TestBrowser } from './support/oidc-test-provider';
import { EXCHANGE, graphqlOver, POST_LOGIN_URL, type SsoHarness, startSsoHarness } from './support/sso';

/*
 * Single sign-on against a real OpenID provider (oidc-provider) on 127.0.0.1: authorization code
 * with PKCE, state and nonce through openid-client, driven over HTTP like a browser. Users are
 * created on first sign-in (OIDC_JIT=true); roles come from the `groups` claim.
 */

let h: SsoHarness;

beforeAll(async () => {
  h = await startSsoHarness(
    {
      OIDC_ROLE_CLAIM: 'groups',
      OIDC_ROLE_MAP: 'sales-team=sales,marketing=marketing,admins=admin',
      OIDC_JIT: 'true',
      OIDC_ALLOWED_DOMAINS: 'acme.test',
    },
    {
      'ana-sub': { email: 'Ana@Acme.test', emailVerified: true, name: 'Ana Lima', groups: ['everyone', 'sales-team'] },
      'bob-sub': { email: 'bob@acme.test', emailVerified: true, name: 'Bob Stone', groups: ['marketing'] },
      'fin-sub': { email: 'fin@acme.test', emailVerified: true, name: 'Fin Ance', groups: ['finance'] },
      'unv-sub': { email: 'unverified@acme.test', emailVerified: false, name: 'Una Verified', groups: ['sales-team'] },
      'eve-sub': { email: 'eve@elsewhere.test', emailVerified: true, name: 'Eve', groups: ['admins'] },
      'dan-sub': { email: 'dan@acme.test', emailVerified: true, name: 'Dan', groups: ['sales-team'] },
      'twin-sub': { email: 'twin@acme.test', emailVerified: true, name: 'Twin', groups: ['marketing'] },
    },
  );
});
afterAll(async () => {
  await h?.close();
});

const loginUrl = (returnTo?: string) => `${h.server.url}/auth/oidc/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;

/** Signs in through the provider as `login`; the URL the API sends the browser to (the console's route). */
async function ssoSignIn(steps: ProviderSteps, returnTo?: string): Promise<URL> {
  return signInThroughProvider(new TestBrowser(), loginUrl(returnTo), POST_LOGIN_URL, steps);
}

async function exchange(code: string) {
  return graphqlOver<{ exchangeSsoCode: { token: string; user: { id: string; email: string; name: string; role: string } } }>(
    h.server,
    EXCHANGE,
    { code },
  );
}

async function signedIn(login: string) {
  const landing = await ssoSignIn({ login });
  expect(landing.searchParams.get('error')).toBeNull();
  const answer = await exchange(landing.searchParams.get('code')!);
  expect(answer.errors).toBeUndefined();
  return answer.data!.exchangeSsoCode;
}

const usersWithEmail = async (email: string) =>
  h.t.sql<{ id: string; role: string; oidc_issuer: string | null; oidc_subject: string | null; password_hash: string | null }>(
    `SELECT id::text, role, oidc_issuer, oidc_subject, password_hash FROM app_user WHERE email = $1`,
    [email],
  );

describe('single sign-on with OpenID Connect', () => {
  it('lists the provider without credentials, with the API login URL', async () => {
    const answer = await graphqlOver<{ authProviders: unknown[] }>(h.server, '{ authProviders { id name loginUrl } }');
    expect(answer.data?.authProviders).toEqual([{ id: 'oidc', name: 'Acme IdP', loginUrl: `${h.server.url}/auth/oidc/login` }]);
  });

  it('sends the browser to the provider with PKCE S256, state and nonce, the state in an httpOnly cookie', async () => {
    const response = await new TestBrowser().request(loginUrl('/leads'));
    expect(response.status).toBe(303);
    const to = new URL(response.headers.get('location')!);
    expect(to.origin).toBe(h.provider.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('redirect_uri')).toBe(h.redirectUri);
    expect(to.searchParams.get('nonce')).toBeTruthy();
    const state = to.searchParams.get('state')!;
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('ls_oidc_state='))!;
    expect(cookie).toContain(`ls_oidc_state=${state};`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // Kept server-side only as hashes and the verifier; the state itself is not stored.
    expect(await h.t.sql(`SELECT 1 FROM oidc_sign_in WHERE state_hash = $1`, [state])).toHaveLength(0);
  });

  it('creates the user on first sign-in with the mapped role, and the session works for GraphQL', async () => {
    const landing = await ssoSignIn({ login: 'ana-sub' }, '/leads?cells=A1');
    expect(landing.searchParams.get('returnTo')).toBe('/leads?cells=A1');
    const code = landing.searchParams.get('code')!;
    const answer = await exchange(code);
    expect(answer.errors).toBeUndefined();
    const { token, user } = answer.data!.exchangeSsoCode;
    expect(user).toMatchObject({ email: 'ana@acme.test', name: 'Ana Lima', role: 'SALES' });
    expect(token).toMatch(/^lss_/);

    const me = await graphqlOver<{ me: { actor: string } }>(h.server, '{ me { actor } }', {}, token);
    expect(me.data?.me.actor).toBe('user:ana@acme.test');
    const leads = await graphqlOver<{ leads: { totalCount: number } }>(h.server, '{ leads(first: 1) { totalCount } }', {}, token);
    expect(leads.errors).toBeUndefined();
    expect(typeof leads.data?.leads.totalCount).toBe('number');

    const [row] = await usersWithEmail('ana@acme.test');
    expect(row).toMatchObject({ role: 'sales', oidc_issuer: h.provider.issuer, oidc_subject: 'ana-sub', password_hash: null });
    const audit = await h.t.sql<{ action: string; after: Record<string, unknown> | null }>(
      `SELECT action, after FROM audit_log WHERE entity_type = 'user' AND entity_id = $1 ORDER BY id`,
      [row.id],
    );
    expect(audit.map((entry) => entry.action)).toEqual(['user.created', 'user.signed_in']);
    expect(audit[1].after).toMatchObject({ method: 'sso', issuer: h.provider.issuer, role: 'sales' });

    // The code works once.
    const again = await exchange(code);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SSO_INVALID_CODE' });
    // A password sign-in is impossible for a user created by sign-on.
    const password = await graphqlOver(h.server, 'mutation { signIn(email: "ana@acme.test", password: "") { token } }');
    expect(password.errors?.[0].extensions?.reason).toBe('INVALID_CREDENTIALS');
  });

  it('applies a role change made in the provider at the next sign-in, on the same user', async () => {
    const before = await signedIn('dan-sub');
    expect(before.user.role).toBe('SALES');
    h.provider.accounts.get('dan-sub')!.groups = ['sales-team', 'admins'];
    const after = await signedIn('dan-sub');
    expect(after.user).toMatchObject({ id: before.user.id, role: 'ADMIN' });
    expect(await usersWithEmail('dan@acme.test')).toHaveLength(1);
    const [change] = await h.t.sql<{ before: unknown; after: unknown }>(
      `SELECT before, after FROM audit_log WHERE action = 'user.role_changed' AND entity_id = $1`,
      [before.user.id],
    );
    expect(change).toEqual({ before: { role: 'sales' }, after: { role: 'admin' } });
  });

  it('links an existing password user with the same verified e-mail, who keeps their password', async () => {
    const existing = await h.t.app.services.auth.createUser({
      email: 'bob@acme.test',
      name: 'Bob',
      role: 'viewer',
      password: 'bob-password-123',
    });
    const session = await signedIn('bob-sub');
    expect(session.user).toMatchObject({ id: existing.id, email: 'bob@acme.test', role: 'MARKETING' });
    const [row] = await usersWithEmail('bob@acme.test');
    expect(row).toMatchObject({ oidc_issuer: h.provider.issuer, oidc_subject: 'bob-sub' });
    expect(row.password_hash).toMatch(/^scrypt\$/);
    const password = await graphqlOver<{ signIn: { user: { id: string } } }>(
      h.server,
      'mutation { signIn(email: "bob@acme.test", password: "bob-password-123") { user { id } } }',
    );
    expect(password.data?.signIn.user.id).toBe(existing.id);
  });

  it("refuses a callback without this browser's state, and a state used once already", async () => {
    // Stop at the API's callback to hold the provider's answer (code, state) in hand.
    const browser = new TestBrowser();
    const callback = await signInThroughProvider(browser, loginUrl(), h.redirectUri, { login: 'ana-sub' });
    expect(callback.searchParams.get('code')).toBeTruthy();

    const stolen = await new TestBrowser().request(callback);
    const stolenTo = new URL(stolen.headers.get('location')!);
    expect(stolenTo.href.startsWith(POST_LOGIN_URL)).toBe(true);
    expect(stolenTo.searchParams.get('error')).toBe('SSO_BAD_STATE');
    expect(stolenTo.searchParams.get('code')).toBeNull();

    // The browser that started it still finishes, once.
    const own = await browser.request(callback);
    expect(new URL(own.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    expect(browser.cookie(h.server.url, 'ls_oidc_state')).toBeUndefined();
    browser.setCookie(h.server.url, 'ls_oidc_state', callback.searchParams.get('state')!);
    const replay = await browser.request(callback);
    expect(new URL(replay.headers.get('location')!).searchParams.get('error')).toBe('SSO_BAD_STATE');

    // A made-up state with a matching cookie names no sign-in.
    const forger = new TestBrowser();
    forger.setCookie(h.server.url, 'ls_oidc_state', 'forged-state');
    const forged = await forger.request(`${h.redirectUri}?code=abc&state=forged-state`);
    expect(new URL(forged.headers.get('location')!).searchParams.get('error')).toBe('SSO_BAD_STATE');
  });

  it('creates one user when the same person finishes two first sign-ins at once', async () => {
    const browsers = [new TestBrowser(), new TestBrowser()];
    const callbacks = await Promise.all(
      browsers.map((browser) => signInThroughProvider(browser, loginUrl(), h.redirectUri, { login: 'twin-sub' })),
    );
    const answers = await Promise.all(browsers.map((browser, i) => browser.request(callbacks[i])));
    const codes = answers.map((answer) => new URL(answer.headers.get('location')!).searchParams.get('code'));
    expect(codes.every(Boolean)).toBe(true);
    const users = await usersWithEmail('twin@acme.test');
    expect(users).toHaveLength(1);
    for (const code of codes) expect((await exchange(code!)).data?.exchangeSsoCode.user.id).toBe(users[0].id);
  });

  it.each([
    ['an unmapped group without a default role', 'fin-sub', 'SSO_ROLE_NOT_MAPPED', 'fin@acme.test'],
    ['an e-mail the provider has not verified', 'unv-sub', 'SSO_EMAIL_NOT_VERIFIED', 'unverified@acme.test'],
    ['an e-mail outside OIDC_ALLOWED_DOMAINS', 'eve-sub', 'SSO_DOMAIN_NOT_ALLOWED', 'eve@elsewhere.test'],
  ])('refuses %s: no user, no session', async (_what, login, reason, email) => {
    const sessionsBefore = await h.t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM user_session`);
    const landing = await ssoSignIn({ login });
    expect(landing.searchParams.get('error')).toBe(reason);
    expect(landing.searchParams.get('code')).toBeNull();
    expect(await usersWithEmail(email)).toHaveLength(0);
    expect(await h.t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM user_session`)).toEqual(sessionsBefore);
  });

  it('says so when the user cancels at the provider or denies consent', async () => {
    expect((await ssoSignIn({ login: null })).searchParams.get('error')).toBe('SSO_CONSENT_DENIED');
    expect((await ssoSignIn({ login: 'ana-sub', consent: false })).searchParams.get('error')).toBe('SSO_CONSENT_DENIED');
  });

  it('refuses a disabled user', async () => {
    const { user } = await signedIn('ana-sub');
    await h.t.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: user.id });
    expect((await ssoSignIn({ login: 'ana-sub' })).searchParams.get('error')).toBe('SSO_USER_DISABLED');
  });

  it('refuses a returnTo outside the console, naming the field', async () => {
    const response = await fetch(loginUrl('https://evil.test/'), { redirect: 'manual' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('SSO_INVALID_RETURN_TO');
    expect(body.errors[0].message).toMatch(/returnTo/);
  });
});
