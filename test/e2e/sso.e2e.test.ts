import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, buildIsFresh, freePort, type RunningConsole, startConsole } from '../../console/scripts/console-build';
import { oidcConfigFromEnv } from '../../server/src/auth/oidc/oidc-config';
import { type HttpServer, startHttpServer } from '../../server/src/http/http-server';
import { signInThroughProvider, startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-test-provider';
import { createTestApp, type TestApp } from '../support/test-app';

/*
 * Single sign-on through the built console: its sign-in page's "Sign in with ..." link, the real
 * oidc-provider's login and consent forms, the API's callback, and the console's /session/sso
 * route, which must leave the browser with the httpOnly session cookie. Driven over HTTP with a
 * cookie jar (no JavaScript is involved in this flow), so it needs no Chromium.
 */
describe('single sign-on through the console', () => {
  let provider: TestProvider;
  let t: TestApp;
  let api: HttpServer;
  let consoleServer: RunningConsole;

  beforeAll(async () => {
    const building = buildIsFresh() ? Promise.resolve() : buildConsole({ quiet: true });
    const [apiPort, consolePort] = [await freePort(), await freePort()];
    const redirectUri = `http://127.0.0.1:${apiPort}/auth/oidc/callback`;
    provider = await startTestProvider(redirectUri);
    provider.accounts.set('sam-sub', { email: 'sam@acme.test', emailVerified: true, name: 'Sam Seller', groups: ['sales-team'] });
    provider.accounts.set('fin-sub', { email: 'fin@acme.test', emailVerified: true, name: 'Fin Ance', groups: ['finance'] });
    const oidc = oidcConfigFromEnv({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_REDIRECT_URI: redirectUri,
      OIDC_POST_LOGIN_URL: `http://127.0.0.1:${consolePort}/session/sso`,
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_ROLE_CLAIM: 'groups',
      OIDC_ROLE_MAP: 'sales-team=sales',
      OIDC_JIT: 'true',
      OIDC_PROVIDER_NAME: 'Acme IdP',
    });
    t = await createTestApp({ oidc });
    api = await startHttpServer(t.app, { port: apiPort, host: '127.0.0.1', production: false });
    await building;
    consoleServer = await startConsole({ port: consolePort, apiUrl: api.graphqlUrl, quiet: true });
  }, 300_000);

  afterAll(async () => {
    await consoleServer?.stop();
    await api?.close();
    await t?.close();
    await provider?.close();
  });

  /** From the console's sign-in page through the provider, up to the console's /session/sso answer. */
  async function throughProvider(login: string) {
    const browser = new TestBrowser();
    const signInPage = await (await browser.request(`${consoleServer.url}/sign-in?next=%2Fleads`)).text();
    const link =
      /<a class="button" href="([^"]+)">Sign in with <!-- -->Acme IdP<\/a>|<a class="button" href="([^"]+)">Sign in with Acme IdP<\/a>/.exec(
        signInPage,
      );
    expect(link, 'the sign-in page links to the provider').not.toBeNull();
    const loginUrl = (link![1] ?? link![2]).replaceAll('&amp;', '&');
    expect(loginUrl).toBe(`${api.url}/auth/oidc/login?returnTo=%2Fleads`);
    const landing = await signInThroughProvider(browser, loginUrl, `${consoleServer.url}/session/sso`, { login });
    const answer = await browser.request(landing);
    return { browser, answer };
  }

  it('signs in with the provider and lands on the page asked for, with an httpOnly session cookie', async () => {
    const { browser, answer } = await throughProvider('sam-sub');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/leads');
    const cookie = answer.headers.getSetCookie().find((header) => header.startsWith('ls_session='))!;
    expect(cookie).toMatch(/^ls_session=lss_[\w-]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    const leadsPage = await browser.request(`${consoleServer.url}/leads`);
    expect(leadsPage.status).toBe(200);
    expect(await leadsPage.text()).toContain('Sam Seller');
  });

  it('says why a sign-in was refused, on the sign-in page, without a session', async () => {
    const { browser, answer } = await throughProvider('fin-sub');
    const to = new URL(answer.headers.get('location')!, consoleServer.url);
    expect(to.pathname).toBe('/sign-in');
    expect(to.searchParams.get('sso_error')).toBe('SSO_ROLE_NOT_MAPPED');
    expect(browser.cookie(consoleServer.url, 'ls_session')).toBeUndefined();
    const page = await (await browser.request(to)).text();
    expect(page).toContain('None of your groups at Acme IdP gives access to the lead scoring console.');
  });
});
