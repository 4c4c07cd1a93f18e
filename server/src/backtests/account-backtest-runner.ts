import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { InvalidInputError } from '../common/errors';
import type { RuleSetDefinition, Subject } from '../engine/ruleset-definition';
import { computeAccountResults, contactEngagement } from './account-backtest';
import { countAccountCohortContacts, requireAccountCohortMatches } from './account-cohort';
import { AccountCohortStore } from './account-cohort-store';
import { BacktestErrorCode } from './backtest.errors';
import type { BacktestResults, CohortRow, OpenLeads } from './backtest-rows';
import type { EvaluatorFactory } from './cohort-scoring';
import type { CohortSpec } from './cohort-spec';
import type { CohortStore } from './cohort-store';

/**
 * What BacktestService needs to run a backtest of an account model: which subject a version is
 * about, the account cohorts, and the results over accounts (account-backtest.ts).
 */
export class AccountBacktestRunner {
  readonly cohorts: AccountCohortStore;

  constructor(
    private readonly dataSource: DataSource,
    logger: Logger,
    leadCohorts: CohortStore,
    private readonly evaluatorFactory: EvaluatorFactory,
  ) {
    this.cohorts = new AccountCohortStore(dataSource, logger, leadCohorts);
  }

  /** Who a saved version scores: its rule set's model's subject. */
  async subjectOfVersion(versionId: string): Promise<Subject> {
    const rows: Array<{ subject: Subject }> = await this.dataSource.query(
      `SELECT m.subject FROM rule_set_version v JOIN rule_set r ON r.id = v.rule_set_id JOIN score_model m ON m.key = r.model
        WHERE v.id = $1::bigint`,
      [versionId],
    );
    return rows[0]?.subject ?? 'lead';
  }

  /** Refuses a prepared cohort of the other subject (a lead cohort for an account model, or the reverse). */
  async requireCohortSubject(cohort: CohortRow, subject: Subject, path: string): Promise<void> {
    const cohortSubject = await this.cohorts.subjectOf(cohort.id);
    if (cohortSubject === subject) return;
    throw InvalidInputError.field(
      BacktestErrorCode.InvalidBacktest,
      path,
      `cohort ${cohort.id} is a cohort of ${cohortSubject}s; a rule set scoring ${subject}s is backtested on a cohort of ${subject}s (give a cohort spec instead)`,
    );
  }

  requireMatches(spec: CohortSpec, path: string): Promise<void> {
    return requireAccountCohortMatches(this.dataSource, spec, path);
  }

  countContacts(spec: CohortSpec): Promise<number> {
    return countAccountCohortContacts(this.dataSource, spec);
  }

  /**
   * The results of an account run: the cohort loaded, its contacts' point-in-time engagement under
   * the default lead model's active rule sets (by segment, as they score leads now), the accounts
   * scored and measured.
   */
  async results(input: {
    cohort: CohortRow;
    candidate: RuleSetDefinition;
    baseline: RuleSetDefinition | null;
    options: { openLeads?: OpenLeads };
    calibrate: boolean;
  }): Promise<BacktestResults> {
    const started = Date.now();
    const cohort = await this.cohorts.load(input.cohort);
    const loadCohortMs = Date.now() - started;
    const engagement = await contactEngagement(cohort.contacts, await this.defaultModelDefinitions(), this.evaluatorFactory);
    return computeAccountResults({ ...input, cohort, engagement, loadCohortMs, evaluatorFactory: this.evaluatorFactory });
  }

  /** The default lead model's active rule sets: the one claiming a segment, else the default one. */
  private async defaultModelDefinitions(): Promise<(segment: string | null) => RuleSetDefinition> {
    const rows: Array<{ isDefault: boolean; segments: string[]; definition: RuleSetDefinition }> = await this.dataSource.query(
      `SELECT rs.is_default AS "isDefault", rs.segments, v.definition
         FROM rule_set rs JOIN rule_set_version v ON v.id = rs.active_version_id
        WHERE rs.archived_at IS NULL AND rs.model = 'default'`,
    );
    const fallback = rows.find((row) => row.isDefault);
    if (!fallback) throw new Error('no active default rule set of the default model: contacts cannot be scored for an account backtest');
    const bySegment = new Map<string, RuleSetDefinition>();
    for (const row of rows) for (const segment of row.segments ?? []) bySegment.set(segment, row.definition);
    return (segment) => (segment !== null ? bySegment.get(segment) : undefined) ?? fallback.definition;
  }
}
