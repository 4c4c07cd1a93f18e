import { expect } from 'vitest';
import { createTestApp, type GqlError, type TestApp } from '../../../../test/support/test-app';
import { ManualClock } from '../../common/clock';
import type { Role, UserPrincipal } from '../principal';

/*
 * What the auth tests share: an app on a clock that stands still until a test moves it (locks and
 * expiry need no waiting), served over HTTP as behind a load balancer, and helpers that call it.
 * One app per test file (vitest loads this module once per file).
 */

/** The app served over HTTP (typed through the test app: auth/ sits below http/). */
type HttpServer = Awaited<ReturnType<TestApp['http']>>;

let t: TestApp;
let server: HttpServer;
let clock: ManualClock;

export async function startAuthTestApp(): Promise<{ t: TestApp; server: HttpServer }> {
  // As behind a load balancer: the client address comes from X-Forwarded-For, so tests can sign in from several.
  process.env.TRUST_PROXY = 'loopback';
  clock = new ManualClock();
  t = await createTestApp({ clock });
  server = await t.http();
  return { t, server };
}

/** The app's clock. */
export const testClock = (): ManualClock => clock;

export const advanceClock = (ms: number): void => clock.advance(ms);

export interface HttpResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests reach into documents and responses of many shapes
  json: { data?: Record<string, any> | null; errors?: GqlError[] };
}

export async function post(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as HttpResult['json'] };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export const PASSWORD = 'correct horse battery';
let userCount = 0;

/** A user of the given role, created by the admin through the API. */
export async function createUser(role: Role): Promise<{ principal: UserPrincipal; email: string }> {
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

export async function signIn(email: string, password = PASSWORD): Promise<string> {
  const result = await post(`mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`, {
    email,
    password,
  });
  expect(result.json.errors).toBeUndefined();
  return result.json.data!.signIn.token as string;
}

export async function createApiKey(
  name: string,
  scopes: string[],
  expiresAt?: string,
): Promise<{ id: string; secret: string; prefix: string }> {
  const created = await t.gql<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id prefix scopes active } } }`,
    { input: { name, scopes, expiresAt } },
  );
  expect(created.errors).toBeUndefined();
  return { ...created.data!.createApiKey.apiKey, secret: created.data!.createApiKey.secret };
}

export const UPSERT = `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id externalId score { total cell } } }`;
export const RECORD = `mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate score { engagement } } }`;
export const LEADS = `{ leads(first: 5) { totalCount edges { node { externalId score { total } } } } }`;

export const leadRows = (externalId: string) => t.sql(`SELECT 1 FROM lead WHERE external_id = $1`, [externalId]);

export const SIGN_IN = `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }`;
let addressCount = 0;
/** A client address of its own (TEST-NET-2), sent as X-Forwarded-For. */
export const newAddress = () => `198.51.100.${++addressCount}`;
export const signInFrom = (address: string, email: string, password: string) =>
  post(SIGN_IN, { email, password }, { 'x-forwarded-for': address });

/** What a refused sign-in says, without the time it names. */
export function refusal(result: HttpResult): {
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

export const locked = (seconds: number) => ({
  status: 429,
  code: 'RATE_LIMITED',
  reason: 'TOO_MANY_ATTEMPTS',
  retryAfter: String(seconds),
  retryAfterSeconds: seconds,
});
export const wrong = {
  status: 200,
  code: 'UNAUTHENTICATED',
  reason: 'INVALID_CREDENTIALS',
  retryAfter: null,
  retryAfterSeconds: undefined,
};
