'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDate, formatDateTime } from '@/lib/format';

export interface HistoryPoint {
  at: string;
  total: number;
  fit: number;
  engagement: number;
  cell: string;
  cause: string;
}

/** Total, fit and engagement over time, oldest first. */
export function ScoreHistoryChart({ points }: { points: HistoryPoint[] }) {
  const data = points.map((point) => ({ ...point, time: new Date(point.at).getTime() }));
  return (
    <div
      className="chart-box"
      role="img"
      aria-label={`Score history: ${points.length} changes, from ${points[0]?.total ?? 0} to ${points.at(-1)?.total ?? 0} points`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(value: number) => formatDate(new Date(value).toISOString())}
            fontSize={12}
          />
          <YAxis fontSize={12} />
          <Tooltip
            labelFormatter={(value) => formatDateTime(new Date(Number(value)).toISOString())}
            formatter={(value, name) => [String(value), String(name)]}
          />
          <Legend />
          <Line type="stepAfter" dataKey="total" name="Total" stroke="#1f5fbf" strokeWidth={2} dot={{ r: 2.5 }} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="fit" name="Fit" stroke="#2e9e5b" dot={false} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="engagement" name="Engagement" stroke="#e08a1e" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
