'use client';

import type { ScoreModelsQuery as ScoreModelsResult, ScoreSubject } from '@/gql/graphql';
import { useQuery } from '@/lib/use-query';
import { ScoreModelsQuery } from './operations';

export type ScoreModelInfo = ScoreModelsResult['scoreModels'][number];

/** The models of a subject, the default one first (it is what `score` returns). */
export function useScoreModels(subject?: ScoreSubject): ScoreModelInfo[] {
  const { data } = useQuery(ScoreModelsQuery, { subject: subject ?? null });
  return [...(data?.scoreModels ?? [])].sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}

/**
 * Picks the score model a view shows. Hidden while a subject has a single model: there is nothing to
 * choose, and the view then reads exactly as before several models existed.
 */
export function ModelSwitcher({
  models,
  value,
  onChange,
  id = 'score-model',
}: {
  models: readonly ScoreModelInfo[];
  /** The chosen model's key; empty means the default model. */
  value: string;
  onChange(key: string): void;
  id?: string;
}) {
  if (models.length < 2) return null;
  const chosen = value || models.find((model) => model.isDefault)?.key || '';
  return (
    <div className="field">
      <label htmlFor={id}>Score model</label>
      <select id={id} value={chosen} onChange={(event) => onChange(event.target.value)}>
        {models.map((model) => (
          <option key={model.key} value={model.key}>
            {model.name}
            {model.isDefault ? ' (default)' : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
