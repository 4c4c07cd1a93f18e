import type { DataSource } from 'typeorm';
import { InvalidInputError, type Problem } from '../common/errors';
import { BacktestErrorCode } from './backtest.errors';
import type { CohortSpec } from './cohort-spec';

/** Values of a filtered field listed when a cohort filter matches no lead. */
const KNOWN_VALUES_LISTED = 10;

/** How many leads a spec selects now (before any cohort of it is prepared). */
export async function countCohortLeads(dataSource: DataSource, spec: CohortSpec): Promise<number> {
  const params: unknown[] = [
    spec.createdFrom,
    spec.createdTo,
    spec.source,
    spec.segment,
    JSON.stringify(Object.fromEntries(spec.attributes.map((a) => [a.name, a.value]))),
  ];
  const [{ count }]: Array<{ count: number }> = await dataSource.query(
    `SELECT count(*)::int AS count FROM lead l
      WHERE l.created_at >= $1::timestamptz AND l.created_at < $2::timestamptz AND ($3::text IS NULL OR l.source = $3)
        AND ($4::text IS NULL OR l.segment = $4) AND l.attributes @> $5::jsonb`,
    params,
  );
  return count;
}

/**
 * Refuses a spec whose filters match no lead (a typo such as segment "x-educaton" would
 * otherwise "complete" with 0 leads): the first filter that matches nothing in the creation
 * range is named, with the values that do occur there (the most frequent first).
 */
export async function requireCohortMatches(dataSource: DataSource, spec: CohortSpec, path: string): Promise<void> {
  if ((await countCohortLeads(dataSource, spec)) > 0) return;
  const range = [spec.createdFrom, spec.createdTo];
  const inRange = 'l.created_at >= $1::timestamptz AND l.created_at < $2::timestamptz';
  const known = async (expression: string, extra: unknown[] = []): Promise<string> => {
    const rows: Array<{ value: string; leads: number }> = await dataSource.query(
      `SELECT ${expression} AS value, count(*)::int AS leads FROM lead l WHERE ${inRange} AND ${expression} IS NOT NULL
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${KNOWN_VALUES_LISTED}`,
      [...range, ...extra],
    );
    return rows.length
      ? `known values there: ${rows.map((row) => `${JSON.stringify(row.value)} (${row.leads})`).join(', ')}`
      : 'no lead there has one';
  };
  const matches = async (condition: string, value: unknown): Promise<boolean> => {
    const rows: unknown[] = await dataSource.query(`SELECT 1 FROM lead l WHERE ${inRange} AND ${condition} LIMIT 1`, [...range, value]);
    return rows.length > 0;
  };
  const period = `created ${spec.createdFrom} to ${spec.createdTo}`;
  const problems: Problem[] = [];
  for (const field of ['source', 'segment'] as const) {
    const value = spec[field];
    if (value !== null && !(await matches(`l.${field} = $3`, value))) {
      problems.push({
        path: `${path}.${field}`,
        message: `no lead ${period} has ${field} ${JSON.stringify(value)}; ${await known(`l.${field}`)}`,
      });
    }
  }
  for (const [index, { name, value }] of spec.attributes.entries()) {
    if (!(await matches('l.attributes @> $3::jsonb', JSON.stringify({ [name]: value })))) {
      problems.push({
        path: `${path}.attributes[${index}].value`,
        message: `no lead ${period} has ${name} = ${JSON.stringify(value)}; ${await known('l.attributes ->> $3', [name])}`,
      });
    }
  }
  if (!problems.length) {
    const filtered = spec.source !== null || spec.segment !== null || spec.attributes.length > 0;
    problems.push(
      filtered
        ? { path, message: `no lead ${period} matches all of these filters together (each matches some)` }
        : { path: `${path}.createdFrom`, message: `no lead was ${period}` },
    );
  }
  throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);
}
