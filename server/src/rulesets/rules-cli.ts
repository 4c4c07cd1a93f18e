import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RULES_DIR } from '../common/paths';
import type { RuleSetDefinition } from '../engine/ruleset-definition';
import { checkRuleSetDefinition, isError } from './ruleset-validation';
import { shippedAttributeCatalog } from './shipped-catalog';

export interface CliIo {
  /** GraphQL endpoint of a running service, for push / pull / diff. */
  url: string;
  /** Bearer token: a session token (signIn) or an API key. */
  token?: string;
  email?: string;
  password?: string;
  print: (line: string) => void;
}

/** Sends one GraphQL operation to the service as the CLI's caller. */
export type CliGraphql = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

/**
 * A command another domain adds to `npm run rules` (scripts/rules.ts adds apply-suggestions), so
 * this CLI does not import the domains above rule sets.
 */
export interface RulesCliCommand {
  /** Its lines in the usage text. */
  usage: string;
  run(args: string[], graphql: CliGraphql, print: (line: string) => void): Promise<number>;
}

const COMMANDS_USAGE = `Usage: npm run rules -- <command>
  validate [file...]              validate rule set files (default: every rule set in rules/)
  push <file> [--note text]       push a file as a new draft (creates the rule set if its key is new);
                                  the file's "segments", if any, become the rule set's segments
  pull <key> [--version N] [--out file]   write a version (default: the active one) and the rule
                                  set's segments to a file or stdout
  diff <file>                     what the file changes compared with the active version`;
const ENVIRONMENT_USAGE = 'Environment: LS_API_URL (default http://127.0.0.1:4000/graphql), LS_TOKEN, or LS_EMAIL and LS_PASSWORD.';

/** The usage text with the commands added to the rule set ones. */
export function usageWith(commands: Record<string, RulesCliCommand>): string {
  return [COMMANDS_USAGE, ...Object.values(commands).map((command) => command.usage), ENVIRONMENT_USAGE].join('\n');
}

/** The usage of the rule set commands alone. */
export const USAGE = usageWith({});

/** The text a pulled definition is written as; rule set files in rules/ use it, so they round-trip unchanged. */
export function formatDefinition(definition: unknown): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}

function ruleSetFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => path.join(RULES_DIR, name))
    .filter((file) => (JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string }).$schema === './ruleset.schema.json');
}

function readDefinition(file: string): { definition: unknown; text: string } {
  const text = readFileSync(file, 'utf8');
  try {
    return { definition: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

class CliError extends Error {}

/**
 * A rule set file's `segments` belong to the rule set, not to a version: `push` sends the definition
 * without them and sets them apart (setRuleSetSegments re-scores the leads that change rule set).
 */
function splitSegments(definition: unknown): { definition: Record<string, unknown>; segments: string[] | undefined } {
  const { segments, ...rest } = definition as Record<string, unknown>;
  if (segments !== undefined && !(Array.isArray(segments) && segments.every((s) => typeof s === 'string')))
    throw new CliError('"segments" must be a list of segment names');
  return { definition: rest, segments: segments as string[] | undefined };
}

/** The definition as a file holds it: the rule set's segments right after its description (or name). */
export function withSegments(definition: Record<string, unknown>, segments: string[] | null): Record<string, unknown> {
  if (segments === null) return definition;
  const out: Record<string, unknown> = {};
  const after = 'description' in definition ? 'description' : 'name';
  for (const [key, value] of Object.entries(definition)) {
    if (key === 'segments') continue;
    out[key] = value;
    if (key === after) out.segments = segments;
  }
  return out;
}

const SET_SEGMENTS =
  'mutation($key: String!, $segments: [String!]!) { setRuleSetSegments(key: $key, segments: $segments) { ruleSet { segments } rescoreJob { id totalLeads } } }';
const sameSegments = (a: string[], b: string[]) => a.length === b.length && a.every((s) => b.includes(s));

async function graphql<T>(io: CliIo, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let token = io.token;
  if (!token && io.email && io.password) {
    const signIn = await graphql<{ signIn: { token: string } }>(
      { ...io, email: undefined },
      'mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }',
      { email: io.email, password: io.password },
    );
    token = signIn.signIn.token;
    io.token = token;
  }
  const response = await fetch(io.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  }).catch((error: Error) => {
    throw new CliError(`cannot reach ${io.url}: ${error.message}`);
  });
  const body = (await response.json()) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: { problems?: Array<{ path: string; message: string }> } }>;
  };
  if (body.errors?.length) {
    const lines = body.errors.flatMap((e) =>
      e.extensions?.problems?.length ? e.extensions.problems.map((p) => `  ${p.path}: ${p.message}`) : [`  ${e.message}`],
    );
    throw new CliError(`the service refused:\n${lines.join('\n')}`);
  }
  return body.data as T;
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Runs one CLI command, a rule set one or one of `commands`; returns the exit code. */
export async function runRulesCli(argv: string[], io: CliIo, commands: Record<string, RulesCliCommand> = {}): Promise<number> {
  const [command, ...args] = argv;
  try {
    const added = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : undefined;
    if (added) return await added.run(args, (query, variables) => graphql(io, query, variables), io.print);
    switch (command) {
      case 'validate': {
        const files = args.length ? args : ruleSetFiles();
        const catalog = shippedAttributeCatalog();
        let failed = 0;
        for (const file of files) {
          const { definition, text } = readDefinition(file);
          const found = checkRuleSetDefinition(definition, { attributes: catalog });
          const problems = found.filter(isError);
          if (problems.length) {
            failed += 1;
            io.print(`✗ ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
            for (const problem of problems) io.print(`  ${problem.path}: ${problem.message}`);
          } else {
            const canonical = formatDefinition(definition) === text;
            io.print(`✓ ${file}${canonical ? '' : ' (valid; not in the canonical 2-space format that `pull` writes)'}`);
          }
          for (const warning of found.filter((problem) => !isError(problem))) io.print(`  warning: ${warning.path}: ${warning.message}`);
        }
        return failed ? 1 : 0;
      }
      case 'push': {
        const file = args[0];
        if (!file) throw new CliError('push needs a file');
        const { definition, segments } = splitSegments(readDefinition(file).definition);
        const doc = definition as unknown as RuleSetDefinition;
        const existing = await graphql<{ ruleSets: Array<{ key: string; segments: string[] }> }>(
          io,
          '{ ruleSets(includeArchived: true) { key segments } }',
        );
        const current = existing.ruleSets.find((ruleSet) => ruleSet.key === doc.key);
        if (current) {
          const { createDraft } = await graphql<{ createDraft: { id: string; version: number } }>(
            io,
            'mutation($input: CreateDraftInput!) { createDraft(input: $input) { id version } }',
            { input: { ruleSetKey: doc.key, definition, note: option(args, '--note') ?? `pushed from ${path.basename(file)}` } },
          );
          io.print(`pushed ${file} as draft v${createDraft.version} of ${doc.key} (version id ${createDraft.id})`);
          if (segments && !sameSegments(segments, current.segments)) {
            const { setRuleSetSegments } = await graphql<{ setRuleSetSegments: { rescoreJob: { id: string; totalLeads: number } | null } }>(
              io,
              SET_SEGMENTS,
              { key: doc.key, segments },
            );
            const job = setRuleSetSegments.rescoreJob;
            io.print(
              `set the segments of ${doc.key} to ${segments.join(', ') || 'none'}${job ? ` (re-scoring ${job.totalLeads} leads: job ${job.id})` : ''}`,
            );
          }
        } else {
          await graphql(io, 'mutation($input: CreateRuleSetInput!) { createRuleSet(input: $input) { id } }', {
            input: { key: doc.key, name: doc.name, description: doc.description ?? '', segments: segments ?? [], definition },
          });
          io.print(
            `created rule set ${doc.key} with ${file} as draft v1${segments?.length ? `, for segments ${segments.join(', ')} (it scores their leads once a version is published)` : ''}`,
          );
        }
        return 0;
      }
      case 'pull': {
        const key = args[0];
        if (!key) throw new CliError('pull needs a rule set key');
        const wanted = option(args, '--version');
        const data = await graphql<{
          ruleSet: {
            isDefault: boolean;
            segments: string[];
            activeVersionId: string | null;
            versions: Array<{ id: string; version: number; definition: Record<string, unknown> }>;
          };
        }>(io, 'query($key: String!) { ruleSet(key: $key) { isDefault segments activeVersionId versions { id version definition } } }', {
          key,
        });
        const version = wanted
          ? data.ruleSet.versions.find((v) => v.version === Number(wanted))
          : data.ruleSet.versions.find((v) => v.id === data.ruleSet.activeVersionId);
        if (!version) throw new CliError(wanted ? `${key} has no version ${wanted}` : `${key} has no active version`);
        // The default rule set takes no segments: its file has none.
        const file = withSegments(version.definition, data.ruleSet.isDefault ? null : data.ruleSet.segments);
        const out = option(args, '--out');
        if (out) {
          writeFileSync(out, formatDefinition(file));
          io.print(`wrote v${version.version} of ${key} to ${out}`);
        } else io.print(formatDefinition(file).trimEnd());
        return 0;
      }
      case 'diff': {
        const file = args[0];
        if (!file) throw new CliError('diff needs a file');
        const { definition } = splitSegments(readDefinition(file).definition);
        const key = (definition as unknown as RuleSetDefinition).key;
        const { ruleSet } = await graphql<{ ruleSet: { activeVersionId: string | null } }>(
          io,
          'query($key: String!) { ruleSet(key: $key) { activeVersionId } }',
          { key },
        );
        if (!ruleSet.activeVersionId) throw new CliError(`${key} has no active version`);
        const { ruleSetDiff } = await graphql<{ ruleSetDiff: { identical: boolean; summary: string[] } }>(
          io,
          'query($from: ID!, $to: JSONObject!) { ruleSetDiff(fromVersionId: $from, toDefinition: $to) { identical summary } }',
          { from: ruleSet.activeVersionId, to: definition },
        );
        if (ruleSetDiff.identical) io.print(`${file} is identical to the active version of ${key}`);
        else for (const line of ruleSetDiff.summary) io.print(line);
        return 0;
      }
      default:
        io.print(usageWith(commands));
        return command ? 2 : 0;
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.print(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
