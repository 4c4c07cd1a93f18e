/**
 * Backtests on real PostgreSQL: cohort preparation and scoring + metrics, at 1M and 100k leads.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/backtest.ts [--leads 1000000] [--activities 20] [--seed 1] [--keep]
 *
 * Creates a scratch database (ls_bench_bt_<pid>, dropped at the end), seeds N leads created over
 * 180 days with outcomes, and `--activities` activities each with typical properties, all with
 * set-based SQL (generate_series and a hash of the row number, so the same seed gives the same
 * data). Then, for the whole population and for a cohort of about 100,000 leads: prepares the
 * cohort (facts as of 30 days after creation, before the outcome), and runs backtests of the
 * default rule set: once cold (snapshot read from the database into memory), then warm (cached),
 * then warm and compared to a second version. Prints figures; asserts nothing. `--keep` keeps the
 * scratch database (to profile on it). `--fit-ab` then alternates warm backtests with the fits on
 * every training lead (BACKTEST_FIT_LEADS=none) and on the bounded sample (docs/fitting.md), twice
 * each, printing wall and CPU time and how far the fitted points move.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../server/src/app';
import { BacktestService } from '../server/src/backtests/backtest.service';
import type { CohortSpec } from '../server/src/backtests/cohort-spec';
import { createLogger } from '../server/src/common/logger';
import type { Actor } from '../server/src/auth/actor';
import { scanFloor, snapshotReadFloor } from './support/floors';
import { printFigure } from './support/report';
import type { RuleSetDefinition } from '../server/src/engine/ruleset-definition';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '1000000' },
    activities: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    'fit-ab': { type: 'boolean', default: false },
  },
});
const LEADS = Number(values.leads);
const ACTIVITIES = Number(values.activities);
const SEED = Number(values.seed);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const dbName = `ls_bench_bt_${process.pid}`;
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pad = (label: string) => label.padEnd(46);

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

await admin(`CREATE DATABASE ${dbName}`);
let closeApp = async () => {};
try {
  const app = await createApp({ database: { kind: 'postgres', url: url.toString() }, logger: createLogger('warn') });
  closeApp = () => app.close();
  console.log(`scratch database ${dbName}: ${fmt(LEADS)} leads x ${ACTIVITIES} activities (seed ${SEED})`);

  // ---- seed ----
  let t = process.hrtime.bigint();
  const db = app.dataSource;
  // Seeded on a connection of its own: no statement timeout (the app's would cut a slow hour's bulk load).
  const seed = new pg.Client({ connectionString: url.toString() });
  await seed.connect();
  // r(x): a deterministic pseudo-random number in [0, 1) from a hash of x and the seed.
  await seed.query(`CREATE FUNCTION bench_r(x bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
                  $$ SELECT (hashint8(x * 1000003 + ${SEED}) & 2147483647)::float8 / 2147483648 $$`);
  // Bulk load without the activity indexes, then build them (as a restore would).
  await seed.query('ALTER TABLE activity DROP CONSTRAINT activity_idempotency_key_key');
  await seed.query('DROP INDEX activity_lead_occurred');
  await seed.query(`
    INSERT INTO lead (external_id, email, segment, source, attributes, outcome, outcome_at, deal_value, created_at, updated_at)
    SELECT 'bt-' || g, 'p' || g || CASE WHEN g % 5 = 0 THEN '@gmail.com' ELSE '@corp' || (g % 997) || '.com' END,
           (ARRAY['smb','mid_market','enterprise'])[1 + g % 3], (ARRAY['web','event','partner','paid'])[1 + (g / 3) % 4],
           jsonb_build_object(
             'industry', (ARRAY['software','financial_services','healthcare','manufacturing','retail','education','consulting'])[1 + g % 7],
             'companySize', (ARRAY[5, 40, 180, 600, 2500, 12000])[1 + (g / 7) % 6],
             'seniority', (ARRAY['c_level','vp','director','manager','individual_contributor','student'])[1 + floor(6 * (1 - c.intent) * bench_r(g * 7 + 6))::int],
             'jobTitle', (ARRAY['CEO','VP Marketing','Head of Sales Ops','Marketing Manager','Analyst','Student'])[1 + (g / 3) % 6],
             'department', (ARRAY['executive','marketing','sales','revenue_operations','engineering'])[1 + g % 5],
             'country', (ARRAY['US','GB','DE','FR','IN','BR'])[1 + g % 6],
             'technologies', to_jsonb((ARRAY['salesforce','hubspot','snowflake'])[1:1 + g % 3]),
             'budgetConfirmed', bench_r(g * 7 + 8) < c.intent * 0.6,
             'timeline', (ARRAY['now','this_quarter','this_year','later','unknown'])[1 + g % 5]),
           CASE WHEN c.u < 0.08 + 0.3 * c.intent THEN 'converted' WHEN c.u < 0.75 THEN 'lost' ELSE 'open' END,
           CASE WHEN c.u < 0.75 THEN c.created_at + make_interval(secs => (3 + 80 * bench_r(g * 7 + 3)) * 86400) END,
           CASE WHEN c.u < 0.08 + 0.3 * c.intent THEN round((1000 + 50000 * bench_r(g * 7 + 4))::numeric, 2) END,
           c.created_at, c.created_at
      FROM generate_series(1, ${LEADS}) g,
           LATERAL (SELECT bench_r(g * 7 + 1) AS intent, bench_r(g * 7 + 2) AS u,
                           timestamptz '2025-01-01T00:00:00Z' + make_interval(secs => round(180 * 86400 * bench_r(g * 7 + 5))) AS created_at) c`);
  // Leads with a higher intent convert more, are more senior, confirm budgets more often, and their
  // activities lean towards buying signals (the end of the list), those of low intent to the start.
  await seed.query(`
    INSERT INTO activity (lead_id, type, occurred_at, idempotency_key, properties)
    SELECT l.id, t.type, l.created_at + make_interval(secs => round(120 * 86400 * bench_r(l.id * 41 + a * 2 + 1))),
           'bt-' || l.id || '-' || a,
           CASE t.type
             WHEN 'page_view' THEN jsonb_build_object('url', (ARRAY['/','/product','/features','/blog','/docs','/careers','/about','/integrations','/security','/customers'])[1 + k % 10], 'durationSeconds', k % 300)
             WHEN 'pricing_page_view' THEN jsonb_build_object('url', '/pricing', 'durationSeconds', k % 300)
             WHEN 'email_open' THEN jsonb_build_object('campaign', 'c' || k % 8)
             WHEN 'email_click' THEN jsonb_build_object('campaign', 'c' || k % 8, 'url', '/offer')
             WHEN 'content_download' THEN jsonb_build_object('asset', 'a' || k % 10, 'contentType', (ARRAY['case_study','ebook','whitepaper'])[1 + k % 3])
             WHEN 'webinar_attendance' THEN jsonb_build_object('webinar', 'w' || k % 5, 'minutesAttended', 5 + k % 56)
             WHEN 'demo_request' THEN '{"form": "demo_request"}'::jsonb
             ELSE '{}'::jsonb END
      FROM lead l CROSS JOIN generate_series(1, ${ACTIVITIES}) a,
           LATERAL (SELECT (hashint8(l.id * 43 + a) & 2147483647) AS k,
                           (ARRAY['unsubscribe','email_bounce','page_view','page_view','page_view','page_view','email_open','email_open',
                                  'email_open','email_click','content_download','webinar_registration','webinar_attendance','form_submission',
                                  'event_attendance','chat','call','pricing_page_view','trial_signup','demo_request'])
                             [1 + least(19, floor(20 * power(bench_r(l.id * 41 + a * 2), 1.5 - bench_r(l.id * 7 + 1))))::int] AS type) t`);
  await seed.query('CREATE INDEX activity_lead_occurred ON activity (lead_id, occurred_at DESC, id DESC)');
  await seed.query('ALTER TABLE activity ADD CONSTRAINT activity_idempotency_key_key UNIQUE (idempotency_key)');
  await seed.query('VACUUM ANALYZE lead');
  await seed.query('VACUUM ANALYZE activity');
  await seed.end();
  console.log(`seeded in ${seconds(t).toFixed(1)} s`);

  const actor: Actor = { name: 'user:bench@local', role: 'admin' };
  const [active] = await app.services.ruleSets.activeRuleSets(db.manager);
  const v2 = structuredClone(active.definition) as RuleSetDefinition;
  v2.rules.find((rule) => rule.name === 'eng-requested-demo')!.event.params.points = 60;
  v2.rules.find((rule) => rule.name === 'fit-free-email')!.event.params.points = -25;
  const draft = await app.services.workflow.createDraft(
    { name: 'user:m@local', role: 'marketing' },
    { ruleSetKey: active.key, definition: v2 },
  );
  // Every run inline here, to time it; the service queues runs over 100,000 leads.
  const backtests = new BacktestService(db, app.services.workflow, () => app.services.leads.attributeCatalog(), createLogger('warn'), {
    inlineLimit: Number.POSITIVE_INFINITY,
  });

  const cohorts: Array<[string, CohortSpec]> = [
    [
      `all ${fmt(LEADS)} leads`,
      {
        createdFrom: '2025-01-01T00:00:00.000Z',
        createdTo: '2025-07-01T00:00:00.000Z',
        source: null,
        segment: null,
        attributes: [],
        cutoff: { kind: 'daysAfterCreation', days: 30 },
      },
    ],
  ];
  if (LEADS > 150_000) {
    // Created in the first 18 of the 180 days: about 10% of the leads.
    const days = 18 * Math.min(1, 1_000_000 / LEADS);
    cohorts.push([
      '~100,000 leads',
      {
        createdFrom: '2025-01-01T00:00:00.000Z',
        createdTo: new Date(Date.parse('2025-01-01T00:00:00Z') + days * 86_400_000).toISOString(),
        source: null,
        segment: null,
        attributes: [],
        cutoff: { kind: 'daysAfterCreation', days: 30 },
      },
    ]);
  }

  for (const [label, spec] of cohorts) {
    console.log('');
    t = process.hrtime.bigint();
    const cohort = await backtests.prepareCohort(spec, actor.name);
    const prep = seconds(t);
    console.log(
      `cohort: ${label}: ${fmt(cohort.leadCount)} leads (${fmt(cohort.convertedCount)} converted, ${fmt(cohort.decidedCount)} decided), ${fmt(cohort.activityCount)} activities before the cutoff, ${fmt(cohort.propertyCount)} distinct property objects`,
    );
    console.log(`${pad('  prepare cohort (SQL snapshot)')}${prep.toFixed(2)} s`);

    t = process.hrtime.bigint();
    const cold = await backtests.runBacktest(actor, { cohortId: cohort.id, versionId: active.versionId });
    const coldTime = seconds(t);
    const r = cold.results!;
    console.log(
      `${pad('  backtest v1, cold (reads snapshot into memory)')}${coldTime.toFixed(2)} s  (load ${(r.timings.loadCohort / 1000).toFixed(2)} s, score ${(r.timings.score / 1000).toFixed(2)} s, metrics ${(r.timings.metrics / 1000).toFixed(2)} s)`,
    );

    t = process.hrtime.bigint();
    const warm = await backtests.runBacktest(actor, { cohortId: cohort.id, versionId: active.versionId });
    const warmTime = seconds(t);
    const w = warm.results!;
    console.log(
      `${pad('  backtest v1, warm (cached snapshot)')}${warmTime.toFixed(2)} s  (score ${(w.timings.score / 1000).toFixed(2)} s, metrics ${(w.timings.metrics / 1000).toFixed(2)} s, compiled ${w.compiled})`,
    );

    if (values['fit-ab']) {
      const points = (run: typeof warm) =>
        new Map((run.results!.suggestions?.rules ?? []).map((rule) => [rule.rule, rule.suggestedPoints ?? 0]));
      const runs: Record<string, ReturnType<typeof points>> = {};
      for (let round = 0; round < 2; round++) {
        for (const bound of ['none', '']) {
          process.env.BACKTEST_FIT_LEADS = bound;
          const cpu = process.cpuUsage();
          const start = process.hrtime.bigint();
          const run = await backtests.runBacktest(actor, { cohortId: cohort.id, versionId: active.versionId });
          const wall = seconds(start);
          const used = process.cpuUsage(cpu);
          runs[bound] = points(run);
          const name = bound ? 'fits on every training lead' : 'fits on the bounded sample';
          console.log(`${pad(`  warm, ${name}`)}${wall.toFixed(2)} s  (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s)`);
        }
      }
      delete process.env.BACKTEST_FIT_LEADS;
      let moved = 0;
      for (const [rule, p] of runs.none) moved = Math.max(moved, Math.abs(p - (runs[''].get(rule) ?? 0)));
      console.log(`  fitted points, sample vs every lead: at most ${moved} points apart`);
    }

    t = process.hrtime.bigint();
    const compared = await backtests.runBacktest(actor, { cohortId: cohort.id, versionId: draft.id, compareToVersionId: active.versionId });
    const compareTime = seconds(t);
    const c = compared.results!;
    console.log(
      `${pad('  backtest v2 compared to v1, warm')}${compareTime.toFixed(2)} s  (score both ${(c.timings.score / 1000).toFixed(2)} s, metrics ${(c.timings.metrics / 1000).toFixed(2)} s)`,
    );

    const m = w.metrics;
    const fmtRate = (value: number | null) => (value === null ? '-' : value.toFixed(3));
    console.log(
      `  results v1: AUC ${fmtRate(m.auc)}, precision ${fmtRate(m.precision)}, recall ${fmtRate(m.recall)}, to sales ${fmtRate(m.shareToSales)}, top-decile lift ${fmtRate(m.deciles[0].lift)}`,
    );
    console.log(`  v2 - v1: AUC ${c.comparison!.deltas.auc?.toFixed(4)}, ${fmt(c.comparison!.leadsChangingCell)} leads change cell`);

    // Floors in the same minute: a pass over the cohort's fact columns as typed arrays (what a
    // columnar backtest cannot beat), and PostgreSQL scanning the cohort's snapshot rows once.
    const columns = active.definition.facts.length;
    const scan = scanFloor(cohort.leadCount, columns);
    const scanLabel = `a sum over ${columns} typed-array columns of ${fmt(cohort.leadCount)} values`;
    const read = await snapshotReadFloor(db, cohort.id);
    printFigure({
      figure: `backtest ${label}, warm`,
      value: warmTime,
      unit: 's',
      floor: { label: scanLabel, value: scan },
      targetRatio: 5,
    });
    printFigure({
      figure: `backtest ${label}, two versions compared`,
      value: compareTime,
      unit: 's',
      floor: { label: scanLabel, value: scan * 2 },
    });
    printFigure({
      figure: `backtest ${label}, cold`,
      value: coldTime,
      unit: 's',
      floor: { label: 'plain SQL: one scan of the snapshot rows', value: read },
    });
  }
  const [{ size }] = await db.query(`SELECT pg_size_pretty(pg_total_relation_size('backtest_cohort_lead')) AS size`);
  console.log(`\nbacktest_cohort_lead on disk: ${size}; process heap ${fmt(process.memoryUsage().heapUsed / 1e6)} MB`);
} finally {
  await closeApp();
  if (values.keep) console.log(`kept ${dbName}`);
  else await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
