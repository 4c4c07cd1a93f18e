'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BacktestMetricsFieldsFragment } from '@/gql/graphql';
import { formatPercent } from '@/lib/format';
import { roundTicks } from './chart-ticks';

type Metrics = BacktestMetricsFieldsFragment;

const CANDIDATE = '#1f5fbf';
const BASELINE = '#e08a1e';

const percentTick = (value: number) => `${Number((value * 100).toFixed(1))}%`;
const UNIT_TICKS = [0, 0.25, 0.5, 0.75, 1];
const AXIS_LABEL = { fontSize: 12, fill: '#5b6470' };

function describeAuc(metrics: Metrics, baseline?: Metrics): string {
  return `ROC curve: AUC ${metrics.auc?.toFixed(3) ?? 'n/a'}${baseline ? ` against ${baseline.auc?.toFixed(3) ?? 'n/a'} for the baseline` : ''}`;
}

/** True positive rate against false positive rate as the threshold falls; the diagonal is chance. */
/** `noun`: what the run counts, leads or (an account model's run) accounts. */
interface ChartProps {
  metrics: Metrics;
  baseline?: Metrics;
  baselineLabel: string;
  noun?: 'lead' | 'account';
}

export function RocChart({ metrics, baseline, baselineLabel, noun = 'lead' }: ChartProps) {
  return (
    <figure className="card" style={{ margin: 0 }} data-testid="roc-chart">
      <figcaption>
        <h3>ROC curve</h3>
        <p className="muted small">
          AUC {metrics.auc?.toFixed(3) ?? 'n/a'}
          {baseline && ` · ${baselineLabel} ${baseline.auc?.toFixed(3) ?? 'n/a'}`} — the chance a converted {noun} outscores one that did
          not.
        </p>
      </figcaption>
      <div className="chart-box" role="img" aria-label={describeAuc(metrics, baseline)}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart margin={{ top: 8, right: 16, bottom: 20, left: 12 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis
              dataKey="fpr"
              type="number"
              domain={[0, 1]}
              ticks={UNIT_TICKS}
              tickFormatter={percentTick}
              fontSize={12}
              label={{ value: 'Non-converters reached (false positive rate)', position: 'insideBottom', offset: -12, ...AXIS_LABEL }}
            />
            <YAxis
              dataKey="tpr"
              type="number"
              domain={[0, 1]}
              ticks={UNIT_TICKS}
              tickFormatter={percentTick}
              fontSize={12}
              label={{
                value: 'Converters reached (true positive rate)',
                angle: -90,
                position: 'insideLeft',
                dx: -4,
                dy: 110,
                ...AXIS_LABEL,
              }}
            />
            <Tooltip
              formatter={(value) => formatPercent(Number(value))}
              labelFormatter={(value) => `FPR ${formatPercent(Number(value))}`}
            />
            <Legend verticalAlign="top" />
            <ReferenceLine
              segment={[
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ]}
              stroke="#9aa3ad"
              strokeDasharray="4 4"
            />
            <Line
              data={metrics.rocCurve}
              dataKey="tpr"
              name="This version"
              stroke={CANDIDATE}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
            {baseline && (
              <Line
                data={baseline.rocCurve}
                dataKey="tpr"
                name={baselineLabel}
                stroke={BASELINE}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="chart-note">
        Going down the list from the highest score, how many of the {noun}s that converted are reached (up) for how many that did not
        (right). A curve close to the top-left corner ranks well; the dashed diagonal is a random order.
      </p>
    </figure>
  );
}

/** Conversion rate per band (hot, warm, cold), beside the baseline's. */
export function BandChart({ metrics, baseline, baselineLabel, noun = 'lead' }: ChartProps) {
  const data = metrics.bands.map((band) => {
    const base = baseline?.bands.find((b) => b.band === band.band);
    return {
      band: band.band,
      candidate: band.conversionRate ?? 0,
      candidateLeads: band.leads,
      baseline: base?.conversionRate ?? 0,
      baselineLeads: base?.leads ?? 0,
    };
  });
  const bandTicks = roundTicks(Math.max(0, ...data.flatMap((d) => [d.candidate, d.baseline])));
  return (
    <figure className="card" style={{ margin: 0 }} data-testid="band-chart">
      <figcaption>
        <h3>Conversion by band</h3>
        <p className="muted small">
          {metrics.bands.map((band) => `${band.band}: ${band.leads} ${noun}s, ${formatPercent(band.conversionRate)}`).join(' · ')}
        </p>
      </figcaption>
      <div
        className="chart-box"
        role="img"
        aria-label={`Conversion by band: ${data.map((d) => `${d.band} ${formatPercent(d.candidate)}`).join(', ')}`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 20, left: 12 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis dataKey="band" fontSize={12} label={{ value: 'Band', position: 'insideBottom', offset: -12, ...AXIS_LABEL }} />
            <YAxis
              ticks={bandTicks}
              domain={[0, bandTicks[bandTicks.length - 1]]}
              tickFormatter={percentTick}
              fontSize={12}
              label={{ value: 'Converted', angle: -90, position: 'insideLeft', dx: -4, dy: 30, ...AXIS_LABEL }}
            />
            <Tooltip
              formatter={(value, name, item) => [
                `${formatPercent(Number(value))} of ${name === 'This version' ? item.payload.candidateLeads : item.payload.baselineLeads} ${noun}s`,
                String(name),
              ]}
            />
            <Legend verticalAlign="top" />
            <Bar dataKey="candidate" name="This version" fill={CANDIDATE} isAnimationActive={false} />
            {baseline && <Bar dataKey="baseline" name={baselineLabel} fill={BASELINE} isAnimationActive={false} />}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <p className="chart-note">
        The share of {noun}s in each band that converted. Hot should convert clearly more often than warm, and warm more than cold.
      </p>
    </figure>
  );
}

/** Lift per score decile (1 = the top 10% of scores): how much better than the cohort's conversion rate. */
export function DecileChart({ metrics, baseline, baselineLabel, noun = 'lead' }: ChartProps) {
  const data = metrics.deciles.map((decile) => ({
    decile: `D${decile.decile}`,
    candidate: decile.lift ?? 0,
    baseline: baseline?.deciles.find((d) => d.decile === decile.decile)?.lift ?? 0,
    range: decile.minScore !== null && decile.maxScore !== null ? `${decile.minScore}–${decile.maxScore}` : '',
  }));
  const top = metrics.deciles[0];
  const liftTicks = roundTicks(Math.max(1, ...data.flatMap((d) => [d.candidate, d.baseline])));
  return (
    <figure className="card" style={{ margin: 0 }} data-testid="decile-chart">
      <figcaption>
        <h3>Lift by decile</h3>
        <p className="muted small">
          {top
            ? `The top 10% of scores convert ${top.lift?.toFixed(1) ?? '?'}× as often as the cohort; 1× is no better than chance.`
            : 'No deciles.'}
        </p>
      </figcaption>
      <div
        className="chart-box"
        role="img"
        aria-label={`Lift by decile: ${data.map((d) => `${d.decile} ${d.candidate.toFixed(2)}`).join(', ')}`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 20, left: 12 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis
              dataKey="decile"
              fontSize={12}
              label={{ value: 'Score decile (D1 = top 10%)', position: 'insideBottom', offset: -12, ...AXIS_LABEL }}
            />
            <YAxis
              fontSize={12}
              ticks={liftTicks}
              domain={[0, liftTicks[liftTicks.length - 1]]}
              tickFormatter={(value: number) => `${Number(value.toFixed(2))}×`}
              label={{ value: 'Lift', angle: -90, position: 'insideLeft', dx: -4, dy: 10, ...AXIS_LABEL }}
            />
            <Tooltip
              formatter={(value, name) => [`${Number(value).toFixed(2)}×`, String(name)]}
              labelFormatter={(label, payload) => `${label} (scores ${payload?.[0]?.payload?.range ?? ''})`}
            />
            <Legend verticalAlign="top" />
            <ReferenceLine y={1} stroke="#9aa3ad" strokeDasharray="4 4" />
            <Bar dataKey="candidate" name="This version" fill={CANDIDATE} isAnimationActive={false} />
            {baseline && <Bar dataKey="baseline" name={baselineLabel} fill={BASELINE} isAnimationActive={false} />}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <p className="chart-note">
        {noun === 'account' ? 'Accounts' : 'Leads'} split into ten groups by score. Each bar is how much more often that group converted
        than the cohort as a whole; the dashed line at 1× is no better than picking at random.
      </p>
    </figure>
  );
}
