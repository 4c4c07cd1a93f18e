import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../server/src/auth/principal';
import { formatDefinition, runRulesCli } from '../server/src/rulesets/rules-cli';
import { DEFAULT_B2B, type Doc, indexOfRule, ok } from './support/rule-sets';
import { createTestApp, type GqlError, type TestApp } from './support/test-app';

/*
 * Validation a marketer can rely on, through GraphQL: typos in catalog values caught with a
 * suggestion, conditions that can never hold, duplicate rules, blank conditions, schema mistakes
 * as sentences, each problem once. The rules CLI runs the same validation.
 */

interface Problem {
  path: string;
  message: string;
  severity: 'ERROR' | 'WARNING';
  suggestion: string | null;
}

const VALIDATE = `query($definition: JSONObject!, $key: String) {
  validateRuleSet(definition: $definition, ruleSetKey: $key) { valid problems { path message severity suggestion } }
}`;
const CREATE_DRAFT = 'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id } }';

let t: TestApp;
let marketer: UserPrincipal;

beforeAll(async () => {
  t = await createTestApp();
  const user = await t.app.services.auth.createUser({
    email: 'quality@acme.io',
    name: 'Quality',
    role: 'marketing',
    password: 'correct horse battery',
  });
  marketer = { kind: 'user', userId: user.id, email: user.email, name: user.name, role: 'marketing' };
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const copy = (): Doc => structuredClone(DEFAULT_B2B);

async function validate(definition: Doc): Promise<{ valid: boolean; problems: Problem[] }> {
  const { validateRuleSet } = ok(
    await t.gqlAs<{ validateRuleSet: { valid: boolean; problems: Problem[] } }>(marketer, VALIDATE, { definition, key: 'default-b2b' }),
  );
  return validateRuleSet;
}

async function refusedDraft(definition: Doc): Promise<GqlError> {
  const result = await t.gqlAs(marketer, CREATE_DRAFT, { input: { ruleSetKey: 'default-b2b', definition } });
  expect(result.errors?.length).toBe(1);
  return (result.errors as GqlError[])[0];
}

describe('validation a marketer can rely on', () => {
  it('a typo in an allowed value is caught with its suggestion, by validateRuleSet and by createDraft', async () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].conditions.all[0].value[0] = 'softwear';
    expect(await validate(doc)).toEqual({
      valid: false,
      problems: [
        {
          path: `rules[${i}].conditions.all[0].value[0]`,
          message: 'Industry "softwear" is not one of the allowed values; did you mean "software"?',
          severity: 'ERROR',
          suggestion: 'software',
        },
      ],
    });
    const error = await refusedDraft(doc);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.problems).toEqual([
      {
        path: `input.definition.rules[${i}].conditions.all[0].value[0]`,
        message: 'Industry "softwear" is not one of the allowed values; did you mean "software"?',
        suggestion: 'software',
      },
    ]);
  });

  it('a condition that can never hold is reported in words', async () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].conditions.all.push({ fact: 'industry', operator: 'equal', value: 'government' });
    const result = await validate(doc);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      {
        path: `rules[${i}].conditions`,
        message: expect.stringMatching(/^This rule can never fire: "industry" cannot be one of "software", .* and also "government"$/),
        severity: 'ERROR',
        suggestion: null,
      },
    ]);
  });

  it('a duplicate rule is a warning: shown, but the rule set stays valid and can be saved', async () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules.push({ ...structuredClone(doc.rules[i]), name: 'fit-target-industry-copy' });
    expect(await validate(doc)).toEqual({
      valid: true,
      problems: [
        {
          path: `rules[${doc.rules.length - 1}].conditions`,
          message: expect.stringMatching(/^This rule duplicates rule "fit-target-industry"/),
          severity: 'WARNING',
          suggestion: null,
        },
      ],
    });
    const saved = await t.gqlAs(marketer, CREATE_DRAFT, { input: { ruleSetKey: 'default-b2b', definition: doc } });
    expect(saved.errors).toBeUndefined();
  });

  it('a blank condition and an empty group are reported', async () => {
    const doc = copy();
    doc.rules[0].conditions.all.push({ fact: '', operator: '', value: '' });
    doc.rules[1].conditions = { all: [] };
    const result = await validate(doc);
    expect(result.valid).toBe(false);
    expect(result.problems.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'rules[0].conditions.all[1].fact', message: 'Choose a fact for this condition' },
      { path: 'rules[0].conditions.all[1].operator', message: 'Choose an operator for this condition' },
      { path: 'rules[1].conditions.all', message: 'This group has no conditions: add a condition or remove the group' },
    ]);
    const blankValue = copy();
    blankValue.rules[0].conditions.all.push({ fact: 'country', operator: 'equal', value: '' });
    expect((await validate(blankValue)).problems).toEqual([
      { path: 'rules[0].conditions.all[1].value', message: expect.stringMatching(/no value/), severity: 'ERROR', suggestion: null },
    ]);
  });

  it('schema mistakes read as sentences, each once, in validateRuleSet and in the refusal of a save', async () => {
    const doc = copy();
    doc.rules[0].name = '';
    delete doc.rules[3].event.params.points;
    const expected = [
      { path: 'rules[0].name', message: 'Rule name cannot be empty' },
      { path: 'rules[3].event.params.points', message: 'Points is required' },
    ];
    const result = await validate(doc);
    expect(result.problems.map(({ path, message }) => ({ path, message }))).toEqual(expected);
    expect(result.problems.every((problem) => problem.severity === 'ERROR')).toBe(true);
    const error = await refusedDraft(doc);
    expect(error.extensions?.problems).toEqual(expected.map((problem) => ({ ...problem, path: `input.definition.${problem.path}` })));
  });

  it('never the same problem twice, however many mistakes', async () => {
    const doc = copy();
    const i = indexOfRule(doc, 'fit-target-industry');
    doc.rules[i].conditions.all[0].value = ['softwear', 'softwear', 'Software'];
    doc.rules[i].conditions.all.push({ fact: 'industry', operator: 'equal', value: 'softwear' });
    doc.rules.push({ ...structuredClone(doc.rules[i]), name: 'again' });
    doc.sharedConditions.decisionMaker.any.push({ fact: 'seniority', operator: 'in', value: ['C-Level', 'vp'] });
    const { problems } = await validate(doc);
    expect(problems.length).toBeGreaterThan(3);
    const keys = problems.map((problem) => `${problem.path} ${problem.message}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const problem of problems) expect(problem.message).toMatch(/^[A-Z"]/);
  });

  it('the rules CLI runs the same validation: the suggestion in the error, warnings shown without failing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'validation-quality-'));
    try {
      const print = (lines: string[]) => (line: string) => lines.push(...line.split('\n'));
      const typo = copy();
      typo.sharedConditions.decisionMaker.any[0].value = ['C-Level', 'vp', 'director'];
      const typoFile = path.join(dir, 'typo.json');
      writeFileSync(typoFile, formatDefinition(typo));
      const typoLines: string[] = [];
      expect(await runRulesCli(['validate', typoFile], { url: 'http://127.0.0.1:9', print: print(typoLines) })).toBe(1);
      expect(typoLines).toEqual([
        `✗ ${typoFile}: 1 problem`,
        '  sharedConditions.decisionMaker.any[0].value[0]: Seniority "C-Level" is not one of the allowed values; did you mean "c_level"?',
      ]);

      const duplicate = copy();
      duplicate.rules.push({ ...structuredClone(duplicate.rules[0]), name: 'again' });
      const duplicateFile = path.join(dir, 'duplicate.json');
      writeFileSync(duplicateFile, formatDefinition(duplicate));
      const duplicateLines: string[] = [];
      expect(await runRulesCli(['validate', duplicateFile], { url: 'http://127.0.0.1:9', print: print(duplicateLines) })).toBe(0);
      expect(duplicateLines).toEqual([
        `✓ ${duplicateFile}`,
        expect.stringMatching(
          new RegExp(
            `^  warning: rules\\[${duplicate.rules.length - 1}\\]\\.conditions: This rule duplicates rule "${duplicate.rules[0].name}"`,
          ),
        ),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
