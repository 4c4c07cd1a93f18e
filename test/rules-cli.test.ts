import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_DIR } from '../server/src/common/paths';
import { formatDefinition, runRulesCli, USAGE, withSegments, type CliIo } from '../server/src/rulesets/rules-cli';
import type { UserPrincipal } from '../server/src/auth/principal';
import { DEFAULT_B2B, DEFAULT_FILE, DEFAULT_TEXT, type Doc, indexOfRule, ok } from './support/rule-sets';
import { createTestApp, type TestApp } from './support/test-app';

/*
 * `npm run rules -- validate | push | pull | diff`, run in-process against the test app's HTTP
 * server as the test admin. Files go to a temporary directory.
 */

const RULE = 'eng-requested-demo';
const RULE_INDEX = indexOfRule(DEFAULT_B2B, RULE);
const RULE_LABEL: string = DEFAULT_B2B.rules[RULE_INDEX].event.params.label;
const OLD_POINTS: number = DEFAULT_B2B.rules[RULE_INDEX].event.params.points;
const NEW_POINTS = OLD_POINTS + 10;

let t: TestApp;
let dir: string;
let pushedFile: string;

beforeAll(async () => {
  t = await createTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'rules-cli-test-'));
  const changed = structuredClone(DEFAULT_B2B);
  changed.rules[RULE_INDEX].event.params.points = NEW_POINTS;
  pushedFile = path.join(dir, 'default-b2b.more-for-demos.json');
  writeFileSync(pushedFile, formatDefinition(changed));
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs one CLI command as the test admin; returns its exit code and printed lines. */
async function cli(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io: CliIo = { url: (await t.http()).graphqlUrl, token: await t.adminToken(), print: (line) => lines.push(...line.split('\n')) };
  const code = await runRulesCli(argv, io);
  return { code, lines };
}

interface Versions {
  ruleSet: {
    activeVersionId: string;
    versions: Array<{ id: string; version: number; status: string; note: string; createdBy: string; definition: Doc }>;
  };
}
const VERSIONS = `query { ruleSet(key: "default-b2b") { activeVersionId versions { id version status note createdBy definition } } }`;

describe('rules validate', () => {
  it('validates every rule set file in rules/ and prints a ✓ line for each', async () => {
    // Rule set files are the JSON files in rules/ that declare the rule set schema.
    const ruleSetFiles = readdirSync(RULES_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(RULES_DIR, name))
      .filter((file) => (JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string }).$schema === './ruleset.schema.json');
    expect(ruleSetFiles).toContain(DEFAULT_FILE);
    const { code, lines } = await cli('validate');
    expect(lines).toEqual(ruleSetFiles.map((file) => `✓ ${file}`));
    expect(code).toBe(0);
  });

  it('validates the files given; a broken one returns 1 and prints each problem with its JSON path', async () => {
    const broken = structuredClone(DEFAULT_B2B);
    broken.rules[0].conditions.all[0].fact = 'employeeCount';
    broken.grades.B = 70;
    const brokenFile = path.join(dir, 'broken.json');
    writeFileSync(brokenFile, formatDefinition(broken));
    const { code, lines } = await cli('validate', DEFAULT_FILE, brokenFile);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `✓ ${DEFAULT_FILE}`,
      `✗ ${brokenFile}: 2 problems`,
      `  rules[0].conditions.all[0].fact: This condition tests "employeeCount", which is not one of the rule set's facts: declare it under Facts or pick another fact`,
      '  grades.B: The grade B threshold must be below the grade A threshold (60)',
    ]);
  });

  it('says when a valid file is not in the canonical format, and refuses a file that is not JSON', async () => {
    const compact = path.join(dir, 'compact.json');
    writeFileSync(compact, JSON.stringify(DEFAULT_B2B));
    const valid = await cli('validate', compact);
    expect(valid).toEqual({ code: 0, lines: [`✓ ${compact} (valid; not in the canonical 2-space format that \`pull\` writes)`] });

    const notJson = path.join(dir, 'not-json.json');
    writeFileSync(notJson, '{ "key": ');
    const refused = await cli('validate', notJson);
    expect(refused.code).toBe(1);
    expect(refused.lines[0]).toMatch(new RegExp(`^error: ${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  });
});

describe('rules push / pull / diff', () => {
  it('pull of the active version writes a file byte-identical to rules/default-b2b.json', async () => {
    const out = path.join(dir, 'pulled-active.json');
    const { code, lines } = await cli('pull', 'default-b2b', '--out', out);
    expect(code).toBe(0);
    expect(lines).toEqual([`wrote v1 of default-b2b to ${out}`]);
    expect(readFileSync(out, 'utf8')).toBe(DEFAULT_TEXT);
  });

  it('pull without --out prints the definition', async () => {
    const { code, lines } = await cli('pull', 'default-b2b');
    expect(code).toBe(0);
    expect(`${lines.join('\n')}\n`).toBe(DEFAULT_TEXT);
  });

  it('push of a changed file creates a draft with exactly its content', async () => {
    const { code, lines } = await cli('push', pushedFile);
    expect(code).toBe(0);
    const { ruleSet } = ok(await t.gql<Versions>(VERSIONS));
    const draft = ruleSet.versions.find((version) => version.version === 2);
    expect(lines).toEqual([`pushed ${pushedFile} as draft v2 of default-b2b (version id ${draft?.id})`]);
    expect(draft).toMatchObject({ status: 'draft', note: `pushed from ${path.basename(pushedFile)}`, createdBy: `user:${t.admin.email}` });
    expect(draft?.definition).toEqual(JSON.parse(readFileSync(pushedFile, 'utf8')));
    expect(draft?.definition.rules[RULE_INDEX].event.params.points).toBe(NEW_POINTS);
    // A push is a draft: the active version does not change.
    expect(ruleSet.versions.find((version) => version.id === ruleSet.activeVersionId)?.version).toBe(1);
  });

  it('pull --version 2 gives back the pushed file byte for byte', async () => {
    const out = path.join(dir, 'pulled-v2.json');
    const { code, lines } = await cli('pull', 'default-b2b', '--version', '2', '--out', out);
    expect(code).toBe(0);
    expect(lines).toEqual([`wrote v2 of default-b2b to ${out}`]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(pushedFile, 'utf8'));
  });

  it('diff prints what the file changes compared with the active version', async () => {
    expect(await cli('diff', pushedFile)).toEqual({ code: 0, lines: [`Rule "${RULE_LABEL}" points ${OLD_POINTS} → ${NEW_POINTS}`] });
    expect(await cli('diff', DEFAULT_FILE)).toEqual({
      code: 0,
      lines: [`${DEFAULT_FILE} is identical to the active version of default-b2b`],
    });
  });

  it('a push the service refuses returns 1 with the JSON paths of the problems, and creates nothing', async () => {
    const broken = structuredClone(DEFAULT_B2B);
    broken.grades.B = 70;
    const brokenFile = path.join(dir, 'broken-push.json');
    writeFileSync(brokenFile, formatDefinition(broken));
    const { code, lines } = await cli('push', brokenFile);
    expect(code).toBe(1);
    expect(lines).toEqual([
      'error: the service refused:',
      '  input.definition.grades.B: The grade B threshold must be below the grade A threshold (60)',
    ]);
    expect(ok(await t.gql<Versions>(VERSIONS)).ruleSet.versions.map((version) => version.version)).toEqual([2, 1]);
  });

  it('pull of a version that does not exist returns 1', async () => {
    expect(await cli('pull', 'default-b2b', '--version', '9')).toEqual({ code: 1, lines: ['error: default-b2b has no version 9'] });
  });
});

describe('rules push / pull with segments', () => {
  const marketing: UserPrincipal = { kind: 'user', userId: '0', email: 'm@test.local', name: 'Marketing', role: 'marketing' };
  const sales: UserPrincipal = { ...marketing, email: 's@test.local', name: 'Sales', role: 'sales' };
  const LEAD_SCORE = `query($id: String!) { lead(externalId: $id) { score { ruleSetKey ruleSetVersion } } }`;
  const ruleSetOf = async (externalId: string) =>
    ok(await t.gql<{ lead: { score: { ruleSetKey: string } } }>(LEAD_SCORE, { id: externalId })).lead.score.ruleSetKey;
  /** Works the re-score job off as a worker would (this app runs no queue workers). */
  async function runJob(id: string): Promise<void> {
    await t.app.services.rescore.runWorker(id, 'test');
    expect(
      ok(await t.gql<{ rescoreJob: { status: string } }>('query($id: ID!) { rescoreJob(id: $id) { status } }', { id })).rescoreJob.status,
    ).toBe('completed');
  }

  it('push creates the rule set for the file’s segments; once published it scores their leads; pull writes them back', async () => {
    for (const [externalId, segment] of [
      ['cli-seg-lead', 'cli-seg'],
      ['cli-other-lead', 'cli-other'],
    ]) {
      ok(
        await t.gql(`mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }`, {
          input: { externalId, segment, attributes: { industry: 'software' } },
        }),
      );
    }
    const file = path.join(dir, 'cli-seg.json');
    writeFileSync(file, formatDefinition(withSegments({ ...DEFAULT_B2B, key: 'cli-seg', name: 'CLI segment' }, ['cli-seg'])));
    const pushed = await cli('push', file);
    expect(pushed).toEqual({
      code: 0,
      lines: [
        `created rule set cli-seg with ${file} as draft v1, for segments cli-seg (it scores their leads once a version is published)`,
      ],
    });
    const { ruleSet } = ok(
      await t.gql<{ ruleSet: { segments: string[]; versions: Array<{ id: string; definition: Doc }> } }>(
        `{ ruleSet(key: "cli-seg") { segments versions { id definition } } }`,
      ),
    );
    expect(ruleSet.segments).toEqual(['cli-seg']);
    // The version holds the definition; the segments are the rule set's.
    expect(ruleSet.versions[0].definition.segments).toBeUndefined();

    const versionId = ruleSet.versions[0].id;
    ok(await t.gql(`mutation($id: ID!) { submitForReview(versionId: $id) { id } }`, { id: versionId }));
    for (const reviewer of [marketing, sales])
      ok(await t.gqlAs(reviewer, `mutation($id: ID!) { approveVersion(input: { versionId: $id }) { id } }`, { id: versionId }));
    const { publishVersion } = ok(
      await t.gql<{ publishVersion: { rescoreJob: { id: string; totalLeads: number } } }>(
        `mutation($id: ID!) { publishVersion(versionId: $id) { rescoreJob { id totalLeads } } }`,
        { id: versionId },
      ),
    );
    expect(publishVersion.rescoreJob.totalLeads).toBe(1);
    await runJob(publishVersion.rescoreJob.id);
    expect(await ruleSetOf('cli-seg-lead')).toBe('cli-seg');
    expect(await ruleSetOf('cli-other-lead')).toBe('default-b2b');

    const out = path.join(dir, 'cli-seg.pulled.json');
    expect(await cli('pull', 'cli-seg', '--out', out)).toEqual({ code: 0, lines: [`wrote v1 of cli-seg to ${out}`] });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(file, 'utf8'));
    expect(await cli('diff', file)).toEqual({ code: 0, lines: [`${file} is identical to the active version of cli-seg`] });
  });

  it('push of a file with other segments sets them: the leads that change rule set are re-scored', async () => {
    const file = path.join(dir, 'cli-seg.json');
    writeFileSync(file, formatDefinition(withSegments(JSON.parse(readFileSync(file, 'utf8')), ['cli-seg', 'cli-other'])));
    const { code, lines } = await cli('push', file);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^pushed .* as draft v2 of cli-seg/);
    const job = /^set the segments of cli-seg to cli-seg, cli-other \(re-scoring 1 leads: job (\d+)\)$/.exec(lines[1]);
    expect(job, lines.join('\n')).not.toBeNull();
    await runJob(job![1]);
    expect(await ruleSetOf('cli-other-lead')).toBe('cli-seg');
    // The same file again: a new draft, segments unchanged.
    expect((await cli('push', file)).lines).toHaveLength(1);
  });
});

describe('rules usage', () => {
  it('an unknown command prints the usage and returns 2', async () => {
    const { code, lines } = await cli('publish', 'default-b2b');
    expect(code).toBe(2);
    expect(lines.join('\n')).toBe(USAGE);
  });

  it('no command prints the usage and returns 0', async () => {
    const { code, lines } = await cli();
    expect(code).toBe(0);
    expect(lines.join('\n')).toBe(USAGE);
  });
});
