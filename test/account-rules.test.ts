import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../server/src/auth/principal';
import type { UserPrincipal } from '../server/src/auth/principal';
import { RULES_DIR } from '../server/src/common/paths';
import { carryPlan } from '../server/src/engine/carry-plan';
import { buildFactsQuery } from '../server/src/engine/facts';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { DEFAULT_B2B, type Doc, ok } from './support/rule-sets';
import { createTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * Account rule sets through the API (validation naming the JSON path) and lead rule sets that read
 * their account: `{ fact: 'accountFitGrade', operator: 'equal', value: 'A' }` lifts a contact's fit
 * when its account scores A, on every read path (publish re-score from cached aggregates, an
 * activity's fresh facts, the simulation), and never from fired rules carried over.
 */

const ACCOUNT_DEFAULT: Doc = JSON.parse(readFileSync(path.join(RULES_DIR, 'account-default.json'), 'utf8'));
const ACCOUNT_ATTRIBUTES = JSON.parse(readFileSync(path.join(RULES_DIR, 'account-attributes.json'), 'utf8')).attributes as Array<{
  name: string;
  type: string;
  label: string;
  description: string;
  values?: string[];
}>;

const ACCOUNT_RULE = {
  name: 'fit-account-grade-a',
  conditions: { all: [{ fact: 'accountFitGrade', operator: 'equal', value: 'A' }] },
  event: { type: 'score', params: { dimension: 'fit', points: 15, label: 'Their company is an A-fit account' } },
};

/** default-b2b with the account's fit grade as a fact and a rule on it. */
function withAccountRule(extraPoints = 0): Doc {
  const doc = structuredClone(DEFAULT_B2B);
  doc.facts.push({ name: 'accountFitGrade', label: "Account's fit grade", type: 'string', source: 'account', field: 'fitGrade' });
  doc.rules.push(ACCOUNT_RULE);
  // Another rule's points only: the same facts and conditions, which would let fired rules carry over.
  doc.rules[0].event.params.points += extraPoints;
  return doc;
}

const VALIDATE = `query($definition: JSONObject!) { validateRuleSet(definition: $definition) { valid problems { path message severity } } }`;
const LEAD = `query($externalId: String!) { lead(externalId: $externalId) { id score { fit total ruleSetVersion reasons { rule points } } } }`;

interface LeadScore {
  id: string;
  score: { fit: number; total: number; ruleSetVersion: number; reasons: Array<{ rule: string; points: number }> };
}

let t: TestApp;
const people: Record<string, UserPrincipal> = {};
let accountId: string;

async function lead(externalId: string): Promise<LeadScore> {
  return ok(await t.gql<{ lead: LeadScore }>(LEAD, { externalId })).lead;
}

const firesAccountRule = (score: LeadScore['score']) => score.reasons.some((reason) => reason.rule === ACCOUNT_RULE.name);

/**
 * The account's attributes and its default account model score, written directly; the attributes
 * agree with the grade under rules/account-default.json, so that account scoring (which recomputes
 * the account after its contacts are scored) arrives at the same grade.
 */
async function setAccountGrade(grade: 'A' | 'B'): Promise<void> {
  const attributes = { industry: grade === 'A' ? 'software' : 'consulting', employees: 800, country: 'US', annualRevenue: 20_000_000 };
  await t.sql('UPDATE account SET attributes = $2 WHERE id = $1', [accountId, JSON.stringify(attributes)]);
  await t.sql(
    `INSERT INTO model_score (model, subject_id, rule_set_version_id, rule_set_key, rule_set_version, fit, engagement, total, fit_grade,
                              engagement_level, cell, band, qualified, action, action_label, scored_at)
     VALUES ('account', $1, 0, 'account-default', 1, 70, 50, 120, $2::text, 2, $2::text || '2', 'hot', true, 'account_play', 'Run the play', now())
     ON CONFLICT (model, subject_id) DO UPDATE SET fit_grade = EXCLUDED.fit_grade, cell = EXCLUDED.cell`,
    [accountId, grade],
  );
}

/** Drafts `definition` as the next version of default-b2b, has it reviewed, publishes it and waits for its re-score. */
async function publish(definition: Doc): Promise<void> {
  const { ruleSet } = ok(
    await t.gql<{ ruleSet: { activeVersionId: string } }>(`query { ruleSet(key: "default-b2b") { activeVersionId } }`),
  );
  const VERSION = 'id revision status';
  const draft = ok(
    await t.gqlAs<{ createDraft: { id: string } }>(
      people.marketing1,
      `mutation($input: CreateDraftInput!) { createDraft(input: $input) { ${VERSION} } }`,
      { input: { ruleSetKey: 'default-b2b', copyOfVersionId: ruleSet.activeVersionId } },
    ),
  ).createDraft;
  ok(
    await t.gqlAs(people.marketing1, `mutation($input: SaveDraftInput!) { saveDraft(input: $input) { ${VERSION} } }`, {
      input: { versionId: draft.id, definition, expectedRevision: 1 },
    }),
  );
  ok(await t.gqlAs(people.marketing1, `mutation($id: ID!) { submitForReview(versionId: $id) { ${VERSION} } }`, { id: draft.id }));
  for (const reviewer of [people.marketing2, people.sales1])
    ok(
      await t.gqlAs(reviewer, `mutation($input: ReviewInput!) { approveVersion(input: $input) { ${VERSION} } }`, {
        input: { versionId: draft.id },
      }),
    );
  const { publishVersion } = ok(
    await t.gql<{ publishVersion: { rescoreJob: { id: string } } }>(
      `mutation($id: ID!) { publishVersion(versionId: $id) { rescoreJob { id } } }`,
      { id: draft.id },
    ),
  );
  await until(
    async () => {
      const [job] = await t.sql<{ status: string }>('SELECT status FROM rescore_job WHERE id = $1', [publishVersion.rescoreJob.id]);
      return job.status !== 'running';
    },
    're-score job done',
    60_000,
  );
  const [job] = await t.sql<{ status: string }>('SELECT status FROM rescore_job WHERE id = $1', [publishVersion.rescoreJob.id]);
  expect(job.status).toBe('completed');
}

beforeAll(async () => {
  t = await createTestApp({ workers: true });
  for (const [name, role] of [
    ['marketing1', 'marketing'],
    ['marketing2', 'marketing'],
    ['sales1', 'sales'],
  ] as Array<[string, Role]>) {
    const user = await t.app.services.auth.createUser({ email: `${name}@acme.io`, name, role, password: 'correct horse battery' });
    people[name] = { kind: 'user', userId: user.id, email: user.email, name: user.name, role };
  }
  for (const attribute of ACCOUNT_ATTRIBUTES)
    await t.sql(
      `INSERT INTO attribute_definition (scope, name, type, label, description, allowed_values) VALUES ('account', $1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [attribute.name, attribute.type, attribute.label, attribute.description, attribute.values ?? null],
    );
  const attributes = { industry: 'consulting', companySize: 30, seniority: 'manager', country: 'FR' };
  for (const [externalId, email] of [
    ['ar-acme', 'ana@ar-acme.example'],
    ['ar-alone', 'ar-alone@gmail.com'],
  ])
    ok(
      await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, { input: { externalId, email, attributes } }),
    );
  // The lead may have joined an account by its domain already (account matching): that one is used.
  [{ id: accountId }] = await t.sql<{ id: string }>(
    `INSERT INTO account (domain, name) VALUES ('ar-acme.example', 'Acme')
     ON CONFLICT (domain) DO UPDATE SET name = EXCLUDED.name RETURNING id::text AS id`,
  );
  await t.sql(`UPDATE lead SET account_id = $1, account_source = 'manual' WHERE external_id = 'ar-acme'`, [accountId]);
  await setAccountGrade('A');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('account rule sets: validation names the path', () => {
  async function problems(definition: Doc): Promise<Array<{ path: string; message: string; severity: string }>> {
    const { validateRuleSet } = ok(
      await t.gql<{ validateRuleSet: { valid: boolean; problems: Array<{ path: string; message: string; severity: string }> } }>(VALIDATE, {
        definition,
      }),
    );
    return validateRuleSet.problems.filter((problem) => problem.severity === 'ERROR');
  }

  it('rules/account-default.json is valid against the account-scope catalog', async () => {
    expect(await problems(ACCOUNT_DEFAULT)).toEqual([]);
  });

  it('refuses activity and lead facts, and facts about an account, in an account rule set', async () => {
    const doc = structuredClone(ACCOUNT_DEFAULT);
    const at = doc.facts.length;
    doc.facts.push(
      { name: 'views', type: 'number', source: 'activity', aggregate: 'count' },
      { name: 'domain', type: 'string', source: 'lead', field: 'emailDomain' },
      { name: 'grade', type: 'string', source: 'account', field: 'fitGrade' },
    );
    const found = await problems(doc);
    expect(found.map((p) => p.path)).toEqual([`facts[${at}].source`, `facts[${at + 1}].source`, `facts[${at + 2}].source`]);
    expect(found[0].message).toContain('"contacts" fact');
    expect(found[2].message).toContain('source "attribute"');
  });

  it('refuses contacts facts in a lead rule set, and account fields of the wrong type', async () => {
    const doc = structuredClone(DEFAULT_B2B);
    const at = doc.facts.length;
    doc.facts.push(
      { name: 'engaged', type: 'number', source: 'contacts', aggregate: 'engagedCount' },
      { name: 'accountQualified', type: 'string', source: 'account', field: 'qualified' },
    );
    const found = await problems(doc);
    expect(found).toEqual([
      expect.objectContaining({ path: `facts[${at}].source`, message: expect.stringContaining('account rule set') }),
      expect.objectContaining({ path: `facts[${at + 1}].type`, message: expect.stringContaining("set the fact's type to boolean") }),
    ]);
  });

  it('checks attribute names against the account catalog and contacts parameters, with did you mean', async () => {
    const doc = structuredClone(ACCOUNT_DEFAULT);
    const employees = doc.facts.findIndex((fact: { name: string }) => fact.name === 'employees');
    doc.facts[employees] = { name: 'employees', type: 'number', source: 'attribute', attribute: 'employes' };
    const rank = doc.facts.findIndex((fact: { aggregate?: string }) => fact.aggregate === 'maxRank');
    doc.facts[rank].ranks = ['C-Level', 'vp'];
    const sum = doc.facts.findIndex((fact: { aggregate?: string }) => fact.aggregate === 'sumEngagement');
    delete doc.facts[sum].cap;
    doc.facts.push({ name: 'quiet', type: 'number', source: 'contacts', aggregate: 'daysSinceActive', roles: ['it'] });
    const found = await problems(doc);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: `facts[${employees}].attribute`, message: expect.stringContaining('did you mean "employees"?') }),
        expect.objectContaining({ path: `facts[${rank}].ranks[0]`, message: expect.stringContaining('did you mean "c_level"?') }),
        expect.objectContaining({ path: `facts[${sum}].cap`, message: expect.stringContaining('needs "cap"') }),
        expect.objectContaining({ path: `facts[${doc.facts.length - 1}].roles`, message: expect.stringContaining('takes no "roles"') }),
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('a lead rule set checks accountAttribute facts against the account catalog', async () => {
    const doc = structuredClone(DEFAULT_B2B);
    doc.facts.push({ name: 'accountIndustry', type: 'string', source: 'accountAttribute', attribute: 'industy' });
    expect(await problems(doc)).toEqual([
      expect.objectContaining({
        path: `facts[${doc.facts.length - 1}].attribute`,
        message: expect.stringContaining('did you mean "industry"?'),
      }),
    ]);
  });
});

describe("lead rule sets reading their account's score", () => {
  it('without facts about accounts, the facts query joins nothing new; with them, it reads the account', () => {
    expect(buildFactsQuery(DEFAULT_B2B).sql).not.toMatch(/account|model_score/);
    expect(buildFactsQuery(withAccountRule() as RuleSetDefinition).sql).toContain('model_score');
  });

  it('rule sets with facts about accounts never carry fired rules over', () => {
    expect(carryPlan(DEFAULT_B2B, DEFAULT_B2B)).not.toBeNull();
    expect(carryPlan(withAccountRule(), withAccountRule(1))).toBeNull();
  });

  it('the simulation reads the account of a lead', async () => {
    const SIMULATE = `query($input: SimulateInput!) { simulateRuleSet(input: $input) { candidate { facts score { fit } } } }`;
    const simulate = async (externalId: string) =>
      ok(
        await t.gql<{ simulateRuleSet: { candidate: { facts: Record<string, unknown> } } }>(SIMULATE, {
          input: { definition: withAccountRule(), leadExternalId: externalId },
        }),
      ).simulateRuleSet.candidate.facts;
    expect((await simulate('ar-acme')).accountFitGrade).toBe('A');
    expect((await simulate('ar-alone')).accountFitGrade).toBeNull();
    // An account rule set scores accounts, not the one lead a simulation takes.
    const refused = await t.gql(SIMULATE, { input: { definition: ACCOUNT_DEFAULT, leadExternalId: 'ar-acme' } });
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toContain('input.definition.subject');
  });

  it("a publish re-scores contacts from their account's grade (cached aggregates, read apart)", async () => {
    const before = await lead('ar-acme');
    await publish(withAccountRule());
    const after = await lead('ar-acme');
    expect(after.score.ruleSetVersion).toBe(2);
    expect(firesAccountRule(after.score)).toBe(true);
    expect(after.score.fit).toBe(before.score.fit + ACCOUNT_RULE.event.params.points);
    expect(firesAccountRule((await lead('ar-alone')).score)).toBe(false);
  });

  it('a later publish with the same facts and conditions does not carry the rule once the account changed', async () => {
    await setAccountGrade('B');
    await publish(withAccountRule(1));
    const after = await lead('ar-acme');
    expect(after.score.ruleSetVersion).toBe(3);
    expect(firesAccountRule(after.score)).toBe(false);
  });

  it("an activity re-scores the contact from its account's current grade (fresh facts)", async () => {
    await setAccountGrade('A');
    ok(
      await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
        input: { leadExternalId: 'ar-acme', type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'ar-acme-1' },
      }),
    );
    expect(firesAccountRule((await lead('ar-acme')).score)).toBe(true);
    await t.sql(`UPDATE lead SET account_id = NULL, account_source = NULL WHERE external_id = 'ar-acme'`);
    ok(
      await t.gql(`mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate } }`, {
        input: { leadExternalId: 'ar-acme', type: 'PAGE_VIEW', occurredAt: new Date().toISOString(), idempotencyKey: 'ar-acme-2' },
      }),
    );
    expect(firesAccountRule((await lead('ar-acme')).score)).toBe(false);
  });
});
