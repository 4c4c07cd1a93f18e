import type { BacktestMetricsFieldsFragment } from '@/gql/graphql';
import { formatPercent } from '@/lib/format';

const GRADES = ['A', 'B', 'C', 'D'];
const LEVELS = ['1', '2', '3', '4'];

/** White (no conversions) to deep blue (the best cell); text turns white on dark cells. */
function shade(rate: number, max: number): { background: string; color: string } {
  const t = max > 0 ? Math.min(1, rate / max) : 0;
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return { background: `rgb(${mix(244, 23)}, ${mix(247, 73)}, ${mix(252, 143)})`, color: t > 0.55 ? '#fff' : '#1b1f24' };
}

/** The A-D × 1-4 grid with each cell's lead count and conversion rate. */
export function CellHeatMap({
  metrics,
  baseline,
  baselineLabel = 'the baseline',
  noun = 'lead',
}: {
  metrics: BacktestMetricsFieldsFragment;
  baseline?: BacktestMetricsFieldsFragment;
  baselineLabel?: string;
  /** What the run counts: leads, or accounts for an account model. */
  noun?: 'lead' | 'account';
}) {
  const nouns = `${noun}s`;
  const Nouns = noun === 'account' ? 'Accounts' : 'Leads';
  const max = Math.max(0, ...metrics.cells.map((cell) => cell.conversionRate ?? 0));
  return (
    <figure className="card" style={{ margin: 0 }} data-testid="heat-map">
      <figcaption>
        <h3>{Nouns} and conversion by cell</h3>
        <p className="muted small">Rows: fit grade (A best); columns: engagement level (1 most engaged).</p>
      </figcaption>
      <table className="heatmap-table">
        <caption className="visually-hidden">{Nouns} and conversion rate per cell</caption>
        <thead>
          <tr>
            <td>
              <span className="visually-hidden">Grade</span>
            </td>
            {LEVELS.map((level) => (
              <th key={level} scope="col">
                {level}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {GRADES.map((grade) => (
            <tr key={grade}>
              <th scope="row">{grade}</th>
              {LEVELS.map((level) => {
                const name = `${grade}${level}`;
                const cell = metrics.cells.find((c) => c.cell === name);
                const base = baseline?.cells.find((c) => c.cell === name);
                const rate = cell?.conversionRate ?? 0;
                const delta = base ? (cell?.leads ?? 0) - base.leads : 0;
                return (
                  <td key={name} className="hcell" style={shade(rate, max)} data-cell={name}>
                    <strong>{name}</strong>
                    <span>
                      {cell?.leads ?? 0} {nouns}
                    </span>
                    <span>{cell?.leads ? `${formatPercent(cell.conversionRate, 0)} conv.` : '—'}</span>
                    {base && delta !== 0 && (
                      <span className="small">
                        {delta > 0 ? `+${delta}` : delta} {nouns} vs {baselineLabel}
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="heat-legend" aria-hidden="true">
        <span>0% converted</span>
        <span
          className="heat-legend-bar"
          style={{ background: `linear-gradient(to right, ${shade(0, 1).background}, ${shade(1, 1).background})` }}
        />
        <span>{formatPercent(max, 0)} (best cell)</span>
      </div>
      <p className="chart-note">
        Each cell shows how many {nouns} this version puts there and the share that converted; darker cells convert more often.
        {baseline
          ? ` “+12 ${nouns} vs ${baselineLabel}” means this version puts 12 more ${nouns} in that cell than ${baselineLabel} does (fewer when negative).`
          : ''}
      </p>
    </figure>
  );
}
