import Papa from 'papaparse';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestExportService } from '../server/src/backtests/backtest-export';
import { createTestApp, type GqlResult, type TestApp } from './support/test-app';
import { until } from './support/wait';

/*
 * GET /backtests/:id/leads.csv over HTTP. 60 leads in three groups of 20 without activities (one
 * score per group under the default rules), 25 converted and 35 lost, so the backtest is accepted as
 * the version's calibration; plus 6 open leads whose external ids a spreadsheet would run as formulas
 * or that need quoting.
 */

const DAY = 86_400_000;
const GROUPS = [
  { name: 'student', attributes: { industry: 'education', companySize: 20, seniority: 'student' }, converted: 2 },
  { name: 'director', attributes: { industry: 'software', companySize: 300, seniority: 'director' }, converted: 8 },
  { name: 'vp', attributes: { industry: 'software', companySize: 800, seniority: 'vp' }, converted: 15 },
] as const;
const PER_GROUP = 20;
const TRICKY = ['=HYPERLINK("http://evil.example","click")', '+4412345', '-2+3', '@SUM(A1:A2)', '=1+1\nsecond line', 'comma, "quoted"'];
const COHORT_SIZE = GROUPS.length * PER_GROUP + TRICKY.length;
const onPostgres = Boolean(process.env.DATABASE_URL);

interface Cells {
  cell: string;
  leads: number;
  converted: number;
}
interface Run {
  id: string;
  status: string;
  exportUrl: string | null;
  results: {
    metrics: { leads: number; qualified: number; cells: Cells[]; bands: Array<{ band: string; leads: number; converted: number }> };
    raw: { suggestions?: { split: { trainingLeads: number; holdoutLeads: number } } };
  };
}

let t: TestApp;
let base: string;
let token: string;
let run: Run;
const now = Date.now();
const cohort = {
  createdFrom: new Date(now - 110 * DAY).toISOString(),
  createdTo: new Date(now - 80 * DAY).toISOString(),
  cutoffDaysAfterCreation: 30,
};
const RUN = 'id status exportUrl results { metrics { leads qualified cells { cell leads converted } bands { band leads converted } } raw }';

function ok<T>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

async function upsert(externalId: string, attributes: Record<string, unknown>, k: number): Promise<void> {
  ok(await t.gql('mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id } }', { input: { externalId, attributes } }));
  await t.sql('UPDATE lead SET created_at = $2::timestamptz WHERE external_id = $1', [
    externalId,
    new Date(now - 100 * DAY + k * 60_000).toISOString(),
  ]);
}

function parse(text: string): Array<Record<string, string>> {
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

/** A counter's value on /metrics (0 before the first increment). */
interface ErrorBody {
  errors: Array<{ message: string; extensions: { code: string } }>;
}
const errorsOf = async (response: Response) => (await response.json()) as ErrorBody;

async function counter(line: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

beforeAll(async () => {
  t = await createTestApp();
  base = (await t.http()).url;
  token = await t.adminToken();
  let k = 0;
  for (const group of GROUPS) {
    for (let i = 0; i < PER_GROUP; i++, k++) {
      const externalId = `${group.name}-${i}`;
      await upsert(externalId, group.attributes, k);
      const outcome = i < group.converted ? 'CONVERTED' : 'LOST';
      ok(
        await t.gql('mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }', {
          input: { externalId, outcome, at: new Date(now - 90 * DAY + k * 60_000).toISOString() },
        }),
      );
    }
  }
  for (const externalId of TRICKY) await upsert(externalId, GROUPS[1].attributes, k++);
  const { activeRuleSets } = ok(await t.gql<{ activeRuleSets: Array<{ versionId: string }> }>('{ activeRuleSets { versionId } }'));
  run = ok(
    await t.gql<{ runBacktest: Run }>(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { ${RUN} } }`, {
      input: { cohort, versionId: activeRuleSets[0].versionId },
    }),
  ).runBacktest;
  expect(run.status).toBe('completed');
});

afterAll(async () => {
  await t?.close();
});

const csvPath = () => `/backtests/${run.id}/leads.csv`;
const asAdmin = async (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

describe('backtest CSV export', () => {
  it('has a header row and one row per cohort lead, each as the backtest scored it', async () => {
    const response = await asAdmin(csvPath());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="backtest-${run.id}-leads.csv"`);
    const text = await response.text();
    expect(text.split('\r\n')[0]).toBe('lead_id,external_id,score,fit,engagement,cell,band,qualified,conversion_probability,outcome,split');
    const rows = parse(text);
    expect(rows).toHaveLength(COHORT_SIZE);
    expect(run.results.metrics.leads).toBe(COHORT_SIZE);
    expect(new Set(rows.map((row) => row.lead_id)).size).toBe(COHORT_SIZE);

    // The run's figures, recomputed from the rows: leads and conversions per cell and band, qualified leads.
    const tally = (key: 'cell' | 'band') => {
      const out = new Map<string, { leads: number; converted: number }>();
      for (const row of rows) {
        const entry = out.get(row[key]) ?? { leads: 0, converted: 0 };
        entry.leads += 1;
        entry.converted += row.outcome === 'converted' ? 1 : 0;
        out.set(row[key], entry);
      }
      return out;
    };
    const cells = tally('cell');
    for (const cell of run.results.metrics.cells)
      expect(cells.get(cell.cell) ?? { leads: 0, converted: 0 }).toEqual({ leads: cell.leads, converted: cell.converted });
    const bands = tally('band');
    for (const band of run.results.metrics.bands)
      expect(bands.get(band.band) ?? { leads: 0, converted: 0 }).toEqual({ leads: band.leads, converted: band.converted });
    expect(rows.filter((row) => row.qualified === 'true')).toHaveLength(run.results.metrics.qualified);
    const split = run.results.raw.suggestions!.split;
    expect(rows.filter((row) => row.split === 'training')).toHaveLength(split.trainingLeads);
    expect(rows.filter((row) => row.split === 'holdout')).toHaveLength(split.holdoutLeads);

    // Each row: the lead's ids, its score (fit only: no activities) and outcome; the probability of
    // its score on this (accepted) backtest is the conversion rate of the leads with that score.
    const byExternalId = new Map(rows.map((row) => [row.external_id, row]));
    const [{ id: firstId }] = await t.sql<{ id: string }>(`SELECT id::text AS id FROM lead WHERE external_id = 'student-0'`);
    expect(byExternalId.get('student-0')!.lead_id).toBe(firstId);
    for (const group of GROUPS) {
      const scores = new Set<string>();
      for (let i = 0; i < PER_GROUP; i++) {
        const row = byExternalId.get(`${group.name}-${i}`)!;
        expect(row).toMatchObject({ outcome: i < group.converted ? 'converted' : 'lost', engagement: '0', fit: row.score });
        // The open leads with tricky ids share the directors' score: they count as not converted.
        const leads = PER_GROUP + (group.name === 'director' ? TRICKY.length : 0);
        expect(Number(row.conversion_probability)).toBe(group.converted / leads);
        scores.add(row.score);
      }
      expect(scores.size).toBe(1);
    }
    expect(Number(byExternalId.get('student-0')!.score)).toBeLessThan(Number(byExternalId.get('director-0')!.score));
    expect(Number(byExternalId.get('director-0')!.score)).toBeLessThan(Number(byExternalId.get('vp-0')!.score));
  });

  it('gives the same rows when the cohort is read and scored a few leads at a time', async () => {
    const whole = await (await asAdmin(csvPath())).text();
    const exporter = new BacktestExportService(t.app.dataSource, t.app.services.backtests, t.app.services.workflow, { chunkLeads: 7 });
    const chunks: string[] = [];
    for await (const chunk of exporter.csv(await exporter.plan(run.id))) chunks.push(chunk);
    // The header, then ceil(66 / 7) = 10 chunks of rows.
    expect(chunks).toHaveLength(11);
    expect(chunks.join('')).toBe(whole);
  });

  it('marks each lead of a time split as the backtest split it: the newest held out', async () => {
    const timed = ok(
      await t.gql<{ runBacktest: Run & { cohortId: string } }>(
        `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { cohortId ${RUN} } }`,
        {
          input: {
            cohort,
            versionId: (
              await t.sql<{ id: string }>("SELECT active_version_id::text AS id FROM rule_set WHERE is_default AND model = 'default'")
            )[0].id,
            split: { kind: 'TIME', holdoutShare: 0.25 },
          },
        },
      ),
    ).runBacktest;
    const rows = parse(await (await asAdmin(timed.exportUrl!.split('?')[0])).text());
    const split = timed.results.raw.suggestions!.split;
    const holdout = rows.filter((row) => row.split === 'holdout');
    expect(holdout).toHaveLength(split.holdoutLeads);
    expect(rows.filter((row) => row.split === 'training')).toHaveLength(split.trainingLeads);
    // Created one minute apart in lead id order: the holdout is the last round(0.25 * 66) = 17 leads.
    const ids = rows.map((row) => BigInt(row.lead_id)).sort((a, b) => (a < b ? -1 : 1));
    expect(holdout.map((row) => BigInt(row.lead_id)).sort((a, b) => (a < b ? -1 : 1))).toEqual(ids.slice(-17));
  });

  it('neutralises cells a spreadsheet would run as formulas, and quotes what needs it', async () => {
    const text = await (await asAdmin(csvPath())).text();
    const rows = parse(text);
    for (const externalId of TRICKY) {
      const expected = /^[=+\-@]/.test(externalId) ? `'${externalId}` : externalId;
      const row = rows.find((r) => r.external_id === expected);
      expect(row, externalId).toBeDefined();
      expect(row!.outcome).toBe('open');
    }
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    expect(text).toContain(`,"comma, ""quoted""",`);
    expect(text).toContain(`,"'=1+1\nsecond line",`);
    // Numbers stay numbers: a negative score is not prefixed.
    expect(rows.every((row) => /^-?\d+(\.\d+)?$/.test(row.score))).toBe(true);
  });

  it('needs credentials: 401 without, 403 for a caller that may not read backtests', async () => {
    const anonymous = await fetch(`${base}${csvPath()}`);
    expect(anonymous.status).toBe(401);
    expect((await errorsOf(anonymous)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const { createApiKey } = ok(
      await t.gql<{ createApiKey: { secret: string } }>(
        'mutation { createApiKey(input: { name: "crm", scopes: [SCORES_READ] }) { secret } }',
      ),
    );
    const key = await fetch(`${base}${csvPath()}`, { headers: { authorization: `Bearer ${createApiKey.secret}` } });
    expect(key.status).toBe(403);
    const body = await errorsOf(key);
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(body.errors[0].message).toMatch(/GET \/backtests\/:id\/leads.csv needs role admin or marketing or sales or viewer/);
  });

  it('downloads with the link of BacktestRun.exportUrl alone, for that run only', async () => {
    expect(run.exportUrl).toMatch(new RegExp(`^/backtests/${run.id}/leads\\.csv\\?token=[\\w-]+\\.[\\w-]+$`));
    const linked = await fetch(`${base}${run.exportUrl}`);
    expect(linked.status).toBe(200);
    expect(parse(await linked.text())).toHaveLength(COHORT_SIZE);
    const tokenPart = run.exportUrl!.split('token=')[1];
    const [payload, signature] = tokenPart.split('.');
    const tampered = await fetch(`${base}${csvPath()}?token=${payload}.${signature.slice(0, -2)}xx`);
    expect(tampered.status).toBe(401);
    const otherRun = await fetch(`${base}/backtests/${Number(run.id) + 1}/leads.csv?token=${tokenPart}`);
    expect(otherRun.status).toBe(401);
    expect((await errorsOf(otherRun)).errors[0].message).toMatch(/not valid for this backtest/);
  });

  it('answers 404 for an unknown run', async () => {
    for (const id of ['999999', 'abc']) {
      const response = await asAdmin(`/backtests/${id}/leads.csv`);
      expect(response.status).toBe(404);
      expect((await errorsOf(response)).errors[0]).toMatchObject({
        message: `No backtest run with id "${id}"`,
        extensions: { code: 'NOT_FOUND' },
      });
    }
  });

  it.skipIf(!onPostgres)('stops when the client goes away (PostgreSQL only: a second connection holds a lock)', async () => {
    const [{ current_database: database }] = await t.sql<{ current_database: string }>('SELECT current_database()');
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${database}`;
    const holder = new pg.Client({ connectionString: url.toString() });
    const watcher = new pg.Client({ connectionString: url.toString() });
    await holder.connect();
    await watcher.connect();
    const aborted = await counter('backtest_exports_total{outcome="aborted"}');
    const rowsBefore = await counter('backtest_export_rows_total');
    try {
      // The export's first read of the snapshot waits on the lock: the client leaves meanwhile.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE backtest_cohort_lead IN ACCESS EXCLUSIVE MODE');
      const waiting = async () => {
        const { rows } = await watcher.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = 'backtest_cohort_lead'::regclass AND NOT l.granted AND a.datname = $1 AND a.state = 'active'`,
          [database],
        );
        return rows[0].count;
      };
      const client = new AbortController();
      const response = await fetch(`${base}${csvPath()}`, { headers: { authorization: `Bearer ${token}` }, signal: client.signal });
      expect(response.status).toBe(200);
      await until(async () => (await waiting()) === 1, 'the export waits on the lock');
      client.abort();
      await until(async () => (await waiting()) === 0, 'the export’s read is cancelled');
      await until(async () => (await counter('backtest_exports_total{outcome="aborted"}')) === aborted + 1, 'the export counts as aborted');
      expect(await counter('backtest_export_rows_total')).toBe(rowsBefore);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await watcher.end();
    }
    // The service goes on answering exports.
    expect((await asAdmin(csvPath())).status).toBe(200);
  });
});
