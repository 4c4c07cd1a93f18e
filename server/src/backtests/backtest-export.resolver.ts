import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { describePrincipal } from '../auth/principal';
import type { GraphQLContext } from '../graphql/context';
import type { BacktestExportService } from './backtest-export';
import { BacktestRun } from './backtest.types';

@Resolver(() => BacktestRun)
export class BacktestRunExportResolver {
  constructor(private readonly exports: BacktestExportService) {}

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Path (on the API, and on the console) of the run’s per-lead results as CSV, with a token that lets it be downloaded without credentials for 15 minutes. Null until the run is completed, and for runs of an account model (the export lists leads). GET /backtests/{id}/leads.csv also takes the Authorization header.',
  })
  exportUrl(@Root() run: BacktestRun, @Ctx() ctx: GraphQLContext): string | null {
    if (run.status !== 'completed' || run.subject === 'account' || !ctx.principal) return null;
    return this.exports.exportLink(run.id, describePrincipal(ctx.principal)).path;
  }
}
