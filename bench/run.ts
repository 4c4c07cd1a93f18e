/**
 * `npm run bench`: every bench at a size that fits about 10 minutes on the 2-core machine, one after
 * another (each alone on the machine), then one table of figures beside their floors.
 *
 *   npm run bench               # small sizes
 *   npm run bench -- --full     # the sizes of bench/RESULTS.md (1,000,000 leads; well over an hour)
 *   npm run bench -- rescore    # only the benches named
 *   npm run bench -- --memory   # also a table of each process's peak RSS (bench, API, workers)
 *   npm run bench -- --growth   # also bench/growth.ts: cost per lead at three sizes, 1 vs 2 workers
 *                               # (10k/30k/100k leads; with --full 100k/300k/1M, about an hour)
 *
 * Needs PostgreSQL (DATABASE_URL, default the local server): the benches create scratch databases
 * and drop them.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../server/src/common/paths';
import { memoryTable, type PeakRss } from './support/memory';
import { type Figure, figureTable } from './support/report';

const { values, positionals } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    growth: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

/** Arguments per bench: [small, full]. */
const BENCHES: Record<string, [string[], string[]]> = {
  evaluator: [[], []],
  backtest: [['--leads', '100000'], []],
  rescore: [['--leads', '100000'], []],
  import: [['--rows', '50000'], []],
  api: [['--seconds', '10'], []],
  ingest: [['--events', '20000'], []],
  'live-fanout': [['--clients', '1000', '--rounds', '5'], []],
  accounts: [['--leads', '100000', '--accounts', '20000', '--seconds', '10'], []],
  // Only when named or with --growth: it runs backtest and rescore again at three sizes.
  growth: [['--sizes', '10000,30000,100000', '--rounds', '1'], []],
};

const chosen = positionals.length
  ? positionals
  : [...Object.keys(BENCHES).filter((name) => name !== 'growth'), ...(values.growth ? ['growth'] : [])];
const unknown = chosen.filter((name) => !(name in BENCHES));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' };

function run(name: string): Promise<{ figures: Figure[]; peaks: PeakRss[]; code: number | null }> {
  const args = BENCHES[name][values.full ? 1 : 0];
  console.log(`\n== ${name} ${args.join(' ')}`);
  // The preload prints the bench's own peak RSS at exit (support/server.ts prints the API's and workers').
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './bench/support/peak-rss-at-exit.ts', `bench/${name}.ts`, ...args],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const figures: Figure[] = [];
  const peaks: PeakRss[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('FIGURE ')) figures.push(JSON.parse(line.slice('FIGURE '.length)) as Figure);
      else if (line.startsWith('MEMORY ')) peaks.push(JSON.parse(line.slice('MEMORY '.length)) as PeakRss);
      else console.log(`  ${line}`);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ figures, peaks, code })));
}

const started = Date.now();
const figures: Figure[] = [];
const peaks: Array<PeakRss & { bench: string }> = [];
const failed: string[] = [];
for (const name of chosen) {
  const result = await run(name);
  figures.push(...result.figures);
  peaks.push(...result.peaks.map((peak) => ({ ...peak, bench: name })));
  if (result.code !== 0) failed.push(`${name} (exit ${result.code})`);
}
console.log(
  `\n${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round((Date.now() - started) / 1000)} s in all\n`,
);
console.log(figureTable(figures));
if (values.memory) console.log(`\npeak RSS by process:\n\n${memoryTable(peaks)}`);
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
