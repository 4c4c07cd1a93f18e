import { Arg, Authorized, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { BacktestService } from './backtest.service';
import { BACKTEST_ROLES } from './backtest-roles';
import { toSpec } from './backtest.resolver';
import { BacktestCohort, BacktestRun } from './backtest.types';

const OUTCOMES_CHANGED =
  'How many of the cohort’s leads have another outcome, outcome date or deal value now than when it was prepared. A new backtest of the same spec prepares it again (prepareBacktestCohort with refresh: true does at once).';

/** Whether a prepared cohort still holds current outcomes; read only when asked for (one join over the cohort). */
@Resolver(() => BacktestCohort)
export class BacktestCohortResolver {
  constructor(private readonly backtests: BacktestService) {}

  @Authorized(...BACKTEST_ROLES.view)
  @Query(() => BacktestCohort, { description: 'A prepared cohort.' })
  async backtestCohort(@Arg('id', () => ID) id: string): Promise<BacktestCohort> {
    const row = await this.backtests.getCohort(id);
    return { ...row, spec: toSpec(row.spec) };
  }

  @FieldResolver(() => Int, { description: OUTCOMES_CHANGED })
  outcomesChangedSince(@Root() cohort: BacktestCohort): Promise<number> {
    return this.backtests.outcomesChangedSince(cohort.id);
  }
}

@Resolver(() => BacktestRun)
export class BacktestRunCohortResolver {
  constructor(private readonly backtests: BacktestService) {}

  @FieldResolver(() => Int, {
    nullable: true,
    description: `Of the run’s cohort (null until a queued run has prepared it). ${OUTCOMES_CHANGED}`,
  })
  outcomesChangedSince(@Root() run: BacktestRun): Promise<number> | null {
    return run.cohortId ? this.backtests.outcomesChangedSince(run.cohortId) : null;
  }
}
