import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { actorOf } from '../auth/actor';
import type { DimensionEnum } from '../rulesets/ruleset.types';
import type { BacktestService } from './backtest.service';
import { BACKTEST_ROLES } from './backtest-roles';
import type { BacktestResults as ResultsRow, CohortRow, RunRow } from './backtest-rows';
import {
  BacktestCohort,
  BacktestCohortInput,
  type BacktestCohortSpec,
  type BacktestOpenLeadsEnum,
  BacktestResults,
  BacktestRun,
  RunBacktestInput,
  type BacktestGroupDelta,
  type BacktestMetrics,
} from './backtest.types';
import type { BacktestSplitKindEnum } from './backtest-suggestion.types';
import type { CohortSpec } from './cohort-spec';
import type { BacktestMetrics as MetricsRow } from './metrics';

/** A run as resolved: the GraphQL fields, plus the stored results when they were read with it. */
type RunRoot = BacktestRun & { storedResults?: ResultsRow | null };

export function toSpec(spec: CohortSpec): BacktestCohortSpec {
  return {
    createdFrom: new Date(spec.createdFrom),
    createdTo: new Date(spec.createdTo),
    source: spec.source,
    segment: spec.segment,
    attributes: spec.attributes,
    cutoffAt: spec.cutoff.kind === 'fixed' ? new Date(spec.cutoff.at) : null,
    cutoffDaysAfterCreation: spec.cutoff.kind === 'daysAfterCreation' ? spec.cutoff.days : null,
  };
}

function toCohort(row: CohortRow): BacktestCohort {
  return { ...row, spec: toSpec(row.spec) };
}

function toRun(row: RunRow): RunRoot {
  const { results, cohortSpec, openLeads, ...rest } = row;
  return { ...rest, cohortSpec: toSpec(cohortSpec), openLeads: openLeads as BacktestOpenLeadsEnum, storedResults: results };
}

function toMetrics(metrics: MetricsRow): BacktestMetrics {
  return { ...metrics, rules: metrics.rules.map((rule) => ({ ...rule, dimension: rule.dimension as DimensionEnum })) };
}

function groupDeltas<T extends { leads: number; converted: number; conversionRate: number | null; revenue: number }>(
  rows: T[],
  key: (row: T) => string,
): BacktestGroupDelta[] {
  return rows.map((row) => ({
    group: key(row),
    leads: row.leads,
    converted: row.converted,
    conversionRate: row.conversionRate,
    revenue: row.revenue,
  }));
}

function toResults(run: RunRoot, results: ResultsRow): BacktestResults {
  const { comparison } = results;
  return {
    metrics: toMetrics(results.metrics),
    comparison: comparison
      ? {
          baselineVersionId: run.compareToVersionId ?? '',
          baselineVersion: run.compareToVersion,
          baseline: toMetrics(comparison.baseline),
          deltas: {
            ...comparison.deltas,
            bands: groupDeltas(comparison.deltas.bands, (row) => row.band),
            cells: groupDeltas(comparison.deltas.cells, (row) => row.cell),
          },
          cellMoves: comparison.cellMoves,
          leadsChangingCell: comparison.leadsChangingCell,
        }
      : null,
    suggestions: results.suggestions
      ? {
          ...results.suggestions,
          split: { ...results.suggestions.split, kind: results.suggestions.split.kind as BacktestSplitKindEnum },
          candidates: results.suggestions.candidates.map((candidate) => ({
            ...candidate,
            dimension: candidate.dimension as DimensionEnum,
          })),
        }
      : null,
    compiled: results.compiled,
    timings: {
      loadCohortMs: results.timings.loadCohort,
      scoreMs: results.timings.score,
      metricsMs: results.timings.metrics,
      fitMs: results.timings.fit ?? null,
    },
    raw: results,
  };
}

@Resolver(() => BacktestRun)
export class BacktestResolver {
  constructor(private readonly backtests: BacktestService) {}

  @Authorized(...BACKTEST_ROLES.run)
  @Mutation(() => BacktestRun, {
    description:
      'Backtests a version or an unsaved definition on a cohort, optionally compared to another version. Up to 100,000 leads it runs at once and comes back completed; bigger cohorts come back queued (poll backtestRun).',
  })
  async runBacktest(@Arg('input', () => RunBacktestInput) input: RunBacktestInput, @Ctx() ctx: GraphQLContext): Promise<RunRoot> {
    return toRun(await this.backtests.runBacktest(actorOf(ctx.principal, ctx.requestId), input));
  }

  @Authorized(...BACKTEST_ROLES.run)
  @Mutation(() => BacktestCohort, {
    description:
      'Prepares a cohort’s snapshot now (runBacktest also does when needed). The same spec returns the same cohort, unless refresh: then it is prepared again with current outcomes and activities (the old cohort stays for the runs that used it).',
  })
  async prepareBacktestCohort(
    @Arg('input', () => BacktestCohortInput) input: BacktestCohortInput,
    @Arg('refresh', () => Boolean, { nullable: true, description: 'Prepare anew even if this spec was prepared before.' }) refresh:
      | boolean
      | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BacktestCohort> {
    return toCohort(await this.backtests.prepareCohortFromInput(actorOf(ctx.principal, ctx.requestId), input, 'input', refresh ?? false));
  }

  @Authorized(...BACKTEST_ROLES.view)
  @Query(() => BacktestRun, { description: 'A backtest run; results once it is completed.' })
  async backtestRun(@Arg('id', () => ID) id: string): Promise<RunRoot> {
    return toRun(await this.backtests.getRun(id));
  }

  @Authorized(...BACKTEST_ROLES.view)
  @Query(() => [BacktestRun], { description: 'Recent backtest runs, newest first (of one rule set with ruleSetKey).' })
  async backtestRuns(
    @Arg('ruleSetKey', () => String, { nullable: true }) ruleSetKey: string | null,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; 20 by default.' }) first: number | null,
  ): Promise<RunRoot[]> {
    return (await this.backtests.listRuns(ruleSetKey, first)).map(toRun);
  }

  @Authorized(...BACKTEST_ROLES.view)
  @Query(() => [BacktestCohort], { description: 'Prepared cohorts, most recent first.' })
  async backtestCohorts(
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; 20 by default.' }) first: number | null,
  ): Promise<BacktestCohort[]> {
    return (await this.backtests.listCohorts(first)).map(toCohort);
  }

  @FieldResolver(() => BacktestResults, { nullable: true, description: 'Null until the run is completed.' })
  async results(@Root() run: RunRoot): Promise<BacktestResults | null> {
    if (run.status !== 'completed') return null;
    const stored = run.storedResults !== undefined ? run.storedResults : await this.backtests.resultsOf(run.id);
    return stored ? toResults(run, stored) : null;
  }
}
