import net from 'node:net';
import { oidcConfigFromEnv, type OidcConfig } from '../../server/src/auth/oidc/oidc-config';
import { startHttpServer, type HttpServer } from '../../server/src/http/http-server';
import { startTestProvider, type TestAccount, type TestProvider } from './oidc-test-provider';
import { createTestApp, type TestApp } from './test-app';

/** Where the API sends the browser after the callback; the tests stop there instead of a console. */
export const POST_LOGIN_URL = 'http://127.0.0.1:3999/session/sso';

export interface SsoHarness {
  t: TestApp;
  server: HttpServer;
  provider: TestProvider;
  config: OidcConfig;
  redirectUri: string;
  close(): Promise<void>;
}

/** A free port for the API: its callback URL must be registered at the provider before it listens. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A provider, an app configured for it from OIDC_* settings (as a deployment would), and the API over HTTP. */
export async function startSsoHarness(env: Record<string, string>, accounts: Record<string, TestAccount>): Promise<SsoHarness> {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`;
  const provider = await startTestProvider(redirectUri);
  for (const [id, account] of Object.entries(accounts)) provider.accounts.set(id, account);
  const config = oidcConfigFromEnv({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_REDIRECT_URI: redirectUri,
    OIDC_SCOPES: 'openid email profile groups',
    OIDC_POST_LOGIN_URL: POST_LOGIN_URL,
    OIDC_PROVIDER_NAME: 'Acme IdP',
    ...env,
  })!;
  const t = await createTestApp({ oidc: config });
  const server = await startHttpServer(t.app, { port, host: '127.0.0.1', production: false });
  return {
    t,
    server,
    provider,
    config,
    redirectUri,
    async close() {
      await server.close();
      await t.close();
      await provider.close();
    },
  };
}

export interface GraphqlAnswer<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }>;
}

/** A GraphQL request over HTTP, with a session token or without credentials. */
export async function graphqlOver<T>(
  server: HttpServer,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphqlAnswer<T>> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphqlAnswer<T>, 'status'>) };
}

export const EXCHANGE = `mutation Exchange($code: String!) {
  exchangeSsoCode(code: $code) { token expiresAt user { id email name role } }
}`;
