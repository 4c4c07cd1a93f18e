import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughProvider, TestBrowser } from './support/oidc-test-provider';
import { EXCHANGE, graphqlOver, POST_LOGIN_URL, type SsoHarness, startSsoHarness } from './support/sso';

/*
 * Single sign-on with users created only by admins (OIDC_JIT=false) and a default role for users
 * whose groups are not mapped, against a real oidc-provider on 127.0.0.1.
 */

let h: SsoHarness;

beforeAll(async () => {
  h = await startSsoHarness(
    { OIDC_ROLE_CLAIM: 'groups', OIDC_ROLE_MAP: 'marketing=marketing', OIDC_DEFAULT_ROLE: 'viewer', OIDC_JIT: 'false' },
    {
      'new-sub': { email: 'newcomer@acme.test', emailVerified: true, name: 'New Comer', groups: ['marketing'] },
      'kim-sub': { email: 'kim@acme.test', emailVerified: true, name: 'Kim', groups: ['finance'] },
    },
  );
});
afterAll(async () => {
  await h?.close();
});

const signIn = (login: string) => signInThroughProvider(new TestBrowser(), `${h.server.url}/auth/oidc/login`, POST_LOGIN_URL, { login });

describe('single sign-on with OIDC_JIT=false', () => {
  it('refuses a user who does not exist here, creating nothing', async () => {
    const landing = await signIn('new-sub');
    expect(landing.searchParams.get('error')).toBe('SSO_UNKNOWN_USER');
    expect(await h.t.sql(`SELECT 1 FROM app_user WHERE email = 'newcomer@acme.test'`)).toHaveLength(0);
    expect(await h.t.sql(`SELECT 1 FROM audit_log WHERE action = 'user.signed_in'`)).toHaveLength(0);
  });

  it('signs an existing user in, giving the default role to groups that are not mapped', async () => {
    const kim = await h.t.app.services.auth.createUser({
      email: 'kim@acme.test',
      name: 'Kim',
      role: 'sales',
      password: 'kim-password-123',
    });
    const landing = await signIn('kim-sub');
    const answer = await graphqlOver<{ exchangeSsoCode: { token: string; user: { id: string; role: string } } }>(h.server, EXCHANGE, {
      code: landing.searchParams.get('code'),
    });
    expect(answer.data?.exchangeSsoCode.user).toEqual({ id: kim.id, email: 'kim@acme.test', name: 'Kim', role: 'VIEWER' });
    const me = await graphqlOver<{ me: { actor: string } }>(h.server, '{ me { actor } }', {}, answer.data!.exchangeSsoCode.token);
    expect(me.data?.me.actor).toBe('user:kim@acme.test');
  });

  it('says the provider is unavailable when it stops answering during a sign-in', async () => {
    const browser = new TestBrowser();
    const callback = await signInThroughProvider(browser, `${h.server.url}/auth/oidc/login`, h.redirectUri, { login: 'kim-sub' });
    await h.provider.close();
    const response = await browser.request(callback);
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('SSO_PROVIDER_UNAVAILABLE');
  });

  it('refuses an unknown or malformed one-time code', async () => {
    for (const code of ['not-a-code', '', 'x'.repeat(500)]) {
      const answer = await graphqlOver(h.server, EXCHANGE, { code });
      expect(answer.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SSO_INVALID_CODE' });
    }
  });
});
