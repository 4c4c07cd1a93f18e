import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_SUGGESTIONS_USAGE, applySuggestionsCommand } from '../server/src/backtests/apply-suggestions-cli';
import { runRulesCli, type CliIo } from '../server/src/rulesets/rules-cli';
import { FITTED_COHORT, insertFittedCohort } from './support/fitted-cohort';
import { createTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let runId: string;
let ruleSetKey: string;

beforeAll(async () => {
  t = await createTestApp();
  await insertFittedCohort(t);
  const { data } = await t.gql<{ activeRuleSets: Array<{ versionId: string; key: string }> }>('{ activeRuleSets { versionId key } }');
  ruleSetKey = data!.activeRuleSets[0].key;
  const run = await t.gql<{ runBacktest: { id: string; status: string } }>(
    `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id status } }`,
    {
      input: { cohort: FITTED_COHORT, versionId: data!.activeRuleSets[0].versionId },
    },
  );
  expect(run.data!.runBacktest.status).toBe('completed');
  runId = run.data!.runBacktest.id;
});

afterAll(async () => {
  await t?.close();
});

async function cli(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io: CliIo = { url: (await t.http()).graphqlUrl, token: await t.adminToken(), print: (line) => lines.push(...line.split('\n')) };
  // As scripts/rules.ts adds it to the rules CLI.
  const commands = { 'apply-suggestions': { usage: APPLY_SUGGESTIONS_USAGE, run: applySuggestionsCommand } };
  return { code: await runRulesCli(argv, io, commands), lines };
}

describe('npm run rules -- apply-suggestions', () => {
  it('creates a draft from a backtest’s suggestions with the threshold re-tuned to N MQLs a week', async () => {
    const { code, lines } = await cli(
      'apply-suggestions',
      runId,
      '--rules',
      'fit-company-size-sweet-spot,fit-seniority-executive',
      '--mqls-per-week',
      '12',
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^created draft v2 of ${ruleSetKey} \\(version id \\d+\\) from backtest ${runId}$`));
    expect(lines.filter((line) => / -> /.test(line) && line.startsWith('  fit-'))).toHaveLength(2);
    expect(lines.find((line) => line.startsWith('qualification threshold'))).toMatch(
      /^qualification threshold 90 -> -?\d+; MQL share [\d.]+% -> [\d.]+% \(\d+ -> \d+ a week\)$/,
    );
    expect(lines.at(-1)).toMatch(/^holdout \(\d+ leads, \d+ converted\): AUC active v1 0\.\d{3}, draft 0\.\d{3}$/);
    const { data } = await t.gql<{ ruleSet: { versions: Array<{ version: number; status: string }> } }>(
      'query($key: String!) { ruleSet(key: $key) { versions { version status } } }',
      { key: ruleSetKey },
    );
    expect(data!.ruleSet.versions.find((v) => v.version === 2)!.status).toBe('draft');
  });

  it('says what is wrong: the service’s problems by field, or the usage', async () => {
    const unknown = await cli('apply-suggestions', runId, '--rules', 'no-such-rule');
    expect(unknown.code).toBe(1);
    expect(unknown.lines).toEqual(['error: the service refused:', `  input.rules[0]: no rule "no-such-rule" in backtest ${runId}`]);
    const usage = await cli('apply-suggestions', runId, '--keep-mql-share', '--mqls-per-week', '5');
    expect(usage.code).toBe(2);
    expect(usage.lines[0]).toBe('error: usage:');
  });
});
