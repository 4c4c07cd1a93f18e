/**
 * Rule set definitions built to make the service work without bound: shared conditions that each
 * use the next one twice (the work json-rules-engine does doubles per link) and conditions nested
 * thousands deep. Over HTTP, as the least privileged caller that can send each request: a clear
 * BAD_USER_INPUT naming the path, never a 5xx, nothing written, and the event loop keeps turning.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../server/src/http/http-server';
import { RULE_SET_LIMITS } from '../server/src/rulesets/ruleset-validation';
import { createTestApp, type GqlError, type TestApp } from './support/test-app';

let t: TestApp;
let server: HttpServer;
let viewer: Record<string, string>;
let marketing: Record<string, string>;
let activeVersionId: string;
let active: Record<string, unknown>;
let draftId: string;

interface Reply {
  status: number;
  data: Record<string, unknown> | null;
  errors: GqlError[];
}

/** `variables` as an object, or as JSON text (what JSON.stringify cannot write: nesting deeper than the stack). */
async function gql(headers: Record<string, string>, query: string, variables: Record<string, unknown> | string): Promise<Reply> {
  const body = `{"query":${JSON.stringify(query)},"variables":${typeof variables === 'string' ? variables : JSON.stringify(variables)}}`;
  const response = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const reply = (await response.json()) as { data?: Record<string, unknown> | null; errors?: GqlError[] };
  return { status: response.status, data: reply.data ?? null, errors: reply.errors ?? [] };
}

/** Rows in every table a refused request could have written to. */
async function counts(): Promise<Record<string, number>> {
  const tables = [
    'rule_set',
    'rule_set_version',
    'rule_set_review',
    'backtest_run',
    'backtest_cohort',
    'rescore_job',
    'audit_log',
    'lead_score',
  ];
  const [row] = await t.sql<Record<string, number>>(
    `SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table})::int AS ${table}`).join(', ')}`,
  );
  return row;
}

/**
 * Runs the requests while measuring how long the event loop (the server runs in this process) was
 * kept from turning. Generous: a busy machine adds pauses, the attack added minutes.
 */
async function withoutStalling<T>(work: () => Promise<T>): Promise<T> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    return await work();
  } finally {
    delay.disable();
    expect(delay.max / 1e6, 'longest event loop stall (ms)').toBeLessThan(1_500);
  }
}

/** The active definition plus shared conditions c0..c<links>, each using the next twice; rules[0] uses c0. */
function chained(links: number): Record<string, unknown> {
  const doc = structuredClone(active) as { sharedConditions: Record<string, unknown>; rules: Array<{ conditions: unknown }> };
  const leaf = (value: number) => ({ fact: 'companySize', operator: 'greaterThan', value });
  for (let i = 0; i < links; i++) {
    doc.sharedConditions[`c${i}`] = {
      any: [{ all: [{ condition: `c${i + 1}` }, leaf(i)] }, { all: [{ not: { condition: `c${i + 1}` } }, leaf(i + 1)] }],
    };
  }
  doc.sharedConditions[`c${links}`] = { all: [leaf(links)] };
  doc.rules[0].conditions = { condition: 'c0' };
  return doc;
}

/** JSON text of a definition whose rules[0] nests `levels` conditions deep (`not` in `not` ...). */
function nested(levels: number): string {
  const doc = structuredClone(active) as { rules: Array<{ conditions: unknown }> };
  doc.rules[0].conditions = 'NESTED';
  const leaf = JSON.stringify({ fact: 'companySize', operator: 'greaterThan', value: 10 });
  return JSON.stringify(doc).replace('"NESTED"', `${'{"not":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`);
}

// 90 links: with the decisionMaker of default-b2b, 91 of the 100 shared conditions allowed.
const CHAIN = 90;
/** Where the chain first crosses the per-rule limit (c82: 2,552 conditions written out). */
const CROSSING = 'sharedConditions.c82';

/** Asserts a refusal: BAD_USER_INPUT, below 500, naming the paths. */
function expectRefused(reply: Reply, paths: string[]): void {
  const context = JSON.stringify(reply.errors).slice(0, 800);
  expect(reply.status, context).toBeLessThan(500);
  expect(reply.errors, context).toHaveLength(1);
  const [error] = reply.errors;
  expect(error.extensions?.code, context).toBe('BAD_USER_INPUT');
  const named = (error.extensions?.problems ?? []).map((problem) => problem.path);
  for (const path of paths) expect(named, context).toContain(path);
}

const VALIDATE = 'query($definition: JSONObject!) { validateRuleSet(definition: $definition) { valid problems { path message } } }';
const SIMULATE = 'query($input: SimulateInput!) { simulateRuleSet(input: $input) { candidate { score { total } } } }';
const CREATE_DRAFT = 'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id revision } }';
const SAVE_DRAFT = 'mutation($input: SaveDraftInput!) { saveDraft(input: $input) { id revision } }';
const RUN_BACKTEST = 'mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }';
const DIFF = 'query($from: ID!, $to: JSONObject) { ruleSetDiff(fromVersionId: $from, toDefinition: $to) { identical summary } }';
const COHORT = { createdFrom: '2025-01-01T00:00:00Z', createdTo: '2025-02-01T00:00:00Z', cutoffDaysAfterCreation: 30 };

beforeAll(async () => {
  t = await createTestApp();
  server = await t.http();
  const { auth } = t.app.services;
  await auth.createUser({ email: 'viewer@hardening-rules.test', name: 'Vic Viewer', role: 'viewer', password: 'viewer-password-1' });
  viewer = { authorization: `Bearer ${(await auth.signIn('viewer@hardening-rules.test', 'viewer-password-1')).token}` };
  await auth.createUser({
    email: 'marketing@hardening-rules.test',
    name: 'Mia Marketing',
    role: 'marketing',
    password: 'marketing-password-1',
  });
  marketing = { authorization: `Bearer ${(await auth.signIn('marketing@hardening-rules.test', 'marketing-password-1')).token}` };
  const [ruleSet] = await t.app.services.ruleSets.activeRuleSets(t.app.dataSource.manager);
  activeVersionId = ruleSet.versionId;
  active = structuredClone(ruleSet.definition) as unknown as Record<string, unknown>;
  const draft = await gql(marketing, CREATE_DRAFT, { input: { ruleSetKey: 'default-b2b', copyOfVersionId: activeVersionId } });
  expect(draft.errors).toEqual([]);
  draftId = (draft.data!.createDraft as { id: string }).id;
});
afterAll(async () => {
  await t?.close();
});

describe('shared conditions that each use the next one twice', () => {
  it('the attack is far beyond the limit: the chain stands for over a million conditions per lead', () => {
    expect(2 ** CHAIN).toBeGreaterThan(RULE_SET_LIMITS.maxExpandedConditionsPerRule * 1e20);
  });

  it('validateRuleSet (a viewer): invalid, naming where the chain grows too large and the rule that uses it', async () => {
    const before = await counts();
    const reply = await withoutStalling(() => gql(viewer, VALIDATE, { definition: chained(CHAIN) }));
    expect(reply.errors).toEqual([]);
    const result = reply.data?.validateRuleSet as { valid: boolean; problems: Array<{ path: string; message: string }> };
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { path: CROSSING, message: expect.stringMatching(/conditions once the shared conditions it uses are written out/) },
        { path: 'rules[0].conditions', message: expect.stringMatching(/over a million conditions .*a rule has at most 2,000/) },
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it('simulateRuleSet (a viewer): BAD_USER_INPUT naming input.definition paths', async () => {
    const before = await counts();
    const reply = await withoutStalling(() =>
      gql(viewer, SIMULATE, { input: { definition: chained(CHAIN), facts: { companySize: 500 } } }),
    );
    expectRefused(reply, [`input.definition.${CROSSING}`, 'input.definition.rules[0].conditions']);
    expect(await counts()).toEqual(before);
  });

  it('createDraft and saveDraft (marketing): BAD_USER_INPUT, no version written or changed', async () => {
    const before = await counts();
    const [draftBefore] = await t.sql('SELECT revision, definition FROM rule_set_version WHERE id = $1', [draftId]);
    await withoutStalling(async () => {
      expectRefused(await gql(marketing, CREATE_DRAFT, { input: { ruleSetKey: 'default-b2b', definition: chained(CHAIN) } }), [
        `input.definition.${CROSSING}`,
      ]);
      expectRefused(await gql(marketing, SAVE_DRAFT, { input: { versionId: draftId, expectedRevision: 1, definition: chained(CHAIN) } }), [
        `input.definition.${CROSSING}`,
        'input.definition.rules[0].conditions',
      ]);
    });
    expect(await counts()).toEqual(before);
    expect(await t.sql('SELECT revision, definition FROM rule_set_version WHERE id = $1', [draftId])).toEqual([draftBefore]);
  });

  it('runBacktest (marketing): BAD_USER_INPUT, no run or cohort written', async () => {
    const before = await counts();
    const reply = await withoutStalling(() => gql(marketing, RUN_BACKTEST, { input: { definition: chained(CHAIN), cohort: COHORT } }));
    expectRefused(reply, [`input.definition.${CROSSING}`]);
    expect(await counts()).toEqual(before);
  });

  it('ruleSetDiff against the chain (a viewer) answers without stalling', async () => {
    const reply = await withoutStalling(() => gql(viewer, DIFF, { from: activeVersionId, to: chained(CHAIN) }));
    expect(reply.errors).toEqual([]);
    expect((reply.data!.ruleSetDiff as { summary: string[] }).summary).toEqual(
      expect.arrayContaining([expect.stringMatching(/Added shared condition "c0"/)]),
    );
  });

  it('the service answers /healthz meanwhile', async () => {
    const health = await withoutStalling(async () => {
      const attack = gql(viewer, VALIDATE, { definition: chained(CHAIN) });
      const response = await fetch(`${server.url}/healthz`);
      await attack;
      return response.status;
    });
    expect(health).toBe(200);
  });
});

describe('a document full of schema mistakes', () => {
  it('validateRuleSet (a viewer) with 8,000 broken conditions: the first 200 problems and a note, without stalling', async () => {
    const doc = structuredClone(active) as { rules: Array<Record<string, unknown>> };
    doc.rules = Array.from({ length: 400 }, (_, r) => ({
      ...doc.rules[0],
      name: `r${r}`,
      conditions: { all: Array.from({ length: 20 }, () => ({ fact: 1, operator: 'x' })) },
    }));
    const reply = await withoutStalling(() => gql(viewer, VALIDATE, { definition: doc }));
    expect(reply.errors).toEqual([]);
    const result = reply.data?.validateRuleSet as { valid: boolean; problems: Array<{ path: string; message: string }> };
    expect(result.valid).toBe(false);
    expect(result.problems).toHaveLength(201);
    expect(result.problems[0].path).toMatch(/^rules\[0\]\.conditions\.all\[0\]/);
    expect(result.problems[200]).toEqual({ path: '(root)', message: expect.stringMatching(/more problems not listed/) });
  });
});

describe('conditions nested thousands deep', () => {
  it('validateRuleSet, simulateRuleSet and ruleSetDiff (a viewer): the path where it gets too deep, no 5xx', async () => {
    const before = await counts();
    await withoutStalling(async () => {
      const validated = await gql(viewer, VALIDATE, `{"definition":${nested(20_000)}}`);
      expect(validated.errors).toEqual([]);
      const result = validated.data?.validateRuleSet as { valid: boolean; problems: Array<{ path: string; message: string }> };
      expect(result).toEqual({
        valid: false,
        problems: [
          { path: expect.stringMatching(/^rules\[0\]\.conditions(\.not)+$/), message: expect.stringMatching(/nested too deeply/) },
        ],
      });

      const simulated = await gql(viewer, SIMULATE, `{"input":{"definition":${nested(20_000)},"facts":{}}}`);
      expectRefused(simulated, []);
      expect(simulated.errors[0].extensions?.problems?.[0]?.path).toMatch(/^input\.definition\.rules\[0\]\.conditions(\.not)+$/);

      const diffed = await gql(viewer, DIFF, `{"from":${JSON.stringify(activeVersionId)},"to":${nested(20_000)}}`);
      expectRefused(diffed, []);
      expect(diffed.errors[0].extensions?.problems?.[0]?.path).toMatch(/^toDefinition\.rules\[0\]\.conditions(\.not)+$/);
    });
    expect(await counts()).toEqual(before);
  });
});
