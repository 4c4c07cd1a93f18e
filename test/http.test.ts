import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';
import { printSchemaSdl } from '../server/src/graphql/schema';
import type { HttpServer } from '../server/src/http/http-server';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let server: HttpServer;
let authorization: string;

beforeAll(async () => {
  t = await createTestApp();
  server = await t.http();
  authorization = `Bearer ${await t.adminToken()}`;
});
afterAll(async () => {
  await t?.close();
});

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization, ...headers },
    body,
  });
  return {
    status: response.status,
    json: (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    },
  };
}

describe('GraphQL over HTTP', () => {
  it('passes every MUST-level graphql-http conformance audit', async () => {
    // Signed in as the admin: without credentials only signIn answers.
    const fetchFn: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', authorization);
      return fetch(input, { ...init, headers });
    };
    const audits = serverAudits({ url: server.graphqlUrl, fetchFn });
    const results = await Promise.all(audits.map((audit) => audit.fn()));
    const mustFailures = results
      .filter((result) => result.name.startsWith('MUST') && result.status !== 'ok')
      .map((result) => `${result.name}: ${'reason' in result ? result.reason : ''}`);
    expect(results.length).toBeGreaterThan(20);
    expect(mustFailures).toEqual([]);
  });

  it('answers health and readiness checks', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('upserts a lead and reads its score over HTTP', async () => {
    const created = await post(
      JSON.stringify({
        query: 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { externalId score { total cell } } }',
        variables: { input: { externalId: 'http-1', email: 'lee@globex.com', attributes: { industry: 'software' } } },
      }),
    );
    expect(created.status).toBe(200);
    expect(created.json.errors).toBeUndefined();
    const read = await post(JSON.stringify({ query: '{ lead(externalId: "http-1") { score { total cell } } }' }));
    const createdScore = (created.json.data!.upsertLead as { score: { total: number; cell: string } }).score;
    expect(createdScore.cell).toMatch(/^[A-D][1-4]$/);
    expect(read.json.data?.lead).toEqual({ score: createdScore });
  });

  it('refuses malformed JSON with a clear 400 and no stack trace', async () => {
    const response = await post('{"query": "{ leads { totalCount } "');
    expect(response.status).toBe(400);
    expect(response.json.errors?.[0].message).toBe('Request body is not valid JSON');
    expect(JSON.stringify(response.json)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('refuses an oversized body with 413 and writes nothing', async () => {
    const huge = 'x'.repeat(1_100_000);
    const response = await post(
      JSON.stringify({
        query: 'mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }',
        variables: { input: { externalId: 'too-big', attributes: { jobTitle: huge } } },
      }),
    );
    expect(response.status).toBe(413);
    expect(response.json.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await t.sql(`SELECT 1 FROM lead WHERE external_id = 'too-big'`)).toHaveLength(0);
  });

  it('reports a wrongly typed variable naming the field, without executing', async () => {
    const response = await post(
      JSON.stringify({
        query: 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }',
        variables: { input: { leadExternalId: 'http-1', type: 'PAGE_VIEW', occurredAt: 'yesterday', idempotencyKey: 'h-1' } },
      }),
    );
    expect(response.json.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.json.errors?.[0].message).toContain('occurredAt');
    expect(await t.sql(`SELECT 1 FROM activity WHERE idempotency_key = 'h-1'`)).toHaveLength(0);
  });
});

describe('schema.graphql', () => {
  it('is the schema the server serves (run `npm run schema:emit` after changing the API)', () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'schema.graphql'), 'utf8');
    expect(printSchemaSdl(t.app.schema)).toBe(committed);
  });
});
