/**
 * Shared by the bad-input tests (test/bad-input-*.test.ts): an app over HTTP with an admin, a viewer,
 * API keys that are valid, expired and revoked, one lead; a raw sender; and `refused`, which asserts a
 * clear, safe refusal that wrote nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, isEnumType, isInputObjectType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../server/src/common/paths';
import type { HttpServer } from '../../server/src/http/http-server';
import { createTestApp, type GqlError, type TestApp } from './test-app';

/** What every bad-input test file starts from (see createBadInputKit). */
export interface BadInputKit {
  t: TestApp;
  server: HttpServer;
  admin: Record<string, string>;
  viewer: Record<string, string>;
  readKey: Record<string, string>;
  expiredKey: { secret: string; prefix: string };
  revokedKey: { secret: string; prefix: string };
  activeVersionId: string;
  activeDefinition: Record<string, unknown>;
}

let kit: BadInputKit | undefined;

function current(): BadInputKit {
  if (!kit) throw new Error('createBadInputKit() has not run (call it in beforeAll)');
  return kit;
}

export interface Reply {
  status: number;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: GqlError[] } | null;
}

/** POSTs a raw body (a string is sent as is, anything else as JSON) to /graphql. */
export async function send(body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(current().server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Reply['json'] = null;
  try {
    json = JSON.parse(text) as Reply['json'];
  } catch {
    // asserted below: every refusal is JSON
  }
  return { status: response.status, text, json };
}

export const gql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = current().admin) =>
  send({ query, variables }, headers);

/** Tables a refused request must leave alone. */
export const TABLES = [
  'lead',
  'activity',
  'lead_score',
  'score_history',
  'rule_set',
  'rule_set_version',
  'rule_set_review',
  'rescore_job',
  'attribute_definition',
  'api_key',
  'app_user',
  'audit_log',
  'webhook_endpoint',
] as const;

export async function counts(): Promise<Record<string, number>> {
  const [row] = await current().t.sql<Record<string, number>>(
    `SELECT ${TABLES.map((table) => `(SELECT count(*) FROM ${table})::int AS ${table}`).join(', ')}`,
  );
  return row;
}

export const STACK = /at .*\.(ts|js|mjs|cjs):\d+|node_modules/;
export const SQL =
  /\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET)\b|violates|duplicate key|syntax error at|invalid input syntax|out of range for type|relation "|\$\d+::/;

export interface Expectation {
  /** The exact status, when it matters; otherwise any status below 500. */
  status?: number;
  /** Allowed extensions.code values. */
  codes: string[];
  message?: RegExp;
  /** Paths that must appear in extensions.problems. */
  problems?: string[];
}

/** Sends, and asserts a clear, safe refusal that wrote nothing. */
export async function refused(request: () => Promise<Reply>, expected: Expectation): Promise<GqlError> {
  const before = await counts();
  const reply = await request();
  const after = await counts();
  const context = `${reply.status} ${reply.text.slice(0, 600)}`;
  expect(reply.status, context).toBeLessThan(500);
  if (expected.status !== undefined) expect(reply.status, context).toBe(expected.status);
  expect(reply.text, context).not.toMatch(STACK);
  expect(reply.text, context).not.toMatch(SQL);
  expect(reply.json, `not JSON: ${context}`).not.toBeNull();
  const error = reply.json?.errors?.[0];
  expect(error, context).toBeDefined();
  expect(error!.message.length, context).toBeGreaterThan(10);
  expect(error!.message, context).not.toMatch(/^Internal error/);
  expect(error!.extensions?.code, context).not.toBe('INTERNAL_SERVER_ERROR');
  expect(expected.codes, context).toContain(error!.extensions?.code);
  if (expected.message) expect(error!.message, context).toMatch(expected.message);
  if (expected.problems) {
    const paths = (error!.extensions?.problems ?? []).map((problem) => problem.path);
    for (const wanted of expected.problems) expect(paths, context).toContain(wanted);
  }
  expect(after, `written by: ${context}`).toEqual(before);
  return error!;
}

export const BAD_INPUT = ['BAD_USER_INPUT'];
export const MISSING = ['NOT_FOUND', 'BAD_USER_INPUT'];

export const schema = buildSchema(readFileSync(path.join(REPO_ROOT, 'schema.graphql'), 'utf8'));

/** A minimal value that coerces to the type: required fields only, first enum value, plausible scalars. */
export function sample(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return sample(type.ofType, name);
  if (isListType(type)) return [sample(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, sample(field.type, field.name)]),
    );
  }
  switch (type.name) {
    case 'ID':
      return '1';
    case 'Int':
      return 1;
    case 'Float':
      return 1.5;
    case 'Boolean':
      return true;
    case 'DateTimeISO':
      return new Date().toISOString();
    case 'JSON':
    case 'JSONObject':
      return {};
    default:
      return /email/i.test(name) ? 'someone@acme.io' : /url/i.test(name) ? 'https://example.com/hook' : `role-check-${name}`;
  }
}

/** Builds the app and the callers; call in beforeAll, close `t` in afterAll. */
export async function createBadInputKit(): Promise<BadInputKit> {
  const t = await createTestApp();
  const server = await t.http();
  const admin = { authorization: `Bearer ${await t.adminToken()}` };

  const { auth } = t.app.services;
  await auth.createUser({ email: 'viewer@bad-input.test', name: 'Vera Viewer', role: 'viewer', password: 'viewer-password-1' });
  const viewer = { authorization: `Bearer ${(await auth.signIn('viewer@bad-input.test', 'viewer-password-1')).token}` };
  const readKey = { 'x-api-key': (await auth.createApiKey({ name: 'dashboard', scopes: ['scores:read'] })).secret };
  const expiring = await auth.createApiKey({ name: 'trial-key', scopes: ['leads:write'], expiresAt: new Date(Date.now() + 3_600_000) });
  await t.sql(`UPDATE api_key SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.apiKey.id]);
  const expiredKey = { secret: expiring.secret, prefix: expiring.apiKey.prefix };
  const old = await auth.createApiKey({ name: 'old-website', scopes: ['leads:write', 'scores:read'] });
  await auth.revokeApiKey(old.apiKey.id);
  const revokedKey = { secret: old.secret, prefix: old.apiKey.prefix };

  kit = { t, server, admin, viewer, readKey, expiredKey, revokedKey, activeVersionId: '', activeDefinition: {} };
  const created = await gql(
    `mutation { upsertLead(input: { externalId: "bi-1", attributes: { industry: "software", companySize: 800 } }) { id } }`,
  );
  expect(created.json?.errors).toBeUndefined();
  const [active] = await t.app.services.ruleSets.activeRuleSets(t.app.dataSource.manager);
  kit.activeVersionId = active.versionId;
  kit.activeDefinition = structuredClone(active.definition) as unknown as Record<string, unknown>;
  return kit;
}
