/**
 * How cost grows with the number of leads (issue 20 item 6): runs bench/backtest.ts and
 * bench/rescore.ts as child processes at each size, one at a time, and prints each figure's cost per
 * lead per size, its spread across sizes (flat: the highest within 20 % of the lowest), and the
 * figure / floor ratio of each run. Then re-score with 1 and with 2 worker processes on the largest
 * size's database (kept by its run, reused, dropped at the end), alternated in the same minutes.
 * Peak RSS of every process (the benches' own, the API's, the workers') is collected too.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/growth.ts [--sizes 100000,300000,1000000]
 *       [--skip backtest|rescore|workers]... [--rounds 2]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { REPO_ROOT } from '../server/src/common/paths';
import { memoryTable, type PeakRss, watchPeakRss } from './support/memory';
import { type Figure, ratioOf } from './support/report';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,300000,1000000' },
    skip: { type: 'string', multiple: true, default: [] },
    /** Rounds of (1 worker, 2 workers) on the largest size's database. */
    rounds: { type: 'string', default: '2' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
if (SIZES.some((size) => !Number.isInteger(size) || size <= 0)) {
  console.error(`--sizes takes lead counts separated by commas, not ${values.sizes}`);
  process.exit(2);
}
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('DATABASE_URL is required (a PostgreSQL server where a scratch database can be created)');
  process.exit(2);
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

interface Run {
  bench: string;
  args: string[];
  figures: Figure[];
  peaks: PeakRss[];
  /** Other lines of interest: the kept database, the initial scoring, the cohort preparation. */
  lines: string[];
  seconds: number;
  loadBefore: string;
  loadAfter: string;
}

const runs: Run[] = [];
/** The database the largest re-score kept for the worker comparison; dropped at the end. */
let kept: string | null = null;

/** One bench as a child process, its own peak RSS printed at exit (support/peak-rss-at-exit.ts). */
async function runBench(bench: string, args: string[]): Promise<Run> {
  const run: Run = { bench, args, figures: [], peaks: [], lines: [], seconds: 0, loadBefore: load(), loadAfter: '' };
  console.log(`\n== ${bench} ${args.join(' ')}  (load average ${run.loadBefore})`);
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './bench/support/peak-rss-at-exit.ts', `bench/${bench}.ts`, ...args],
    { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const watch = child.pid === undefined ? null : watchPeakRss(child.pid);
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('FIGURE ')) run.figures.push(JSON.parse(line.slice('FIGURE '.length)) as Figure);
      else if (line.startsWith('MEMORY ')) run.peaks.push(JSON.parse(line.slice('MEMORY '.length)) as PeakRss);
      else {
        if (/^(kept the scratch|initial scoring|\s*prepare cohort)/.test(line)) run.lines.push(line);
        console.log(`  ${line}`);
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const watched = watch?.stop() ?? null;
  // The bench prints its own peak at exit; the sampled one stands in if it could not.
  if (!run.peaks.some((peak) => peak.pid === child.pid) && watched !== null && child.pid !== undefined)
    run.peaks.push({ process: `bench ${bench}.ts`, pid: child.pid, peakMB: watched });
  run.seconds = (Date.now() - started) / 1000;
  run.loadAfter = load();
  // A failed run may still have kept its database (--keep): drop it with the others at the end.
  const keptName = /--reuse (\S+)\)/.exec(run.lines.find((line) => line.startsWith('kept the scratch')) ?? '')?.[1];
  if (keptName && !args.includes('--reuse')) kept = keptName;
  if (code !== 0) throw new Error(`bench/${bench}.ts ${args.join(' ')} exited with code ${code}`);
  runs.push(run);
  return run;
}

/** What a figure is, without its size: "re-score, a condition changed", "backtest, warm". */
function kindOf(figure: Figure): string | null {
  const rescore = /^re-score [\d,]+ leads(?:,| after) (.+)$/.exec(figure.figure);
  if (rescore) return `re-score, ${rescore[1]}`;
  const backtest = /^backtest all [\d,]+ leads, (.+)$/.exec(figure.figure);
  return backtest ? `backtest, ${backtest[1]}` : null;
}

interface Point {
  kind: string;
  leads: number;
  seconds: number;
  floor: number | null;
  ratio: number | null;
  load: string;
}

function pointsOf(run: Run, leads: number): Point[] {
  const points: Point[] = [];
  for (const figure of run.figures) {
    const kind = kindOf(figure);
    if (!kind || figure.unit !== 's') continue;
    points.push({ kind, leads, seconds: figure.value, floor: figure.floor?.value ?? null, ratio: ratioOf(figure), load: run.loadBefore });
  }
  const seconds = (pattern: RegExp) => {
    const line = run.lines.find((candidate) => pattern.test(candidate));
    const match = line && /([\d.]+) s\s*$/.exec(line);
    return match ? Number(match[1]) : null;
  };
  // The first "prepare cohort" line is the whole population's cohort.
  const prepare = seconds(/prepare cohort/);
  if (prepare !== null)
    points.push({ kind: 'backtest, prepare cohort', leads, seconds: prepare, floor: null, ratio: null, load: run.loadBefore });
  const initial = seconds(/^initial scoring/);
  if (initial !== null)
    points.push({ kind: 're-score, first scoring', leads, seconds: initial, floor: null, ratio: null, load: run.loadBefore });
  return points;
}

const points: Point[] = [];
const workerRuns: Array<{ workers: number; points: Point[] }> = [];
const skip = new Set(values.skip);
const largest = Math.max(...SIZES);
const started = Date.now();
try {
  if (!skip.has('backtest'))
    for (const leads of SIZES) points.push(...pointsOf(await runBench('backtest', ['--leads', String(leads)]), leads));
  if (!skip.has('rescore') || !skip.has('workers'))
    for (const leads of skip.has('rescore') ? [largest] : SIZES) {
      const keep = leads === largest && !skip.has('workers');
      const run = await runBench('rescore', ['--leads', String(leads), '--workers', '2', ...(keep ? ['--keep'] : [])]);
      points.push(...pointsOf(run, leads));
    }
  if (kept) {
    // The same database, one more publish each, 1 then 2 workers, --rounds times; no cold publish
    // (it would only repeat the aggregation, which does not depend on the worker count as much).
    for (const workers of Array.from({ length: Number(values.rounds) }, () => [1, 2]).flat()) {
      const run = await runBench('rescore', ['--reuse', kept, '--workers', String(workers), '--no-cold']);
      workerRuns.push({ workers, points: pointsOf(run, largest) });
    }
  }
} finally {
  if (kept) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${kept} WITH (FORCE)`);
    await client.end();
  }
}

console.log(
  `\ngrowth, ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s in all\n`,
);
const kinds = [...new Set(points.map((point) => point.kind))];
const perLead = (point: Point) => (point.seconds / point.leads) * 1e6;
const header = ['work', ...SIZES.map((size) => `${fmt(size)} leads`), 'spread', 'flat (<= 20 %)', 'ratio to floor by size'];
const rows = kinds.map((kind) => {
  const bySize = SIZES.map((size) => points.find((point) => point.kind === kind && point.leads === size));
  const costs = bySize.filter((point): point is Point => point !== undefined).map(perLead);
  const spread = costs.length > 1 ? Math.max(...costs) / Math.min(...costs) - 1 : null;
  return [
    kind,
    ...bySize.map((point) => (point ? `${perLead(point).toFixed(2)} µs/lead (${point.seconds.toFixed(2)} s)` : '')),
    spread === null ? '' : `${Math.round(spread * 100)} %`,
    spread === null ? '' : spread <= 0.2 ? 'yes' : 'no',
    bySize.map((point) => (point?.ratio ? `${point.ratio.toFixed(2)}x` : '-')).join(' / '),
  ];
});
console.log([header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n'));

if (workerRuns.length) {
  console.log(`\nre-score of ${fmt(largest)} leads by worker processes (the same database, runs in this order):\n`);
  const workerKinds = [...new Set(workerRuns.flatMap((run) => run.points.map((point) => point.kind)))];
  const head = ['workers', ...workerKinds, 'load average'];
  const lines = workerRuns.map((run) => [
    String(run.workers),
    ...workerKinds.map((kind) => {
      const point = run.points.find((candidate) => candidate.kind === kind);
      return point
        ? `${point.seconds.toFixed(2)} s (${perLead(point).toFixed(2)} µs/lead${point.ratio ? `, ${point.ratio.toFixed(2)}x floor` : ''})`
        : '';
    }),
    run.points[0]?.load ?? '',
  ]);
  console.log([head, head.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n'));
}

const peaks = runs.flatMap((run) => run.peaks.map((peak) => ({ ...peak, bench: `${run.bench} ${run.args.join(' ')}` })));
console.log(`\npeak RSS by process:\n\n${memoryTable(peaks)}`);
console.log(
  `\nload average by run (before -> after): ${runs.map((run) => `${run.bench} ${run.args[1]}: ${run.loadBefore} -> ${run.loadAfter}`).join('; ')}`,
);

// For bench/run.ts: the children's figures and peaks, for its one table.
for (const run of runs) for (const figure of run.figures) console.log(`FIGURE ${JSON.stringify(figure)}`);
for (const { bench: _bench, ...peak } of peaks) console.log(`MEMORY ${JSON.stringify(peak)}`);
