/**
 * Bad input over HTTP (test/support/bad-input.ts): whatever a client sends, the answer is a clear
 * 4xx (or a GraphQL error with a clear code), never a 5xx, a stack trace or SQL text, and nothing is
 * written.
 */
import { getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, type GraphQLInputType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBadInputKit, send, gql, refused, BAD_INPUT, schema, sample } from './support/bad-input';
import type { TestApp } from './support/test-app';

let t: TestApp;
let admin: Record<string, string>;
let viewer: Record<string, string>;
let readKey: Record<string, string>;
let activeDefinition: Record<string, unknown>;

beforeAll(async () => {
  ({ t, admin, viewer, readKey, activeDefinition } = await createBadInputKit());
});
afterAll(async () => {
  await t?.close();
});

describe('every mutation, called without the right role', () => {
  const mutations = Object.values(schema.getMutationType()!.getFields());
  /** Mutations any caller may use; a viewer (or a scores:read key) may call nothing else. */
  const OPEN_TO_ANY_CALLER = ['signIn', 'signOut', 'exchangeSsoCode'];

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

  /** Mutations on the caller's own account or credentials, which any signed-in caller may use (test/live-auth, test/sso). */
  const OWN_ACCOUNT = ['changePassword', 'createLiveTicket'];
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
