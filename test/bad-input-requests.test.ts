/**
 * Bad input over HTTP (test/support/bad-input.ts): whatever a client sends, the answer is a clear
 * 4xx (or a GraphQL error with a clear code), never a 5xx, a stack trace or SQL text, and nothing is
 * written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/test-app';
import { createBadInputKit, send, gql, refused, BAD_INPUT, type Reply } from './support/bad-input';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  ({ t, admin } = await createBadInputKit());
});
afterAll(async () => {
  await t?.close();
});

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
    await refused(() => gql('{ leads(first: 1001) { totalCount } }'), {
      codes: BAD_INPUT,
      problems: ['first'],
      message: /between 1 and 1000/,
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
