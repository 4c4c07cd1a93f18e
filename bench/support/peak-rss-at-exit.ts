/**
 * Preloaded into a bench (`node --import tsx --import ./bench/support/peak-rss-at-exit.ts bench/x.ts`)
 * by bench/run.ts and bench/growth.ts: prints the bench process's own peak RSS when it exits. The
 * backtest bench runs its backtests in its own process, so this is the peak of the process that held
 * the cohort.
 */
import path from 'node:path';
import { ownPeakRss, printPeakRss } from './memory';

process.once('exit', () => {
  printPeakRss({ process: `bench ${path.basename(process.argv[1] ?? 'unknown')}`, pid: process.pid, peakMB: ownPeakRss() });
});
