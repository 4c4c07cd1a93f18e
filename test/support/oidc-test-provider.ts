import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/*
 * A real OpenID provider (oidc-provider v9) on 127.0.0.1 for the single sign-on tests, and a
 * minimal browser (fetch with a cookie jar, redirects followed by hand) to sign in through it with
 * its development interactions: the login form takes any account id, the consent form grants.
 */

export interface TestAccount {
  email: string;
  emailVerified: boolean;
  name: string;
  groups: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by id (the subject); change them between sign-ins to change what the provider says. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

export async function startTestProvider(redirectUri: string): Promise<TestProvider> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'lead-scoring';
  const clientSecret = randomBytes(24).toString('hex');
  const accounts = new Map<string, TestAccount>();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // PKCE for every client, confidential ones included.
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          email_verified: account.emailVerified,
          name: account.name,
          groups: account.groups,
        }),
      };
    },
  });
  handler = provider.callback();
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser as far as redirects and cookies go: one jar per host:port, Set-Cookie honoured, no JavaScript. */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string | URL, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string | URL, name: string, value: string): void {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, value);
  }

  async request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = [...(this.jar.get(target.host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...(cookies ? { cookie: cookies } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired =
        attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) ||
        attributes.some((attribute) => /^\s*expires=/i.test(attribute) && new Date(attribute.split('=')[1]).getTime() < Date.now());
      if (expired || value === '') this.jar.get(target.host)?.delete(name);
      else this.setCookie(target, name, value);
    }
    return response;
  }
}

export interface ProviderSteps {
  /** The account id typed in the provider's login form; null cancels there (access_denied). */
  login: string | null;
  /** false denies at the consent form. */
  consent?: boolean;
}

/**
 * From `startUrl` (the API's login route), follows redirects and fills the provider's forms until a
 * redirect leaves for `stopAt` (the console's sign-on route); returns that URL.
 */
export async function signInThroughProvider(browser: TestBrowser, startUrl: string, stopAt: string, steps: ProviderSteps): Promise<URL> {
  let url = new URL(startUrl);
  let init: { method?: string; form?: Record<string, string> } = {};
  for (let hop = 0; hop < 20; hop += 1) {
    const response = await browser.request(url, init);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const next = new URL(response.headers.get('location')!, url);
      if (next.href.startsWith(stopAt)) return next;
      url = next;
      continue;
    }
    const body = await response.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(body)?.[1];
    if (response.status !== 200 || !prompt) throw new Error(`unexpected ${response.status} at ${url.href}: ${body.slice(0, 500)}`);
    if (prompt === 'login' && steps.login === null) url = new URL(`${url.pathname}/abort`, url);
    else if (prompt === 'consent' && steps.consent === false) url = new URL(`${url.pathname}/abort`, url);
    else init = { form: prompt === 'login' ? { prompt, login: steps.login!, password: 'any' } : { prompt } };
  }
  throw new Error(`more than 20 hops from ${startUrl}`);
}
