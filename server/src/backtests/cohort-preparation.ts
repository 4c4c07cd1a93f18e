import type { EntityManager } from 'typeorm';
import type { CohortSpec } from './cohort-spec';

/**
 * Fills a new cohort's snapshot inside its preparation's transaction, set-based: the cohort's
 * leads with their cutoff, then snapshotActivities.
 */
export async function fillCohortSnapshot(manager: EntityManager, cohortId: string, spec: CohortSpec, preparedAt: Date): Promise<void> {
  const params: unknown[] = [spec.createdFrom, spec.createdTo];
  const add = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const where = ['l.created_at >= $1::timestamptz', 'l.created_at < $2::timestamptz'];
  if (spec.source !== null) where.push(`l.source = ${add(spec.source, 'text')}`);
  if (spec.segment !== null) where.push(`l.segment = ${add(spec.segment, 'text')}`);
  if (spec.attributes.length)
    where.push(`l.attributes @> ${add(JSON.stringify(Object.fromEntries(spec.attributes.map((a) => [a.name, a.value]))), 'jsonb')}`);
  // The chosen cutoff, in whole milliseconds (what JavaScript dates hold); N days after creation
  // never later than the preparation itself.
  const chosen =
    spec.cutoff.kind === 'fixed'
      ? add(spec.cutoff.at, 'timestamptz')
      : `least(date_trunc('milliseconds', l.created_at + make_interval(days => ${add(spec.cutoff.days, 'int')})), ${add(preparedAt.toISOString(), 'timestamptz')})`;

  await manager.query(`SET LOCAL work_mem = '256MB'`);
  // Decided leads are looked at 1 ms before their outcome at the latest: nothing that happened
  // after the conversion (or loss) can leak into the facts.
  await manager.query(
    `CREATE TEMP TABLE backtest_prep_lead ON COMMIT DROP AS
     SELECT l.id, l.external_id, l.email, l.segment, l.source, l.attributes, l.created_at, l.outcome, l.outcome_at, l.deal_value,
            least(${chosen}, CASE WHEN l.outcome <> 'open' AND l.outcome_at IS NOT NULL
                                  THEN date_trunc('milliseconds', l.outcome_at) - interval '1 millisecond' END) AS cutoff_at
       FROM lead l
      WHERE ${where.join(' AND ')}`,
    params,
  );
  await manager.query('ANALYZE backtest_prep_lead');
  await snapshotActivities(manager, cohortId, 'backtest_prep_lead');
  await manager.query('DROP TABLE backtest_prep_lead');
}

/**
 * The part of a snapshot lead and account cohorts share, from `leadsTable` (a temp table of the
 * cohort's leads: lead columns, `cutoff_at`, and `account_id` when `withAccount`): their
 * activities up to the cutoff (types by stable catalog code), the distinct property objects of
 * those activities, then one backtest_cohort_lead row per lead with its activities as parallel arrays.
 */
export async function snapshotActivities(
  manager: EntityManager,
  cohortId: string,
  leadsTable: string,
  options: { withAccount?: boolean } = {},
): Promise<void> {
  if (!/^[a-z_]+$/.test(leadsTable)) throw new Error(`not a temp table name: ${leadsTable}`);
  await manager.query(
    `CREATE TEMP TABLE backtest_prep_activity ON COMMIT DROP AS
     SELECT c.id AS lead_id, coalesce(t.code, 0)::smallint AS type,
            (extract(epoch FROM c.cutoff_at - a.occurred_at) * 1000)::float8 AS age_ms, a.properties
       FROM ${leadsTable} c JOIN activity a ON a.lead_id = c.id AND a.occurred_at <= c.cutoff_at
       LEFT JOIN activity_type_definition t ON t.name = a.type`,
  );
  await manager.query('ANALYZE backtest_prep_activity');
  await manager.query(
    `INSERT INTO backtest_cohort_property (cohort_id, id, properties)
     SELECT $1::bigint, (row_number() OVER (ORDER BY p))::int, p
       FROM (SELECT DISTINCT properties AS p FROM backtest_prep_activity WHERE properties <> '{}'::jsonb) d`,
    [cohortId],
  );
  const account = options.withAccount ? ', account_id' : '';
  // The three arrays are filled from the same rows in the same order (one aggregation, no ORDER BY
  // that could break ties differently per array).
  await manager.query(
    `INSERT INTO backtest_cohort_lead (cohort_id, lead_id, external_id, email, segment, source, attributes, created_at, cutoff_at,
                                       outcome, converted, decided, outcome_at, deal_value, activity_types, activity_age_ms, activity_properties${account})
     SELECT $1::bigint, c.id, c.external_id, c.email, c.segment, c.source, c.attributes::json, c.created_at, c.cutoff_at,
            c.outcome, c.outcome = 'converted', c.outcome IN ('converted', 'lost'), c.outcome_at, c.deal_value,
            coalesce(x.types, '{}'), coalesce(x.ages, '{}'), coalesce(x.props, '{}')${account ? ', c.account_id' : ''}
       FROM ${leadsTable} c
       LEFT JOIN (SELECT pa.lead_id, array_agg(pa.type) AS types, array_agg(pa.age_ms) AS ages, array_agg(coalesce(p.id, 0)) AS props
                    FROM backtest_prep_activity pa
                    LEFT JOIN backtest_cohort_property p ON p.cohort_id = $1::bigint AND p.properties = pa.properties
                   GROUP BY pa.lead_id) x ON x.lead_id = c.id`,
    [cohortId],
  );
  await manager.query('DROP TABLE backtest_prep_activity');
  await manager.query('ANALYZE backtest_cohort_lead');
}
