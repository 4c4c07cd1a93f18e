/**
 * Floors: what this machine does at best for the same rows, measured in the same run as the figure
 * they sit beside. The machine's speed moves 3-4x from hour to hour, so a figure alone cannot tell a
 * regression from a slow hour; its ratio to a floor measured a minute apart can.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import Papa from 'papaparse';
import type pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import type { ActivityFact, RuleSetDefinition } from '../../server/src/engine/ruleset-definition';

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Streams a query's rows to nowhere with COPY: PostgreSQL reading and sending them, no client work. */
async function drain(client: pg.ClientBase, sql: string): Promise<number> {
  const stream = client.query(pgCopyStreams.to(`COPY (${sql}) TO STDOUT`));
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/**
 * The re-score floor: every lead read once (id, attributes, its stored score) and `changed` score
 * rows rewritten by one `UPDATE ... FROM unnest(...)`, inside a transaction that is rolled back so
 * the data stays as it was. A re-score cannot do less: it must read each lead and write each change.
 */
export async function rescoreFloor(client: pg.ClientBase, changed: number): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query('BEGIN');
  try {
    await drain(client, 'SELECT l.id, l.attributes, s.total, s.fired_rules FROM lead l LEFT JOIN lead_score s ON s.lead_id = l.id');
    const { rows } = await client.query<{ ids: string[] }>(
      'SELECT coalesce(array_agg(lead_id), ARRAY[]::bigint[])::text[] AS ids FROM (SELECT lead_id FROM lead_score ORDER BY lead_id LIMIT $1) x',
      [changed],
    );
    const ids = rows[0].ids;
    const totals = ids.map((_, i) => i % 100);
    await client.query(
      `UPDATE lead_score s SET total = u.total, scored_at = now()
         FROM unnest($1::bigint[], $2::int[]) AS u(lead_id, total)
        WHERE s.lead_id = u.lead_id`,
      [ids, totals],
    );
  } finally {
    await client.query('ROLLBACK');
  }
  return seconds(start);
}

/**
 * The activity-aggregation floor: one `GROUP BY lead_id` over the whole activities table with the
 * same FILTER clauses as the rule set's activity facts, rows streamed out and dropped.
 */
export async function aggregationFloor(client: pg.ClientBase, definition: RuleSetDefinition): Promise<number> {
  const facts = definition.facts.filter((fact): fact is ActivityFact => fact.source === 'activity');
  const columns = facts.map((fact, index) => {
    const filters = ['true'];
    if (fact.activityTypes?.length)
      filters.push(`type IN (${fact.activityTypes.map((type) => `'${type.replace(/'/g, "''")}'`).join(', ')})`);
    if (fact.windowDays !== undefined) filters.push(`occurred_at > now() - interval '${Number(fact.windowDays)} days'`);
    if (fact.where && Object.keys(fact.where).length > 0)
      filters.push(`properties @> '${JSON.stringify(fact.where).replace(/'/g, "''")}'::jsonb`);
    const filter = `FILTER (WHERE ${filters.join(' AND ')})`;
    if (fact.aggregate === 'daysSinceLast') return `max(occurred_at) ${filter} AS f${index}`;
    if (fact.aggregate === 'sum')
      return `sum((properties ->> '${String(fact.property).replace(/'/g, "''")}')::float8) ${filter} AS f${index}`;
    return `count(*) ${filter} AS f${index}`;
  });
  const start = process.hrtime.bigint();
  await drain(client, `SELECT lead_id, ${columns.join(', ') || 'count(*)'} FROM activity GROUP BY lead_id`);
  return seconds(start);
}

/** The cold-backtest floor: PostgreSQL scanning a cohort's snapshot rows once (attributes included). */
export async function snapshotReadFloor(
  source: { query(sql: string, params?: unknown[]): Promise<unknown> },
  cohortId: string,
): Promise<number> {
  if (!/^\d+$/.test(cohortId)) throw new Error(`cohort id ${cohortId} is not a number`);
  const start = process.hrtime.bigint();
  await source.query(`SELECT count(*), sum(length(attributes::text)) FROM backtest_cohort_lead WHERE cohort_id = ${cohortId}`);
  return seconds(start);
}

/**
 * The backtest floor: one pass over `columns` typed arrays of `rows` values each (a sum), the least a
 * columnar backtest must do. The arrays are filled before the clock starts.
 */
export function scanFloor(rows: number, columns: number): number {
  const arrays = Array.from({ length: columns }, (_, c) => Float64Array.from({ length: rows }, (_, i) => (i * 31 + c) % 97));
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  // The best of three: the first pass also pays for page faults and JIT.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const start = process.hrtime.bigint();
    for (const values of arrays) for (let i = 0; i < values.length; i += 1) sink += values[i];
    best = Math.min(best, seconds(start));
  }
  if (sink < 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return best;
}

/**
 * The import floor: PostgreSQL loading the same CSV file with one COPY into a plain table of text
 * columns (no validation, no mapping, no upsert), dropped afterwards. Returns seconds.
 */
export async function copyFloor(client: pg.ClientBase, csvFile: string): Promise<number> {
  const firstLine = readFileSync(csvFile, 'utf8').split(/\r?\n/, 1)[0];
  const columns = (Papa.parse<string[]>(firstLine).data[0] ?? []).map((_, i) => `c${i} text`);
  await client.query(`DROP TABLE IF EXISTS bench_copy_floor; CREATE TABLE bench_copy_floor (${columns.join(', ')})`);
  try {
    const start = process.hrtime.bigint();
    await pipeline(
      createReadStream(csvFile),
      client.query(pgCopyStreams.from('COPY bench_copy_floor FROM STDIN (FORMAT csv, HEADER true)')),
    );
    return seconds(start);
  } finally {
    await client.query('DROP TABLE bench_copy_floor');
  }
}

/**
 * The account re-score floor: every account's contacts read once, aggregated in one `GROUP BY
 * account_id` over the contacts and their default-model scores, and every score row of `model`
 * rewritten by one `UPDATE ... FROM` that aggregate, rolled back. An account re-score cannot do less.
 */
export async function accountRescoreFloor(client: pg.ClientBase, model: string): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query('BEGIN');
  try {
    await client.query(
      `UPDATE model_score m SET total = c.engagement % 100, scored_at = now()
         FROM (SELECT l.account_id, count(*) AS contacts, sum(least(s.engagement, 40)) AS engagement, max(s.last_activity_at) AS last
                 FROM lead l JOIN lead_score s ON s.lead_id = l.id
                WHERE l.account_id IS NOT NULL GROUP BY l.account_id) c
        WHERE m.model = $1 AND m.subject_id = c.account_id`,
      [model],
    );
  } finally {
    await client.query('ROLLBACK');
  }
  return seconds(start);
}
