import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { type AccountCohortSpec, accountCohortChecksum, accountCohortSpec, accountOutcomesSql } from './account-cohort';
import { fillAccountCohort } from './account-cohort-preparation';
import type { CohortRow } from './backtest-rows';
import type { CohortSnapshot } from './cohort-snapshot';
import type { CohortSpec } from './cohort-spec';
import type { CohortStore } from './cohort-store';

const LOAD_BATCH = 20_000;

/**
 * An account cohort in memory: its contacts as a lead snapshot (each as of its account's cutoff,
 * read and cached by CohortStore like any cohort), and its accounts columnar, in account id order.
 * The contacts of account `a` are `contacts` indexes `contactIndexes[contactOffsets[a]]` up to
 * `contactIndexes[contactOffsets[a + 1]]`.
 */
export interface AccountCohort {
  contacts: CohortSnapshot;
  size: number;
  accountIds: string[];
  /** The account's external id, else its name, else its id: how examples name it. */
  labels: string[];
  attributes: Array<Record<string, unknown>>;
  /** Epoch milliseconds. */
  cutoffAt: Float64Array;
  firstContactAt: Float64Array;
  converted: Uint8Array;
  decided: Uint8Array;
  dealValue: Float64Array;
  contactOffsets: Uint32Array;
  contactIndexes: Uint32Array;
}

interface AccountRow {
  account_id: string;
  external_id: string | null;
  name: string;
  attributes: Record<string, unknown>;
  cutoff_ms: number;
  first_ms: number;
  converted: boolean;
  decided: boolean;
  deal_value: number | null;
}

/**
 * Account cohorts: prepared (once per spec and generation, like lead cohorts, in backtest_cohort
 * with subject 'account') and read. The cohort row, its cache and its contacts' snapshot are
 * CohortStore's; this adds the accounts.
 */
export class AccountCohortStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly cohorts: CohortStore,
  ) {}

  async subjectOf(cohortId: string): Promise<'lead' | 'account'> {
    const rows: Array<{ subject: 'lead' | 'account' }> = await this.dataSource.query(
      'SELECT subject FROM backtest_cohort WHERE id = $1::bigint',
      [cohortId],
    );
    return rows[0]?.subject ?? 'lead';
  }

  /** Whether an account's outcome (derived from its contacts' too) differs now from the cohort's. */
  private async anyOutcomeChanged(cohortId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM backtest_cohort_account b
         LEFT JOIN (${accountOutcomesSql('a.id IN (SELECT account_id FROM backtest_cohort_account WHERE cohort_id = $1::bigint)')}) o
           ON o.account_id = b.account_id
        WHERE b.cohort_id = $1::bigint
          AND (o.outcome IS DISTINCT FROM b.outcome OR o.outcome_at IS DISTINCT FROM b.outcome_at OR o.deal_value IS DISTINCT FROM b.deal_value)
        LIMIT 1`,
      [cohortId],
    );
    return rows.length > 0;
  }

  /** The account cohort of a lead spec, prepared when needed (`refresh` as CohortStore.prepare). */
  async prepare(spec: CohortSpec, createdBy: string, refresh: 'never' | 'ifOutcomesChanged' | 'always'): Promise<CohortRow> {
    const accountSpec: AccountCohortSpec = accountCohortSpec(spec);
    const checksum = accountCohortChecksum(spec);
    const existing = await this.cohorts.findByChecksum(checksum);
    if (existing && (refresh === 'never' || (refresh === 'ifOutcomesChanged' && !(await this.anyOutcomeChanged(existing.id)))))
      return existing;
    const generation = existing ? existing.generation + 1 : 0;
    const started = Date.now();
    const id = await this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO backtest_cohort (spec, checksum, generation, subject, lead_count, converted_count, decided_count, activity_count, property_count, created_by, prepare_ms)
         VALUES ($1::jsonb, $2, $4, 'account', 0, 0, 0, 0, 0, $3, 0) ON CONFLICT (checksum, generation) DO NOTHING RETURNING id::text AS id`,
        [JSON.stringify(accountSpec), checksum, createdBy, generation],
      );
      if (!inserted.length) return null;
      const cohortId = inserted[0].id;
      await fillAccountCohort(manager, cohortId, accountSpec, new Date(started));
      // lead_count counts the contacts (what the snapshot holds); converted and decided count accounts.
      await manager.query(
        `UPDATE backtest_cohort c SET lead_count = l.leads, activity_count = l.activities, account_count = a.accounts,
                converted_count = a.converted, decided_count = a.decided,
                property_count = (SELECT count(*) FROM backtest_cohort_property WHERE cohort_id = $1::bigint),
                prepared_at = now(), prepare_ms = $2
           FROM (SELECT count(*)::int AS leads, coalesce(sum(cardinality(activity_types)), 0)::bigint AS activities
                   FROM backtest_cohort_lead WHERE cohort_id = $1::bigint) l,
                (SELECT count(*)::int AS accounts, count(*) FILTER (WHERE converted)::int AS converted, count(*) FILTER (WHERE decided)::int AS decided
                   FROM backtest_cohort_account WHERE cohort_id = $1::bigint) a
          WHERE c.id = $1::bigint`,
        [cohortId, Date.now() - started],
      );
      return cohortId;
    });
    const cohort = id ? await this.cohorts.get(id) : await this.cohorts.findByChecksum(checksum);
    if (!cohort) throw new Error(`account cohort ${checksum} vanished while it was prepared`);
    if (id)
      this.logger.info({ cohortId: cohort.id, generation, contacts: cohort.leadCount, ms: cohort.prepareMs }, 'account cohort prepared');
    return cohort;
  }

  /** The cohort's contacts (CohortStore's snapshot, cached) and its accounts, read in batches. */
  async load(cohort: CohortRow): Promise<AccountCohort> {
    const contacts = await this.cohorts.loadSnapshot(cohort);
    const accountIds: string[] = [];
    const labels: string[] = [];
    const attributes: Array<Record<string, unknown>> = [];
    const cutoffAt: number[] = [];
    const firstContactAt: number[] = [];
    const converted: number[] = [];
    const decided: number[] = [];
    const dealValue: number[] = [];
    const indexOf = new Map<string, number>();
    for (let after = '0'; ; ) {
      const rows: AccountRow[] = await this.dataSource.query(
        `SELECT account_id::text AS account_id, external_id, name, attributes, floor(extract(epoch FROM cutoff_at) * 1000)::float8 AS cutoff_ms,
                floor(extract(epoch FROM first_contact_at) * 1000)::float8 AS first_ms, converted, decided, deal_value::float8 AS deal_value
           FROM backtest_cohort_account b WHERE b.cohort_id = $1::bigint AND b.account_id > $2::bigint ORDER BY b.account_id LIMIT $3`,
        [cohort.id, after, LOAD_BATCH],
      );
      for (const row of rows) {
        indexOf.set(row.account_id, accountIds.length);
        accountIds.push(row.account_id);
        labels.push(row.external_id ?? (row.name || row.account_id));
        attributes.push(row.attributes ?? {});
        cutoffAt.push(Number(row.cutoff_ms));
        firstContactAt.push(Number(row.first_ms));
        converted.push(row.converted ? 1 : 0);
        decided.push(row.decided ? 1 : 0);
        dealValue.push(row.deal_value == null ? 0 : Number(row.deal_value));
      }
      if (rows.length < LOAD_BATCH) break;
      after = rows[rows.length - 1].account_id;
    }
    // Each contact's account, in the snapshot's order (lead id order), then grouped by account.
    const accountOf = new Uint32Array(contacts.size);
    let i = 0;
    for (let after = '0'; ; ) {
      const rows: Array<{ lead_id: string; account_id: string }> = await this.dataSource.query(
        // Ordered by the bigint column (the text alias of the same name would sort 10 before 2).
        `SELECT l.lead_id::text AS lead_id, l.account_id::text AS account_id FROM backtest_cohort_lead l
          WHERE l.cohort_id = $1::bigint AND l.lead_id > $2::bigint ORDER BY l.lead_id LIMIT $3`,
        [cohort.id, after, LOAD_BATCH],
      );
      for (const row of rows) {
        if (contacts.leadIds[i] !== row.lead_id)
          throw new Error(`account cohort ${cohort.id}: contact ${row.lead_id} read where the snapshot has ${contacts.leadIds[i]}`);
        accountOf[i++] = indexOf.get(row.account_id) ?? 0;
      }
      if (rows.length < LOAD_BATCH) break;
      after = rows[rows.length - 1].lead_id;
    }
    const n = accountIds.length;
    const contactOffsets = new Uint32Array(n + 1);
    for (let c = 0; c < contacts.size; c++) contactOffsets[accountOf[c] + 1]++;
    for (let a = 0; a < n; a++) contactOffsets[a + 1] += contactOffsets[a];
    const fill = contactOffsets.slice(0, n);
    const contactIndexes = new Uint32Array(contacts.size);
    for (let c = 0; c < contacts.size; c++) contactIndexes[fill[accountOf[c]]++] = c;
    return {
      contacts,
      size: n,
      accountIds,
      labels,
      attributes,
      cutoffAt: Float64Array.from(cutoffAt),
      firstContactAt: Float64Array.from(firstContactAt),
      converted: Uint8Array.from(converted),
      decided: Uint8Array.from(decided),
      dealValue: Float64Array.from(dealValue),
      contactOffsets,
      contactIndexes,
    };
  }
}
