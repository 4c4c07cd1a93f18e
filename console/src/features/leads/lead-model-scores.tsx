'use client';

import { useState } from 'react';
import { ModelSwitcher, useScoreModels } from '@/features/models/model-switcher';
import type { LeadQuery as LeadQueryResult } from '@/gql/graphql';
import { formatDateTime, signed } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { LeadModelHistoryQuery } from './operations';

type ModelScore = NonNullable<LeadQueryResult['lead']>['scores'][number];

/**
 * The lead's score in every lead model, and the reasons of the one chosen. Shown only when the lead
 * is scored by more than the default model, whose score and reasons the page already shows above.
 */
export function LeadModelScores({ leadId, scores }: { leadId: string; scores: readonly ModelScore[] }) {
  const models = useScoreModels('LEAD');
  const [chosen, setChosen] = useState('');
  if (scores.length < 2) return null;
  const name = (key: string) => models.find((model) => model.key === key)?.name ?? key;
  // The default model's reasons are on the page already: start with the first other model.
  const others = scores.filter((score) => !models.find((model) => model.key === score.model)?.isDefault);
  const shown = scores.find((score) => score.model === chosen) ?? others[0] ?? scores[0];
  return (
    <section className="card" aria-labelledby="model-scores-title" style={{ marginTop: '1rem' }}>
      <h2 id="model-scores-title">Score per model</h2>
      <div className="grid-2" style={{ alignItems: 'start' }}>
        <table data-testid="lead-model-scores">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Score
              </th>
              <th scope="col">Cell</th>
              <th scope="col">Band</th>
              <th scope="col">Next action</th>
            </tr>
          </thead>
          <tbody>
            {scores.map((score) => (
              <tr key={score.model}>
                <td>
                  {name(score.model)}
                  <div className="muted small">
                    {score.ruleSetKey} v{score.ruleSetVersion}, {formatDateTime(score.scoredAt)}
                  </div>
                </td>
                <td className="num">
                  <strong>{score.total}</strong>
                </td>
                <td>
                  <span className="cell-tag">{score.cell}</span>
                </td>
                <td>
                  <span className={`badge ${score.band}`}>{score.band}</span>{' '}
                  {score.qualified && <span className="badge yes">qualified</span>}
                </td>
                <td className="small">{score.actionLabel}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div>
          <ModelSwitcher
            id="lead-page-model"
            models={models.filter((model) => scores.some((score) => score.model === model.key))}
            value={shown.model}
            onChange={setChosen}
          />
          <h3>
            Why {shown.total} in {name(shown.model)}
          </h3>
          {shown.reasons.length === 0 ? (
            <p className="muted">No rule gave points.</p>
          ) : (
            <ul data-testid="lead-model-reasons">
              {shown.reasons.map((reason) => (
                <li key={reason.rule}>
                  {reason.label} <span className="muted small">{reason.dimension.toLowerCase()}</span>{' '}
                  <span className={reason.points >= 0 ? 'points-pos' : 'points-neg'}>{signed(reason.points)}</span>
                </li>
              ))}
            </ul>
          )}
          <ModelHistory leadId={leadId} model={shown.model} />
        </div>
      </div>
    </section>
  );
}

function ModelHistory({ leadId, model }: { leadId: string; model: string }) {
  const { data } = useQuery(LeadModelHistoryQuery, { id: leadId, model });
  const changes = data?.lead?.modelHistory ?? [];
  if (changes.length === 0) return null;
  return (
    <details>
      <summary>Changes in this model ({changes.length})</summary>
      <ul className="small" data-testid="lead-model-history">
        {changes.map((change, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a change has no id; the list is read-only, newest first
          <li key={`${change.changedAt}-${index}`}>
            {formatDateTime(change.changedAt)}: {change.before ? `${change.before.total} ${change.before.cell}` : '—'} →{' '}
            {change.after.total} {change.after.cell} <span className="muted">({change.cause.replaceAll('_', ' ')})</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
