/**
 * Accounts and several score models, end to end on real PostgreSQL (issue 18's figures).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/accounts.ts
 *     [--leads 1000000] [--accounts 200000] [--activities 5] [--workers 2] [--rate 300] [--seconds 20] [--keep]
 *
 * Seeds leads in accounts (set-based SQL, deterministic), scores them under the default lead model,
 * a second lead model (`product`) and the shipped account model, each through a publish and its
 * re-score job run by N worker processes. Then:
 *   (a) a publish of the account model (points changed): every account re-scored; printed beside a
 *       points-only publish of the default lead model in the same run (the one-model figure) and the
 *       floor: plain SQL reading every account's contacts in one GROUP BY and writing the account
 *       score rows in one UPDATE;
 *   (b) recordActivity over HTTP at a steady rate (open loop; the service in its own process), whose
 *       answer comes after the lead, its account and both lead models are scored; printed beside the
 *       same load with only the default model active (the other models' versions set aside) and the
 *       p99 of `mutation { __typename }` at that rate.
 * Also printed: the workers' peak RSS over both publishes.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../server/src/app';
import type { Actor } from '../server/src/auth/actor';
import { createLogger } from '../server/src/common/logger';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { accountRescoreFloor, rescoreFloor } from './support/floors';
import { openLoop, percentile } from './support/load';
import { printFigure } from './support/report';
import { freePort, spawnWorkers, startServer, stopChild } from './support/server';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '1000000' },
    accounts: { type: 'string', default: '200000' },
    activities: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    rate: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});
const LEADS = Number(values.leads);
const ACCOUNTS = Number(values.accounts);
const ACTIVITIES = Number(values.activities);
const WORKERS = Number(values.workers);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const dbName = `ls_bench_accounts_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const admin = { name: 'user:bench@local', role: 'admin' } as Actor;

/** A process's peak resident set (Linux /proc), in MB; '?' where it cannot be read. */
function peakRssMb(pid: number | undefined): string {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? String(Math.round(Number(kb) / 1024)) : '?';
  } catch {
    return '?';
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const RECORD = 'mutation($input: RecordActivityInput!) { recordActivity(input: $input) { duplicate score { total cell } } }';
const TRIVIAL_MUTATION = JSON.stringify({ query: 'mutation { __typename }' });
const TYPES = ['PAGE_VIEW', 'EMAIL_CLICK', 'PRICING_PAGE_VIEW', 'CONTENT_DOWNLOAD', 'WEBINAR_ATTENDANCE', 'DEMO_REQUEST'];

await adminQuery(`CREATE DATABASE ${dbName}`);
const children: ChildProcess[] = [];
let closeApp = async () => {};
try {
  const app = await createApp({ database: { kind: 'postgres', url: databaseUrl }, logger: createLogger('warn') });
  closeApp = () => app.close();
  const db = app.dataSource;
  console.log(
    `scratch database ${dbName}: ${fmt(LEADS)} leads in ${fmt(ACCOUNTS)} accounts, ${ACTIVITIES} activities each, ${WORKERS} workers`,
  );

  let t = process.hrtime.bigint();
  await db.query(`
    INSERT INTO account (external_id, domain, name, attributes)
    SELECT 'acct-' || g, 'acct' || g || '.example', 'Account ' || g,
           jsonb_build_object(
             'industry', (ARRAY['software','financial_services','healthcare','manufacturing','retail','education'])[1 + g % 6],
             'employees', (ARRAY[8, 60, 240, 900, 4000, 20000])[1 + (g / 6) % 6],
             'country', (ARRAY['US','GB','DE','FR','IN','BR'])[1 + g % 6],
             'annualRevenue', (ARRAY[500000, 5000000, 40000000, 300000000])[1 + g % 4])
      FROM generate_series(1, ${ACCOUNTS}) g`);
  const [{ first }] = await db.query('SELECT min(id)::bigint AS first FROM account');
  await db.query(`
    INSERT INTO lead (external_id, email, attributes, account_id, account_source, created_at, updated_at)
    SELECT 'b-' || g, 'p' || g || '@acct' || (1 + g % ${ACCOUNTS}) || '.example',
           jsonb_build_object(
             'industry', (ARRAY['software','financial_services','healthcare','manufacturing','retail','consulting'])[1 + g % 6],
             'companySize', (ARRAY[5, 40, 180, 600, 2500, 12000])[1 + (g / 7) % 6],
             'seniority', (ARRAY['c_level','vp','director','manager','individual_contributor','student'])[1 + (g / 3) % 6],
             'department', (ARRAY['executive','marketing','sales','revenue_operations','engineering'])[1 + g % 5],
             'country', (ARRAY['US','GB','DE','FR','IN','BR'])[1 + g % 6],
             'budgetConfirmed', g % 4 = 0),
           ${first} + g % ${ACCOUNTS}, 'client', now() - make_interval(days => 1 + (g % 90)), now()
      FROM generate_series(1, ${LEADS}) g`);
  // No lead has a score yet: the trigger that voids cached aggregates has nothing to do while seeding.
  await db.query('ALTER TABLE activity DISABLE TRIGGER activity_inserted_forget_facts');
  await db.query(`
    INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
    SELECT l.id, (ARRAY['page_view','page_view','email_open','email_click','pricing_page_view','content_download',
                        'webinar_attendance','demo_request'])[1 + (hashint4((l.id * 31 + a)::int) & 2147483647) % 8],
           now() - make_interval(mins => (hashint4((l.id * 17 + a)::int) & 2147483647) % (60 * 1440)), l.id || '-' || a, '{}'::jsonb
      FROM lead l CROSS JOIN generate_series(1, ${ACTIVITIES}) a`);
  await db.query('ALTER TABLE activity ENABLE TRIGGER activity_inserted_forget_facts');
  await db.query('ANALYZE');
  console.log(`seeded in ${seconds(t).toFixed(1)} s`);

  children.push(...spawnWorkers(WORKERS, databaseUrl));
  const waitFor = async (jobId: string) => {
    for (;;) {
      const job = await app.services.rescore.getJob(jobId);
      if (job.status !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const activeOf = async (model: string) => {
    const found = (await app.services.ruleSets.activeRuleSets(db.manager, model)).find((ruleSet) => ruleSet.isDefault);
    if (!found) throw new Error(`no active default rule set in model ${model}`);
    return found;
  };
  /** A draft through review and publish, as people do; returns the re-score job's figures. */
  const publishDraft = async (draftId: string) => {
    const marketing = { name: 'user:m1@local', role: 'marketing' } as Actor;
    await app.services.workflow.submitForReview(marketing, draftId);
    await app.services.workflow.review({ name: 'user:m2@local', role: 'marketing' } as Actor, { versionId: draftId, approve: true });
    await app.services.workflow.review({ name: 'user:s1@local', role: 'sales' } as Actor, { versionId: draftId, approve: true });
    const started = process.hrtime.bigint();
    const { jobId } = await app.services.workflow.publish(admin, draftId);
    const job = await waitFor(jobId);
    return { job, elapsed: seconds(started) };
  };
  const publish = async (ruleSetKey: string, definition: RuleSetDefinition) => {
    const draft = await app.services.workflow.createDraft({ name: 'user:m1@local', role: 'marketing' } as Actor, {
      ruleSetKey,
      definition,
    });
    return publishDraft(draft.id);
  };
  const bumped = (definition: RuleSetDefinition, by: number) => {
    const next = structuredClone(definition);
    next.rules[0].event.params.points += by;
    return next;
  };

  // The default lead model under v1 (first scoring), then the account model's first scores (from its
  // contacts' scores), then the second lead model, created as a client would.
  const lead = await activeOf('default');
  t = process.hrtime.bigint();
  const initial = await app.dataSource.transaction((manager) =>
    app.services.rescore.createJob(manager, {
      ruleSetId: lead.ruleSetId,
      versionId: lead.versionId,
      createdBy: admin.name,
      isDefault: true,
      segments: [],
      claimedSegments: [],
    }),
  );
  await app.services.rescore.dispatch(initial);
  console.log(`first scoring, default lead model: ${fmt((await waitFor(initial)).doneLeads)} leads in ${seconds(t).toFixed(1)} s`);
  const account = await activeOf('account');
  const accountFirst = await publish(account.key, bumped(account.definition as RuleSetDefinition, 1));
  console.log(
    `first scoring, account model: ${fmt(accountFirst.job.doneLeads)} accounts in ${accountFirst.elapsed.toFixed(1)} s (${accountFirst.job.status})`,
  );
  await app.services.workflow.scoreModels.create(admin, { key: 'product', name: 'Product line', subject: 'lead' });
  const product = { ...bumped(lead.definition as RuleSetDefinition, 7), key: 'product-line', name: 'Product line' };
  const { draft } = await app.services.workflow.createRuleSet(admin, {
    key: product.key,
    name: product.name,
    model: 'product',
    definition: product,
  });
  const productFirst = await publishDraft(draft.id);
  console.log(
    `first scoring, second lead model: ${fmt(productFirst.job.doneLeads)} leads in ${productFirst.elapsed.toFixed(1)} s (${productFirst.job.status}${productFirst.job.error ? `: ${productFirst.job.error}` : ''})`,
  );

  // (a) Publishes: the account model, and the default lead model for the one-model figure.
  const accountRun = await publish(account.key, bumped(account.definition as RuleSetDefinition, 3));
  const leadRun = await publish(lead.key, bumped(lead.definition as RuleSetDefinition, 5));
  const floorClient = new pg.Client({ connectionString: databaseUrl });
  await floorClient.connect();
  const accountFloor = await accountRescoreFloor(floorClient, 'account');
  const leadFloor = await rescoreFloor(floorClient, leadRun.job.changedLeads);
  await floorClient.end();
  const workersPeakMb = children.map((child) => peakRssMb(child.pid));
  await Promise.all(children.splice(0).map((child) => stopChild(child)));

  const writer = await app.services.auth.createApiKey({ name: 'bench-writer', scopes: ['leads:write'] });
  const set: Array<{ id: string; active_version_id: string }> = await db.query(
    `SELECT id::text, active_version_id::text FROM rule_set WHERE model <> 'default' AND active_version_id IS NOT NULL`,
  );
  await closeApp();
  closeApp = async () => {};

  // (b) recordActivity at a steady rate, all models on, then only the default model.
  const runId = `${process.pid}-${Date.now()}`;
  const body = (prefix: string) => (n: number) =>
    JSON.stringify({
      query: RECORD,
      variables: {
        input: {
          leadExternalId: `b-${1 + ((n * 7919) % LEADS)}`,
          type: TYPES[n % TYPES.length],
          occurredAt: new Date().toISOString(),
          idempotencyKey: `${prefix}-${runId}-${n}`,
        },
      },
    });
  const load = { rate: RATE, seconds: SECONDS, connections: 50 };
  const measure = async (prefix: string) => {
    const port = await freePort();
    const server = await startServer(port, { DATABASE_URL: databaseUrl });
    children.push(server);
    try {
      const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
      await openLoop(graphqlUrl, writer.secret, { ...load, seconds: 3 }, body(`warm-${prefix}`));
      const run = await openLoop(graphqlUrl, writer.secret, load, body(prefix));
      const trivial = await openLoop(graphqlUrl, writer.secret, load, () => TRIVIAL_MUTATION);
      return { run, trivial };
    } finally {
      await stopChild(server);
    }
  };
  const all = await measure('all');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const moved: Array<{ model: string; n: number }> = (
    await client.query(
      `SELECT model, count(*)::int AS n FROM model_score_history WHERE cause = 'activity_recorded' AND changed_at > now() - interval '10 minutes' GROUP BY model ORDER BY model`,
    )
  ).rows;
  await client.query(`UPDATE rule_set SET active_version_id = NULL WHERE model <> 'default'`);
  const one = await measure('one');
  for (const row of set) await client.query('UPDATE rule_set SET active_version_id = $2 WHERE id = $1', [row.id, row.active_version_id]);
  await client.end();

  const ms = (value: number) => value.toFixed(1);
  console.log('');
  console.log(
    `(a) publish of the account model: ${fmt(accountRun.job.doneLeads)} accounts re-scored in ${accountRun.elapsed.toFixed(1)} s (${fmt(accountRun.job.changedLeads)} changed); target <= 20 s`,
  );
  console.log(
    `    one model: a points-only publish of the default lead model, ${fmt(leadRun.job.doneLeads)} leads in ${leadRun.elapsed.toFixed(1)} s`,
  );
  printFigure({
    figure: `account model publish, ${fmt(accountRun.job.doneLeads)} accounts re-scored`,
    value: accountRun.elapsed,
    unit: 's',
    floor: { label: "plain SQL: every account's contacts in one GROUP BY, every account score row in one UPDATE", value: accountFloor },
    targetRatio: 2,
  });
  console.log(`    peak RSS of the ${WORKERS} workers (VmHWM, after both publishes): ${workersPeakMb.map((mb) => `${mb} MB`).join(', ')}`);
  printFigure({
    figure: `one model: default lead model points-only publish, ${fmt(leadRun.job.doneLeads)} leads`,
    value: leadRun.elapsed,
    unit: 's',
    floor: { label: 'plain SQL: read every lead, write the changed score rows in one UPDATE', value: leadFloor },
    targetRatio: 2,
  });
  for (const [label, { run, trivial }] of [
    ['lead, its account and both lead models', all],
    ['one model (the default lead model only)', one],
  ] as const) {
    const l = run.latencies;
    console.log(
      `(b) recordActivity at ${RATE} req/s for ${SECONDS} s, ${label}: p50 ${ms(percentile(l, 50))}  p99 ${ms(percentile(l, 99))}  max ${ms(l[l.length - 1])} ms; errors ${run.errors}${run.firstError ? ` (first: ${run.firstError})` : ''}`,
    );
    printFigure({
      figure: `recordActivity p99 at ${RATE} req/s, ${label}`,
      value: percentile(l, 99),
      unit: 'ms',
      floor: { label: '`mutation { __typename }` p99 at the same rate', value: percentile(trivial.latencies, 99) },
      targetRatio: 3,
    });
  }
  console.log(
    `    score changes recorded by activities during (b), per non-default model: ${moved.map((row) => `${row.model} ${fmt(row.n)}`).join(', ') || 'none'}`,
  );
} finally {
  await Promise.all(children.map((child) => stopChild(child)));
  await closeApp();
  if (values.keep) console.log(`kept the scratch database ${dbName}`);
  else await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
