/**
 * How a bench prints a figure: a line for people, and a `FIGURE {json}` line that `npm run bench`
 * (bench/run.ts) collects into one table. Every figure is printed beside its floor (bench/support/
 * floors.ts), measured in the same run, and the ratio to it; targets are ratios to the floor.
 */
export interface Figure {
  /** What was measured, e.g. "re-score 100,000 leads, points changed". */
  figure: string;
  value: number;
  unit: 's' | 'ms' | 'leads/s' | 'rows/s' | 'req/s';
  /** The floor for the same rows: what it is and its value, in the same unit. */
  floor?: { label: string; value: number };
  /** The highest acceptable figure/floor ratio (for rates: floor/figure). */
  targetRatio?: number;
}

const isRate = (unit: Figure['unit']) => unit.endsWith('/s');

/** figure / floor for times, floor / figure for rates: how many times slower than the floor. */
export function ratioOf({ value, unit, floor }: Figure): number | null {
  if (!floor || floor.value <= 0 || value <= 0) return null;
  return isRate(unit) ? floor.value / value : value / floor.value;
}

function format(value: number, unit: Figure['unit']): string {
  if (unit === 's') return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

export function printFigure(figure: Figure): void {
  const ratio = ratioOf(figure);
  const parts = [`${figure.figure}: ${format(figure.value, figure.unit)}`];
  if (figure.floor) parts.push(`floor (${figure.floor.label}) ${format(figure.floor.value, figure.unit)}`);
  if (ratio !== null)
    parts.push(`ratio ${ratio.toFixed(2)}x${figure.targetRatio ? ` (target <= ${Number(figure.targetRatio.toFixed(2))}x)` : ''}`);
  console.log(parts.join('  |  '));
  console.log(`FIGURE ${JSON.stringify(figure)}`);
}

/** The table `npm run bench` prints, one row per figure. */
export function figureTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => {
    const ratio = ratioOf(figure);
    const met = ratio === null || !figure.targetRatio ? '' : ratio <= figure.targetRatio ? 'yes' : 'no';
    return [
      figure.figure,
      format(figure.value, figure.unit),
      figure.floor ? `${format(figure.floor.value, figure.unit)} (${figure.floor.label})` : '',
      ratio === null ? '' : `${ratio.toFixed(2)}x`,
      figure.targetRatio ? `<= ${Number(figure.targetRatio.toFixed(2))}x` : '',
      met,
    ];
  });
  const header = ['figure', 'value', 'floor (same run)', 'ratio', 'target', 'met'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
