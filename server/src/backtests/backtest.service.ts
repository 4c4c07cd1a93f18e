import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { ConflictError, InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import { checksumOf } from '../engine/canonical-json';
import { type RuleSetDefinition, type Subject, subjectOf } from '../engine/ruleset-definition';
import type { AttributeSpec } from '../leads/attribute-catalog';
import type { RuleSetWorkflowService, VersionRow } from '../rulesets/ruleset-workflow.service';
import { BacktestErrorCode } from './backtest.errors';
import { AccountBacktestRunner } from './account-backtest-runner';
import { accountCohortChecksum } from './account-cohort';
import { computeResults } from './backtest-results';
import { type BacktestDispatcher, type BacktestResults, type CohortRow, isId, type RunBacktestInput, type RunRow } from './backtest-rows';
import { BacktestRunStore } from './backtest-run-store';
import { countCohortLeads, requireCohortMatches } from './cohort-matching';
import { defaultEvaluatorFactory, type EvaluatorFactory } from './cohort-scoring';
import type { CohortSnapshot } from './cohort-snapshot';
import { type CohortSpec, type CohortSpecInput, cohortChecksum, normaliseCohortSpec } from './cohort-spec';
import { type CohortCacheLimits, CohortStore } from './cohort-store';
import { withAccountColumns } from './snapshot-accounts';
import { DEFAULT_SPLIT, type SplitOptions } from './suggestions';

export interface BacktestConfig extends CohortCacheLimits {
  /**
   * Cohorts up to this many leads run inside the request; bigger ones as a queued job. A run scores,
   * fits and searches candidate rules synchronously, so this bounds how long a request holds the event loop.
   */
  inlineLimit: number;
  evaluatorFactory: EvaluatorFactory;
}

export const DEFAULT_BACKTEST_CONFIG: BacktestConfig = {
  inlineLimit: 20_000,
  cacheCohorts: 3,
  cacheLeads: 2_500_000,
  evaluatorFactory: defaultEvaluatorFactory,
};

/**
 * Backtests: how a rule set version (or an unsaved definition) would have scored historical leads,
 * against what those leads then did.
 *
 * A cohort is prepared once per spec: its leads as of their cutoff, activities included, frozen
 * into backtest_cohort_lead with set-based SQL. That snapshot does not depend on any rule set, so
 * every version and every edit of a draft is scored from it in memory (snapshot-facts.ts, the
 * compiled evaluator) without touching the activity table again; recently used cohorts stay in
 * memory, columnar.
 *
 * This service runs them (checks, records, executes); cohort-store.ts prepares and holds the
 * cohorts, backtest-run-store.ts the run rows, backtest-results.ts computes what a run reports.
 */
export class BacktestService {
  private dispatcher: BacktestDispatcher | null = null;
  private readonly config: BacktestConfig;
  private readonly cohorts: CohortStore;
  private readonly runs: BacktestRunStore;
  private readonly accounts: AccountBacktestRunner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workflow: RuleSetWorkflowService,
    private readonly attributeCatalog: () => Promise<Map<string, AttributeSpec>>,
    private readonly logger: Logger,
    config: Partial<BacktestConfig> = {},
  ) {
    this.config = { ...DEFAULT_BACKTEST_CONFIG, ...config };
    this.cohorts = new CohortStore(dataSource, logger, this.config);
    this.runs = new BacktestRunStore(dataSource);
    this.accounts = new AccountBacktestRunner(dataSource, logger, this.cohorts, this.config.evaluatorFactory);
  }

  setDispatcher(dispatcher: BacktestDispatcher): void {
    this.dispatcher = dispatcher;
  }

  // ---- cohorts ----

  /** Checks a cohort spec; problems are named under `path`. */
  async normalise(input: CohortSpecInput, path: string): Promise<{ spec: CohortSpec | null; problems: Problem[] }> {
    const catalog = await this.attributeCatalog();
    return normaliseCohortSpec(input, { path, knownAttributes: new Set(catalog.keys()) });
  }

  /** prepareBacktestCohort: with `refresh`, prepared anew even when a cohort of the spec exists. */
  async prepareCohortFromInput(actor: Actor, input: CohortSpecInput, path = 'input', refresh = false): Promise<CohortRow> {
    const { spec, problems } = await this.normalise(input, path);
    if (!spec) throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);
    if (!(await this.cohorts.findByChecksum(cohortChecksum(spec)))) await requireCohortMatches(this.dataSource, spec, path);
    return this.cohorts.prepare(spec, actor.name, refresh ? 'always' : 'never');
  }

  /** How many of the cohort's leads have another outcome now than when it was prepared (cohort-store.ts). */
  outcomesChangedSince(cohortId: string): Promise<number> {
    return this.cohorts.outcomesChangedSince(cohortId);
  }

  /** The cohort of a spec, prepared when needed (cohort-store.ts says when). */
  prepareCohort(
    spec: CohortSpec,
    createdBy: string,
    refresh: 'never' | 'ifOutcomesChanged' | 'always' = 'ifOutcomesChanged',
  ): Promise<CohortRow> {
    return this.cohorts.prepare(spec, createdBy, refresh);
  }

  getCohort(id: string, path = 'id'): Promise<CohortRow> {
    return this.cohorts.get(id, path);
  }

  listCohorts(first?: number | null): Promise<CohortRow[]> {
    return this.cohorts.list(first);
  }

  /**
   * The cohort's snapshot in memory (from the cache, or read once from backtest_cohort_lead), with its
   * leads' current account columns when one of `definitions` reads facts about accounts.
   */
  async loadSnapshot(
    cohort: Pick<CohortRow, 'id' | 'checksum' | 'leadCount' | 'activityCount'>,
    definitions: ReadonlyArray<RuleSetDefinition | null> = [],
  ): Promise<CohortSnapshot> {
    return withAccountColumns(this.dataSource.manager, await this.cohorts.loadSnapshot(cohort), definitions);
  }

  // ---- runs ----

  /**
   * Checks the input, records the run and executes it: inside the call for cohorts up to
   * `inlineLimit` leads (the run comes back completed), as a queued job for bigger ones (it comes
   * back queued; backtestRun(id) has the results once done).
   */
  async runBacktest(actor: Actor, input: RunBacktestInput): Promise<RunRow> {
    const problems: Problem[] = [];
    if ((input.cohort == null) === (input.cohortId == null))
      problems.push({ path: 'input.cohort', message: 'give exactly one of cohort (a spec) or cohortId (a prepared cohort)' });
    if ((input.versionId == null) === (input.definition == null))
      problems.push({ path: 'input.versionId', message: 'give exactly one of versionId or definition (an unsaved rule set)' });
    let spec: CohortSpec | null = null;
    if (input.cohort != null) {
      const normalised = await this.normalise(input.cohort, 'input.cohort');
      spec = normalised.spec;
      problems.push(...normalised.problems);
    }
    let definition: RuleSetDefinition | null = null;
    let version: VersionRow | null = null;
    const split: SplitOptions = {
      kind: input.split?.kind ?? DEFAULT_SPLIT.kind,
      holdoutShare: input.split?.holdoutShare ?? DEFAULT_SPLIT.holdoutShare,
    };
    if (split.kind !== 'hash' && split.kind !== 'time') problems.push({ path: 'input.split.kind', message: 'must be HASH or TIME' });
    if (!(split.holdoutShare >= 0.05 && split.holdoutShare <= 0.95))
      problems.push({ path: 'input.split.holdoutShare', message: 'must be from 0.05 to 0.95' });
    if (input.definition != null) {
      const definitionProblems = await this.workflow.validate(input.definition);
      problems.push(
        ...definitionProblems.map((p) => ({ path: `input.definition.${p.path}`.replace(/\.\(root\)$/, ''), message: p.message })),
      );
      if (!definitionProblems.length) definition = input.definition as RuleSetDefinition;
    }
    if (problems.length) throw InvalidInputError.of(BacktestErrorCode.InvalidBacktest, problems);

    if (input.versionId != null) {
      version = await this.versionAt(input.versionId, 'input.versionId');
      definition = version.definition;
    }
    const compareTo = input.compareToVersionId != null ? await this.versionAt(input.compareToVersionId, 'input.compareToVersionId') : null;
    // An account model's version is backtested on accounts (account-backtest-runner.ts), a lead model's on leads.
    const subject: Subject = version ? await this.accounts.subjectOfVersion(version.id) : subjectOf(definition!);
    if (compareTo && (await this.accounts.subjectOfVersion(compareTo.id)) !== subject)
      throw InvalidInputError.field(
        BacktestErrorCode.InvalidBacktest,
        'input.compareToVersionId',
        `must be a version of a model scoring ${subject}s too`,
      );
    // A spec's cohort is chosen when the run executes: the latest one, or a new one if outcomes changed since.
    const cohort = input.cohortId != null ? await this.cohorts.get(input.cohortId, 'input.cohortId') : null;
    if (cohort) await this.accounts.requireCohortSubject(cohort, subject, 'input.cohortId');
    const checksum = spec ? (subject === 'account' ? accountCohortChecksum(spec) : cohortChecksum(spec)) : null;
    const latest = checksum ? await this.cohorts.findByChecksum(checksum) : null;
    if (spec && !latest)
      await (subject === 'account'
        ? this.accounts.requireMatches(spec, 'input.cohort')
        : requireCohortMatches(this.dataSource, spec, 'input.cohort'));
    const cohortSpec = cohort?.spec ?? spec!;
    const leads =
      cohort?.leadCount ??
      latest?.leadCount ??
      (subject === 'account' ? await this.accounts.countContacts(cohortSpec) : await countCohortLeads(this.dataSource, cohortSpec));

    const runId = await this.runs.insert({
      cohortId: cohort?.id ?? null,
      cohortSpec,
      cohortChecksum: cohort?.checksum ?? checksum!,
      ruleSetKey: definition!.key,
      versionId: version?.id ?? null,
      definition: version ? null : definition,
      definitionChecksum: version?.checksum ?? checksumOf(definition),
      compareToVersionId: compareTo?.id ?? null,
      compareChecksum: compareTo?.checksum ?? null,
      options: { openLeads: input.openLeads ?? 'not_converted', split },
      createdBy: actor.name,
      subject,
    });
    if (leads > this.config.inlineLimit && this.dispatcher) {
      await this.dispatcher.dispatch(runId);
      return this.getRun(runId);
    }
    return this.executeRun(runId);
  }

  private async versionAt(versionId: string, path: string): Promise<VersionRow> {
    const rows: Array<{ id: string }> = isId(versionId)
      ? await this.dataSource.query('SELECT id::text AS id FROM rule_set_version WHERE id = $1::bigint', [versionId])
      : [];
    if (!rows.length)
      throw new NotFoundError(BacktestErrorCode.VersionNotFound, `No rule set version with id "${versionId}"`, [
        { path, message: 'no such version' },
      ]);
    return this.workflow.getVersion(versionId);
  }

  /**
   * Prepares the run's cohort if needed, scores it under the version (and the one compared to) and
   * stores the results. Safe to call again for a run left running by a crash; a finished run is
   * returned as it is. Failures are recorded on the run, not thrown.
   */
  async executeRun(runId: string): Promise<RunRow> {
    if (!(await this.runs.claim(runId))) return this.getRun(runId);
    const started = Date.now();
    try {
      const results = await this.compute(runId);
      await this.runs.complete(runId, results, Date.now() - started);
    } catch (error) {
      this.logger.error({ err: error, runId }, 'backtest failed');
      await this.runs.fail(runId, (error as Error).message, Date.now() - started);
    }
    return this.getRun(runId);
  }

  private async compute(runId: string): Promise<BacktestResults> {
    const run = await this.runs.toExecute(runId);
    let cohort: CohortRow;
    if (run.cohortId) cohort = await this.cohorts.get(run.cohortId);
    else {
      const store = run.subject === 'account' ? this.accounts.cohorts : this.cohorts;
      cohort = await store.prepare(run.cohortSpec, run.createdBy, 'ifOutcomesChanged');
      await this.runs.setCohort(runId, cohort.id);
    }
    const candidate = run.versionId ? await this.unchangedDefinition(run.versionId, run.definitionChecksum) : run.definition!;
    const baseline = run.compareVersionId ? await this.unchangedDefinition(run.compareVersionId, run.compareChecksum!) : null;
    if (run.subject === 'account')
      return this.accounts.results({ cohort, candidate, baseline, options: run.options, calibrate: run.versionId !== null });
    const started = Date.now();
    const snapshot = await this.loadSnapshot(cohort, [candidate, baseline]);
    return computeResults({
      candidate,
      baseline,
      snapshot,
      loadCohortMs: Date.now() - started,
      options: run.options,
      attributeTypes: async () => new Map([...(await this.attributeCatalog()).values()].map((spec) => [spec.name, spec.type])),
      evaluatorFactory: this.config.evaluatorFactory,
      calibrate: run.versionId !== null,
    });
  }

  /** A version's definition, provided it is still the one the run was queued with (a draft may have been edited since). */
  private async unchangedDefinition(versionId: string, checksum: string): Promise<RuleSetDefinition> {
    const version = await this.workflow.getVersion(versionId);
    if (version.checksum !== checksum) {
      throw new ConflictError(
        BacktestErrorCode.VersionChanged,
        `version ${version.version} of ${version.ruleSetKey} changed after the backtest was queued; run it again`,
      );
    }
    return version.definition;
  }

  getRun(id: string, path = 'id'): Promise<RunRow> {
    return this.runs.get(id, path);
  }

  /** Recent runs, newest first; results are read when asked for (backtestRun or the results field). */
  listRuns(ruleSetKey: string | null, first?: number | null): Promise<RunRow[]> {
    return this.runs.list(ruleSetKey, first);
  }

  resultsOf(runId: string): Promise<BacktestResults | null> {
    return this.runs.resultsOf(runId);
  }

  /** Runs a crash or restart may have left queued or running (backtest-run-store.ts says which). */
  unfinishedRunIds(): Promise<string[]> {
    return this.runs.unfinishedIds();
  }
}
