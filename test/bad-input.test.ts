/**
 * Bad input over HTTP: whatever a client sends, the answer is a clear 4xx (or a GraphQL error with a
 * clear code), never a 5xx, a stack trace or SQL text, and nothing is written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import type { HttpServer } from '../server/src/http/http-server';
import { createTestApp, type GqlError, type TestApp } from './support/test-app';

let t: TestApp;
let server: HttpServer;
let admin: Record<string, string>;
let viewer: Record<string, string>;
let readKey: Record<string, string>;
let expiredKey: { secret: string; prefix: string };
let revokedKey: { secret: string; prefix: string };
let activeVersionId: string;
let activeDefinition: Record<string, unknown>;

interface Reply {
  status: number;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: GqlError[] } | null;
}

/** POSTs a raw body (a string is sent as is, anything else as JSON) to /graphql. */
async function send(body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(server.graphqlUrl, {
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

const gql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = admin) =>
  send({ query, variables }, headers);

/** Tables a refused request must leave alone. */
const TABLES = [
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

async function counts(): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, number>>(
    `SELECT ${TABLES.map((table) => `(SELECT count(*) FROM ${table})::int AS ${table}`).join(', ')}`,
  );
  return row;
}

const STACK = /at .*\.(ts|js|mjs|cjs):\d+|node_modules/;
const SQL =
  /\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET)\b|violates|duplicate key|syntax error at|invalid input syntax|out of range for type|relation "|\$\d+::/;

interface Expectation {
  /** The exact status, when it matters; otherwise any status below 500. */
  status?: number;
  /** Allowed extensions.code values. */
  codes: string[];
  message?: RegExp;
  /** Paths that must appear in extensions.problems. */
  problems?: string[];
}

/** Sends, and asserts a clear, safe refusal that wrote nothing. */
async function refused(request: () => Promise<Reply>, expected: Expectation): Promise<GqlError> {
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

const BAD_INPUT = ['BAD_USER_INPUT'];
const MISSING = ['NOT_FOUND', 'BAD_USER_INPUT'];

beforeAll(async () => {
  t = await createTestApp();
  server = await t.http();
  admin = { authorization: `Bearer ${await t.adminToken()}` };

  const { auth } = t.app.services;
  await auth.createUser({ email: 'viewer@bad-input.test', name: 'Vera Viewer', role: 'viewer', password: 'viewer-password-1' });
  viewer = { authorization: `Bearer ${(await auth.signIn('viewer@bad-input.test', 'viewer-password-1')).token}` };
  readKey = { 'x-api-key': (await auth.createApiKey({ name: 'dashboard', scopes: ['scores:read'] })).secret };
  const expiring = await auth.createApiKey({ name: 'trial-key', scopes: ['leads:write'], expiresAt: new Date(Date.now() + 3_600_000) });
  await t.sql(`UPDATE api_key SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.apiKey.id]);
  expiredKey = { secret: expiring.secret, prefix: expiring.apiKey.prefix };
  const old = await auth.createApiKey({ name: 'old-website', scopes: ['leads:write', 'scores:read'] });
  await auth.revokeApiKey(old.apiKey.id);
  revokedKey = { secret: old.secret, prefix: old.apiKey.prefix };

  const created = await gql(
    `mutation { upsertLead(input: { externalId: "bi-1", attributes: { industry: "software", companySize: 800 } }) { id } }`,
  );
  expect(created.json?.errors).toBeUndefined();
  const [active] = await t.app.services.ruleSets.activeRuleSets(t.app.dataSource.manager);
  activeVersionId = active.versionId;
  activeDefinition = structuredClone(active.definition) as unknown as Record<string, unknown>;
});
afterAll(async () => {
  await t?.close();
});

const schema = buildSchema(readFileSync(path.join(REPO_ROOT, 'schema.graphql'), 'utf8'));

/** A minimal value that coerces to the type: required fields only, first enum value, plausible scalars. */
function sample(type: GraphQLInputType, name: string): unknown {
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

describe('malformed requests', () => {
  it.each([
    ['truncated JSON', '{"query": "{ leads { totalCount } "'],
    ['not JSON at all', 'query { leads { totalCount } }'],
    ['a trailing comma', '{"query": "{ me { actor } }",}'],
    ['a JSON string instead of an object', '"{ me { actor } }"'],
  ])('%s: 400 "Request body is not valid JSON"', async (_name, body) => {
    await refused(() => send(body, admin), { status: 400, codes: ['BAD_REQUEST'], message: /^Request body is not valid JSON$/ });
  });

  it('a body without a query, or a query that is not a string: 400', async () => {
    await refused(() => send({ variables: {} }, admin), { status: 400, codes: ['BAD_REQUEST'], message: /query/i });
    await refused(() => send({ query: 42 }, admin), { status: 400, codes: ['BAD_REQUEST'], message: /string/i });
    await refused(() => send({ query: '{ me { actor } }', variables: 'not an object' }, admin), {
      status: 400,
      codes: ['BAD_REQUEST'],
      message: /variables/i,
    });
  });

  it('GraphQL syntax errors: 400 GRAPHQL_PARSE_FAILED', async () => {
    await refused(() => gql('mutation { upsertLead(input: { externalId: "x" } { id } }'), {
      status: 400,
      codes: ['GRAPHQL_PARSE_FAILED'],
      message: /Syntax Error/,
    });
  });

  it('a text/plain body (a cross-site form post) is refused by CSRF prevention', async () => {
    await refused(
      () =>
        send(JSON.stringify({ query: 'mutation { upsertLead(input: { externalId: "csrf" }) { id } }' }), {
          ...admin,
          'content-type': 'text/plain',
        }),
      { status: 400, codes: ['BAD_REQUEST'], message: /CSRF|preflight/i },
    );
  });

  it('a batched request (JSON array body) is refused clearly, and none of its operations runs', async () => {
    const upsert = (id: string) => ({ query: `mutation { upsertLead(input: { externalId: "${id}" }) { id } }` });
    await refused(() => send([upsert('batch-1'), upsert('batch-2')], admin), { status: 400, codes: ['BAD_REQUEST'], message: /batch/i });
    await refused(() => send([{ query: '{ me { actor } }' }], admin), { status: 400, codes: ['BAD_REQUEST'], message: /batch/i });
  });
});

describe('wrongly typed variables', () => {
  const UPSERT = 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }';
  const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }';
  const activity = { leadExternalId: 'bi-1', type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'bi-typed-1' };

  it.each([
    ['a number for a String', UPSERT, { input: { externalId: 42 } }, /input\.externalId|String cannot represent/],
    [
      'a string for the attributes object',
      UPSERT,
      { input: { externalId: 'typed-1', attributes: 'industry=software' } },
      /attributes|JSONObject/,
    ],
    ['a list for the input object', UPSERT, { input: [{ externalId: 'typed-2' }] }, /UpsertLeadInput|input/],
    ['a missing required variable', UPSERT, {}, /\$input.*not provided/],
    ['an unknown field in the input', UPSERT, { input: { externalId: 'typed-3', score: 100 } }, /score/],
    ['an unknown enum value', RECORD, { input: { ...activity, type: 'TELEPATHY' } }, /TELEPATHY/],
    ['a malformed date-time', RECORD, { input: { ...activity, occurredAt: 'yesterday' } }, /occurredAt|DateTime/],
    ['a boolean for an Int', 'query($first: Int) { leads(first: $first) { totalCount } }', { first: true }, /Int cannot represent/],
    ['a string for an Int', 'query($first: Int) { leads(first: $first) { totalCount } }', { first: 'ten' }, /Int cannot represent/],
    ['an Int beyond 32 bits', 'query($first: Int) { leads(first: $first) { totalCount } }', { first: 2 ** 40 }, /Int cannot represent/],
  ])('%s: BAD_USER_INPUT naming the variable', async (_name, query, variables, message) => {
    await refused(() => gql(query, variables), { codes: BAD_INPUT, message });
  });

  it('an argument the schema does not have, or a field of the wrong type in the query text: validation error', async () => {
    await refused(() => gql('{ lead(externalId: "bi-1", bogus: 1) { id } }'), {
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
      message: /bogus/,
    });
    await refused(() => gql('{ leads(first: "ten") { totalCount } }'), {
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
      message: /Int cannot represent/,
    });
    await refused(() => gql('{ lead(externalId: "bi-1") { password } }'), {
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
      message: /password/,
    });
  });

  it('an out-of-range page size: BAD_USER_INPUT naming first (or too complex, for a huge one)', async () => {
    await refused(() => gql('{ leads(first: 201) { totalCount } }'), {
      codes: BAD_INPUT,
      problems: ['first'],
      message: /between 1 and 200/,
    });
    await refused(() => gql('{ leads(first: -1) { totalCount } }'), { codes: BAD_INPUT, problems: ['first'] });
    await refused(() => gql('{ lead(externalId: "bi-1") { activities(first: 0) { totalCount } } }'), {
      codes: BAD_INPUT,
      problems: ['first'],
    });
    await refused(() => gql('{ leads(first: 100000) { totalCount } }'), { status: 400, codes: ['QUERY_TOO_COMPLEX'] });
  });

  it('lead filters of the wrong shape: BAD_USER_INPUT naming the filter field', async () => {
    await refused(() => gql('{ leads(filter: { attributes: [{ name: "shoeSize", values: [42] }] }) { totalCount } }'), {
      codes: BAD_INPUT,
      problems: ['filter.attributes[0].name'],
    });
    await refused(() => gql('{ leads(filter: { attributes: [{ name: "industry", values: [] }] }) { totalCount } }'), {
      codes: BAD_INPUT,
      problems: ['filter.attributes[0].values'],
    });
    await refused(() => gql(`{ leads(filter: { search: "${'s'.repeat(300)}" }) { totalCount } }`), {
      codes: BAD_INPUT,
      problems: ['filter.search'],
    });
  });
});

describe('oversized values', () => {
  const HUGE = 'x'.repeat(300_000);

  it('a 300,000-character attribute is BAD_USER_INPUT naming input.attributes.jobTitle, and is not echoed', async () => {
    let reply: Reply | undefined;
    await refused(
      async () =>
        (reply = await gql('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', {
          input: { externalId: 'huge-1', attributes: { jobTitle: HUGE } },
        })),
      { codes: BAD_INPUT, problems: ['input.attributes.jobTitle'], message: /input\.attributes\.jobTitle: at most 500 characters/ },
    );
    expect(reply!.text.length).toBeLessThan(5_000);
  });

  it('a 300,000-character externalId, activity property or idempotency key is BAD_USER_INPUT naming the field', async () => {
    await refused(() => gql('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', { input: { externalId: HUGE } }), {
      codes: BAD_INPUT,
      problems: ['input.externalId'],
    });
    const activity = { leadExternalId: 'bi-1', type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'bi-huge-prop' };
    const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }';
    await refused(() => gql(RECORD, { input: { ...activity, properties: { note: HUGE } } }), {
      codes: BAD_INPUT,
      problems: ['input.properties.note'],
    });
    await refused(() => gql(RECORD, { input: { ...activity, idempotencyKey: HUGE } }), {
      codes: BAD_INPUT,
      problems: ['input.idempotencyKey'],
    });
  });

  it('a body over 1 MB is 413', async () => {
    await refused(
      () =>
        gql('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', {
          input: { externalId: 'too-big', attributes: { jobTitle: 'y'.repeat(1_100_000) } },
        }),
      { status: 413, codes: ['PAYLOAD_TOO_LARGE'], message: /larger than 1mb/ },
    );
  });

  it('recordActivities with 501 items is BAD_USER_INPUT and records none of them', async () => {
    const now = Date.now();
    const items = Array.from({ length: 501 }, (_, i) => ({
      leadExternalId: 'bi-1',
      type: 'PAGE_VIEW',
      occurredAt: new Date(now - i * 60_000).toISOString(),
      idempotencyKey: `bi-batch-${i}`,
    }));
    await refused(
      () =>
        gql('mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { results { duplicate } } }', { input: items }),
      { codes: BAD_INPUT, problems: ['input'], message: /at most 500 activities per batch, got 501/ },
    );
  });
});

describe('query limits', () => {
  it('a query deeper than 12 (through connections and fragments) is refused', async () => {
    // lead > activities > edges > node, then eleven nested fragment spreads on Lead before it.
    const spreads = Array.from(
      { length: 11 },
      (_, i) => `fragment L${i} on Lead { ${i === 10 ? 'activities(first: 1) { edges { node { id } } }' : `...L${i + 1}`} }`,
    );
    const viaFragments = `{ lead(externalId: "bi-1") { ...L0 } } ${spreads.join(' ')}`;
    await refused(() => gql(viaFragments), { status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], message: /depth limit of 12 exceeded/ });

    const inline = (depth: number): string =>
      depth === 0 ? 'scoreHistory(first: 1) { edges { node { new { total } } } }' : `... on Lead { ${inline(depth - 1)} }`;
    const viaInlineFragments = `{ leads(first: 1) { edges { node { ${inline(10)} } } } }`;
    await refused(() => gql(viaInlineFragments), {
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
      message: /depth limit of 12 exceeded/,
    });
  });

  it('100 aliases of one field are refused', async () => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: lead(externalId: "bi-1") { id }`).join(' ')} }`;
    await refused(() => gql(query), {
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
      message: /Aliases limit of 20 exceeded, found 100/,
    });
  });

  it('a query with more than 4,000 tokens is refused before it is validated', async () => {
    const cells = Array.from({ length: 4_100 }, () => '"A1"').join(', ');
    await refused(() => gql(`{ leads(first: 1, filter: { cells: [${cells}] }) { totalCount } }`), {
      status: 400,
      codes: ['GRAPHQL_PARSE_FAILED'],
      message: /4000 tokens/,
    });
  });

  it('thousands of copies of one field are refused (graphql-js aborts the overlap check)', async () => {
    const query = `{ lead(externalId: "bi-1") { ${Array.from({ length: 2_500 }, () => 'id').join(' ')} } }`;
    await refused(() => gql(query), { status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'], message: /aborted/ });
  });

  it('a query whose list sizes multiply past the cost limit is QUERY_TOO_COMPLEX', async () => {
    const query = '{ leads(first: 200) { edges { node { activities(first: 200) { edges { node { id } } } } } } }';
    await refused(() => gql(query), {
      status: 400,
      codes: ['QUERY_TOO_COMPLEX'],
      message: /Query is too complex: cost \d+, at most 25000/,
    });
    // The same through variables; the cost of one document is remembered per value of the variables it depends on.
    const byVariable =
      'query($n: Int, $id: String, $deep: Boolean!) { leads(first: $n, filter: { search: $id }) { edges { node { activities(first: $n) @include(if: $deep) { edges { node { id } } } } } } }';
    expect((await gql(byVariable, { n: 2, id: 'a', deep: true })).json?.errors).toBeUndefined();
    await refused(() => gql(byVariable, { n: 200, id: 'a', deep: true }), { status: 400, codes: ['QUERY_TOO_COMPLEX'] });
    expect((await gql(byVariable, { n: 200, id: 'b', deep: false })).json?.errors).toBeUndefined(); // the nested list is skipped
    await refused(() => gql(byVariable, { n: 200, id: 'c', deep: true }), { status: 400, codes: ['QUERY_TOO_COMPLEX'] });
    expect((await gql(byVariable, { n: 2, id: 'c', deep: true })).json?.errors).toBeUndefined();
  });
});

describe('invalid rule sets', () => {
  function broken(): Record<string, unknown> {
    const definition = structuredClone(activeDefinition) as {
      grades: Record<string, number>;
      rules: Array<{ conditions: unknown; event: { params: Record<string, unknown> } }>;
    };
    definition.grades = { A: 20, B: 40, C: 60 }; // out of order
    definition.rules[0].conditions = { all: [{ fact: 'shoeSize', operator: 'greaterThan', value: 42 }] }; // unknown fact
    definition.rules[1].event.params.points = 'ten'; // wrong type
    return definition as unknown as Record<string, unknown>;
  }

  it('createDraft with an invalid definition: BAD_USER_INPUT naming each problem under input.definition', async () => {
    const error = await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: broken() },
        }),
      { codes: BAD_INPUT },
    );
    const paths = (error.extensions?.problems ?? []).map((problem) => problem.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const problemPath of paths) expect(problemPath).toMatch(/^input\.definition(\.|$)/);
    expect(error.extensions?.reason).toBe('INVALID_RULE_SET');
  });

  it('saveDraft with an invalid definition: BAD_USER_INPUT with paths, nothing saved', async () => {
    const error = await refused(
      () =>
        gql('mutation($input: SaveDraftInput!) { saveDraft(input: $input) { id } }', {
          input: { versionId: activeVersionId, expectedRevision: 1, definition: broken() },
        }),
      { codes: BAD_INPUT },
    );
    const paths = (error.extensions?.problems ?? []).map((problem) => problem.path);
    expect(paths.length).toBeGreaterThan(0);
    for (const problemPath of paths) expect(problemPath).toMatch(/^input\.definition(\.|$)/);
  });

  it('a definition that is not a rule set at all, and one for another key', async () => {
    await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: { hello: 'world' } },
        }),
      {
        codes: BAD_INPUT,
      },
    );
    await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: { ...activeDefinition, key: 'someone-else' } },
        }),
      { codes: BAD_INPUT, problems: ['input.definition.key'] },
    );
    await refused(
      () =>
        gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
          input: { ruleSetKey: 'default-b2b', definition: [1, 2] },
        }),
      {
        codes: BAD_INPUT,
        message: /JSONObject|object/,
      },
    );
  });
});

describe('unknown ids', () => {
  it.each([
    ['lead id 999999', '{ lead(id: "999999") { id } }'],
    ['lead id "abc"', '{ lead(id: "abc") { id } }'],
    ['lead id beyond bigint', '{ lead(id: "99999999999999999999") { id } }'],
    ['unknown lead externalId', '{ lead(externalId: "nobody") { id } }'],
    ['rule set version id "abc"', '{ ruleSetVersion(id: "abc") { id } }'],
    ['rule set version id 999999', '{ ruleSetVersion(id: "999999") { id } }'],
    ['rescore job 12345', '{ rescoreJob(id: "12345") { id } }'],
    ['rescore job "abc"', '{ rescoreJob(id: "abc") { id } }'],
    ['unknown rule set key', '{ ruleSet(key: "no-such-rules") { id } }'],
    ['diff from version "abc"', '{ ruleSetDiff(fromVersionId: "abc", toVersionId: "1") { identical } }'],
    ['reviews of version "abc"', '{ ruleSetReviews(versionId: "abc") { id } }'],
    ['simulate on lead 999999', '{ simulateRuleSet(input: { leadId: "999999" }) { candidate { score { total } } } }'],
    ['webhook deliveries of endpoint "abc"', '{ webhookDeliveries(endpointId: "abc") { edges { cursor } } }'],
    ['a cursor that is not one', '{ leads(after: "not-a-cursor") { totalCount } }'],
    [
      'an activity cursor with garbage inside',
      `{ lead(externalId: "bi-1") { activities(after: "${Buffer.from(JSON.stringify(['activity', 'not a date', 'x'])).toString('base64url')}") { totalCount } } }`,
    ],
    [
      'a score history cursor with garbage inside',
      `{ lead(externalId: "bi-1") { scoreHistory(after: "${Buffer.from(JSON.stringify(['history', 'x'])).toString('base64url')}") { edges { cursor } } } }`,
    ],
    [
      'a lead cursor with garbage inside',
      `{ leads(after: "${Buffer.from(JSON.stringify(['SCORE_DESC', 'x', 'y'])).toString('base64url')}") { totalCount } }`,
    ],
    [
      'a lead cursor (by creation) with garbage inside',
      `{ leads(orderBy: CREATED_DESC, after: "${Buffer.from(JSON.stringify(['CREATED_DESC', 7, {}])).toString('base64url')}") { totalCount } }`,
    ],
    [
      'an audit cursor with garbage inside',
      `{ auditLog(after: "${Buffer.from(JSON.stringify(['audit', 'x'])).toString('base64url')}") { edges { cursor } } }`,
    ],
    [
      'a webhook delivery cursor with garbage inside',
      `{ webhookDeliveries(after: "${Buffer.from(JSON.stringify(['delivery', '1e99'])).toString('base64url')}") { edges { cursor } } }`,
    ],
    ['simulate version "abc"', '{ simulateRuleSet(input: { versionId: "abc", facts: {} }) { candidate { score { total } } } }'],
    ['simulate lead "abc"', '{ simulateRuleSet(input: { leadId: "abc" }) { candidate { score { total } } } }'],
    ['diff to version "abc"', `{ ruleSetDiff(fromVersionId: "1", toVersionId: "abc") { identical } }`],
    ['an audit cursor that is not one', '{ auditLog(after: "nope") { edges { cursor } } }'],
  ])('query: %s -> NOT_FOUND or BAD_USER_INPUT', async (_name, query) => {
    await refused(() => gql(query), { codes: MISSING });
  });

  it.each([
    [
      'recordActivity for an unknown lead',
      'mutation { recordActivity(input: { leadExternalId: "nobody", type: PAGE_VIEW, occurredAt: "2025-01-01T00:00:00Z", idempotencyKey: "bi-ghost" }) { duplicate } }',
    ],
    ['revokeApiKey 999999', 'mutation { revokeApiKey(id: "999999") { id } }'],
    ['revokeApiKey "abc"', 'mutation { revokeApiKey(id: "abc") { id } }'],
    ['revokeApiKey beyond bigint', 'mutation { revokeApiKey(id: "99999999999999999999") { id } }'],
    ['publishVersion 999999', 'mutation { publishVersion(versionId: "999999") { version { id } } }'],
    ['publishVersion "abc"', 'mutation { publishVersion(versionId: "abc") { version { id } } }'],
    ['submitForReview "abc"', 'mutation { submitForReview(versionId: "abc") { id } }'],
    ['saveDraft of version 999999', 'mutation { saveDraft(input: { versionId: "999999", expectedRevision: 1, definition: {} }) { id } }'],
    ['createDraft copying version "abc"', 'mutation { createDraft(input: { ruleSetKey: "default-b2b", copyOfVersionId: "abc" }) { id } }'],
    ['createDraft of an unknown rule set', 'mutation { createDraft(input: { ruleSetKey: "no-such-rules", copyOfVersionId: "1" }) { id } }'],
    [
      'rollbackRuleSet to version 999999',
      'mutation { rollbackRuleSet(ruleSetKey: "default-b2b", toVersionId: "999999") { version { id } } }',
    ],
    ['archiveRuleSet of an unknown key', 'mutation { archiveRuleSet(key: "no-such-rules") { id } }'],
    ['setWebhookEndpointActive 999999', 'mutation { setWebhookEndpointActive(id: "999999", active: false) { id } }'],
    ['setWebhookEndpointActive beyond bigint', 'mutation { setWebhookEndpointActive(id: "99999999999999999999", active: false) { id } }'],
  ])('mutation: %s -> NOT_FOUND or BAD_USER_INPUT, nothing written', async (_name, query) => {
    await refused(() => gql(query), { codes: MISSING });
  });
});

describe('the same mutations with ids that exist', () => {
  it('setWebhookEndpointActive on a real endpoint answers it (on either database), and an unknown one writes no audit entry', async () => {
    const created = await gql(
      'mutation { createWebhookEndpoint(input: { name: "crm", url: "https://example.com/hook", events: ["lead.qualified"] }) { endpoint { id } } }',
    );
    const id = (created.json!.data!.createWebhookEndpoint as { endpoint: { id: string } }).endpoint.id;
    const toggled = await gql('mutation($id: ID!) { setWebhookEndpointActive(id: $id, active: false) { id active } }', { id });
    expect(toggled.json).toEqual({ data: { setWebhookEndpointActive: { id, active: false } } });
    await refused(() => gql('mutation { setWebhookEndpointActive(id: "999998", active: true) { id } }'), {
      codes: ['NOT_FOUND'],
      message: /No webhook endpoint with id "999998"/,
    });
  });
});

describe('credentials that no longer hold', () => {
  const LEADS = '{ leads(first: 1) { totalCount } }';
  const UPSERT = 'mutation { upsertLead(input: { externalId: "with-dead-key" }) { id } }';

  it('an expired API key: 401 UNAUTHENTICATED saying it expired, for a read or a write', async () => {
    for (const [query, headers] of [
      [LEADS, { 'x-api-key': expiredKey.secret }],
      [UPSERT, { authorization: `Bearer ${expiredKey.secret}` }],
    ] as const) {
      const error = await refused(() => gql(query, {}, headers), {
        status: 401,
        codes: ['UNAUTHENTICATED'],
        message: /^API key "trial-key" \(lsk_[0-9a-f]{12}\) expired on \d{4}-/,
      });
      expect(error.extensions?.reason).toBe('API_KEY_EXPIRED');
    }
  });

  it('a revoked API key: 401 UNAUTHENTICATED saying it was revoked', async () => {
    for (const [query, headers] of [
      [LEADS, { authorization: `Bearer ${revokedKey.secret}` }],
      [UPSERT, { 'x-api-key': revokedKey.secret }],
    ] as const) {
      const error = await refused(() => gql(query, {}, headers), {
        status: 401,
        codes: ['UNAUTHENTICATED'],
        message: /^API key "old-website" \(lsk_[0-9a-f]{12}\) was revoked on \d{4}-/,
      });
      expect(error.extensions?.reason).toBe('API_KEY_REVOKED');
    }
  });

  it('no credentials, a malformed header, or a forged key: 401 with a reason', async () => {
    await refused(() => gql(UPSERT, {}, {}), { status: 401, codes: ['UNAUTHENTICATED'], message: /^Sign in or send an API key$/ });
    await refused(() => gql(UPSERT, {}, { authorization: 'Token abc' }), { status: 401, codes: ['UNAUTHENTICATED'], message: /Bearer/ });
    await refused(() => gql(UPSERT, {}, { 'x-api-key': `${revokedKey.prefix}_${'A'.repeat(43)}` }), {
      status: 401,
      codes: ['UNAUTHENTICATED'],
      message: /^API key not recognised$/,
    });
    await refused(() => gql(UPSERT, {}, { 'x-api-key': 'lsk_short' }), {
      status: 401,
      codes: ['UNAUTHENTICATED'],
      message: /^API key not recognised$/,
    });
  });
});

describe('every mutation, called without the right role', () => {
  const mutations = Object.values(schema.getMutationType()!.getFields());
  /** Mutations any caller may use; a viewer (or a scores:read key) may call nothing else. */
  const OPEN_TO_ANY_CALLER = ['signIn', 'signOut'];

  function operationFor(field: (typeof mutations)[number]): { query: string; variables: Record<string, unknown> } {
    const required = field.args.filter((arg) => isNonNullType(arg.type));
    const definitions = required.length ? `(${required.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ')})` : '';
    const args = required.length ? `(${required.map((arg) => `${arg.name}: $${arg.name}`).join(', ')})` : '';
    const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
    return {
      query: `mutation ${field.name}Check${definitions} { ${field.name}${args}${selection} }`,
      variables: Object.fromEntries(required.map((arg) => [arg.name, sample(arg.type, arg.name)])),
    };
  }

  it('the schema has the mutations this test expects to see', () => {
    expect(mutations.length).toBeGreaterThanOrEqual(20);
    for (const name of OPEN_TO_ANY_CALLER) expect(mutations.map((field) => field.name)).toContain(name);
  });

  /** Mutations on the caller's own account, which any signed-in user may use. */
  const OWN_ACCOUNT = ['changePassword'];
  const guarded = mutations.filter((field) => !OPEN_TO_ANY_CALLER.includes(field.name) && !OWN_ACCOUNT.includes(field.name));
  it.each(guarded.map((field) => [field.name, field] as const))(
    '%s: FORBIDDEN for a viewer and for a scores:read key, nothing written',
    async (name, field) => {
      const { query, variables } = operationFor(field);
      for (const [who, headers] of [
        ['viewer', viewer],
        ['scores:read key', readKey],
      ] as const) {
        const error = await refused(() => gql(query, variables, headers), { codes: ['FORBIDDEN', 'UNAUTHENTICATED'] });
        expect(error.message, `${name} as ${who}`).toMatch(/needs|may not|Only/);
        expect(error.message, `${name} as ${who}`).toContain(name);
      }
    },
  );

  it("signOut with an API key ends nothing (false); with the viewer's own session it ends that session only", async () => {
    const byKey = await gql('mutation { signOut }', {}, readKey);
    expect(byKey.json?.data).toEqual({ signOut: false });
    const { token } = await t.app.services.auth.signIn('viewer@bad-input.test', 'viewer-password-1');
    const own = await gql('mutation { signOut }', {}, { authorization: `Bearer ${token}` });
    expect(own.json?.data).toEqual({ signOut: true });
    // The other viewer session still works.
    const still = await gql('{ me { actor } }', {}, viewer);
    expect(still.json?.data).toEqual({ me: { actor: 'user:viewer@bad-input.test' } });
  });
});

describe('NUL characters and unpaired surrogates, in every string input', () => {
  const NUL = 'acme\u0000corp';
  const SURROGATE = 'acme\ud800corp';
  const NOT_TEXT = ['Int', 'Float', 'Boolean'];

  /** A string-typed leaf (String, ID, DateTimeISO, JSON...) inside an argument, by its path segments. */
  interface Leaf {
    segments: Array<string | number>;
    json: boolean;
  }

  function* textLeaves(type: GraphQLInputType, depth = 0): Generator<Leaf> {
    if (isNonNullType(type)) return yield* textLeaves(type.ofType, depth);
    if (isListType(type)) {
      for (const leaf of textLeaves(type.ofType, depth)) yield { ...leaf, segments: [0, ...leaf.segments] };
      return;
    }
    if (isEnumType(type)) return;
    if (isInputObjectType(type)) {
      if (depth > 4) return; // recursive input types: four levels show the walk goes all the way down
      for (const field of Object.values(type.getFields())) {
        for (const leaf of textLeaves(field.type, depth + 1)) yield { ...leaf, segments: [field.name, ...leaf.segments] };
      }
      return;
    }
    if (NOT_TEXT.includes(type.name)) return;
    yield { segments: [], json: type.name === 'JSON' || type.name === 'JSONObject' };
  }

  /** The argument's minimal value with `bad` at the leaf. */
  function withBad(type: GraphQLInputType, segments: Array<string | number>, bad: unknown, name: string): unknown {
    if (isNonNullType(type)) return withBad(type.ofType, segments, bad, name);
    if (segments.length === 0) return bad;
    const [head, ...rest] = segments;
    if (isListType(type)) return [withBad(type.ofType, rest, bad, name)];
    if (!isInputObjectType(type)) throw new Error(`no field ${String(head)} in ${type.toString()}`);
    const field = type.getFields()[head as string];
    return { ...(sample(type, name) as Record<string, unknown>), [head]: withBad(field.type, rest, bad, field.name) };
  }

  const pathOf = (name: string, segments: Array<string | number>) =>
    name + segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

  interface Case {
    title: string;
    query: string;
    variables: Record<string, unknown>;
    path: string;
  }

  const cases: Case[] = [];
  for (const [kind, root] of [
    ['query', schema.getQueryType()!],
    ['mutation', schema.getMutationType()!],
  ] as const) {
    for (const field of Object.values(root.getFields())) {
      for (const arg of field.args) {
        for (const leaf of textLeaves(arg.type)) {
          // The targeted argument, and the other required ones at their minimal values.
          const used = field.args.filter((other) => other === arg || isNonNullType(other.type));
          const definitions = `(${used.map((other) => `$${other.name}: ${other.type.toString()}`).join(', ')})`;
          const args = `(${used.map((other) => `${other.name}: $${other.name}`).join(', ')})`;
          const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
          const query = `${kind} ${field.name}Hygiene${definitions} { ${field.name}${args}${selection} }`;
          const base = Object.fromEntries(
            used.filter((other) => other !== arg).map((other) => [other.name, sample(other.type, other.name)]),
          );
          const at = pathOf(arg.name, leaf.segments);
          const bads: Array<[string, unknown, string]> = leaf.json
            ? [
                ['a NUL in a nested value', { deep: [{ note: NUL }] }, `${at}.deep[0].note`],
                ['an unpaired surrogate in a nested value', { deep: [{ note: SURROGATE }] }, `${at}.deep[0].note`],
                ['a NUL in a key', { deep: { [NUL]: 1 } }, `${at}.deep[${JSON.stringify(NUL)}]`],
                ['an unpaired surrogate in a key', { [SURROGATE]: 'x' }, `${at}[${JSON.stringify(SURROGATE)}]`],
              ]
            : [
                ['a NUL', NUL, at],
                ['an unpaired surrogate', SURROGATE, at],
              ];
          for (const [what, bad, path] of bads) {
            cases.push({
              title: `${field.name}: ${what} in ${path}`,
              query,
              variables: { ...base, [arg.name]: withBad(arg.type, leaf.segments, bad, arg.name) },
              path,
            });
          }
        }
      }
    }
  }

  it('covers every text argument and input field of the schema (both cases each)', () => {
    const paths = new Set(cases.map((c) => `${/^\w+ (\w+)/.exec(c.query)![1]}:${c.path}`));
    expect(cases.length).toBeGreaterThan(200);
    for (const wanted of [
      'upsertLeadHygiene:input.externalId',
      'upsertLeadHygiene:input.attributes.deep[0].note',
      'createDraftHygiene:input.definition.deep[0].note',
      'recordActivityHygiene:input.properties.deep[0].note',
      'leadsHygiene:filter.attributes[0].name',
    ]) {
      expect(paths).toContain(wanted);
    }
  });

  it.each(cases.map((c) => [c.title, c] as const))(
    '%s: BAD_USER_INPUT naming the field, nothing written',
    async (_title, { query, variables, path }) => {
      const error = await refused(() => gql(query, variables), { status: 400, codes: BAD_INPUT, problems: [path] });
      expect(error.extensions?.reason).toBe('INVALID_CHARACTERS');
      expect(error.message).toContain(path);
    },
  );

  it('a whole rule set pushed with a NUL or a surrogate deep inside is refused naming the rule', async () => {
    for (const bad of [NUL, SURROGATE]) {
      const definition = structuredClone(activeDefinition) as { rules: Array<{ name: string }> };
      definition.rules[2].name = bad;
      await refused(
        () =>
          gql('mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }', {
            input: { ruleSetKey: 'default-b2b', definition },
          }),
        {
          status: 400,
          codes: BAD_INPUT,
          problems: ['input.definition.rules[2].name'],
        },
      );
    }
  });

  it('string literals in the document: a NUL is refused naming the argument path; a raw or escaped lone surrogate does not parse', async () => {
    const upsertLiteral = (externalId: string) =>
      `mutation { upsertLead(input: { externalId: "ok-1", attributes: { industry: "${externalId}" } }) { id } }`;
    await refused(() => gql(upsertLiteral('soft\\u0000ware')), { status: 400, codes: BAD_INPUT, problems: ['input.attributes.industry'] });
    await refused(() => gql('{ leads(filter: { attributes: [{ name: "industry", values: ["a", "b\\u0000"] }] }) { totalCount } }'), {
      status: 400,
      codes: BAD_INPUT,
      problems: ['filter.attributes[0].values[1]'],
    });
    await refused(() => gql('query($id: String = "x\\u0000") { lead(externalId: $id) { id } }'), {
      status: 400,
      codes: BAD_INPUT,
      problems: ['id'],
    });
    await refused(() => gql(upsertLiteral('soft\\ud800ware')), {
      status: 400,
      codes: ['GRAPHQL_PARSE_FAILED'],
      message: /Invalid Unicode escape sequence/,
    });
    await refused(() => gql(upsertLiteral('soft\ud800ware')), {
      status: 400,
      codes: ['GRAPHQL_PARSE_FAILED'],
      message: /Invalid character within String/,
    });
  });

  it('a variable the operation names differently is named by the variable; valid pairs and other text pass', async () => {
    await refused(
      () =>
        gql('mutation($lead: UpsertLeadInput!) { upsertLead(input: $lead) { id } }', {
          lead: { externalId: 'ok-2', email: `a${NUL}@acme.io` },
        }),
      {
        status: 400,
        codes: BAD_INPUT,
        problems: ['lead.email'],
      },
    );
    const fine = await gql('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { attributes } }', {
      input: { externalId: 'bi-emoji-😀', attributes: { jobTitle: 'Head of 🚀 growth, Zürich \t "ops"' } },
    });
    expect(fine.json?.errors).toBeUndefined();
    expect((await t.sql(`SELECT attributes->>'jobTitle' AS title FROM lead WHERE external_id = 'bi-emoji-😀'`))[0]).toEqual({
      title: 'Head of 🚀 growth, Zürich \t "ops"',
    });
  });

  it('a deeply nested JSON value is walked without overflowing the stack', async () => {
    const depth = 20_000;
    const query = 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }';
    const body = `{"query":${JSON.stringify(query)},"variables":{"input":{"externalId":"deep-1","attributes":{"jobTitle":${'['.repeat(depth)}"a\\u0000b"${']'.repeat(depth)}}}}}`;
    const reply = await send(body, admin);
    expect(reply.status).toBe(400);
    expect(reply.json?.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(reply.json?.errors?.[0].extensions?.problems?.[0].path).toBe(`input.attributes.jobTitle${'[0]'.repeat(depth)}`);
  });
});
