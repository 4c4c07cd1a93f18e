'use client';

import { useRouter } from 'next/navigation';
import type { ScoreModelInfo } from '@/features/models/model-switcher';

/**
 * Which model's rule set to backtest: the model first, then one of its rule sets; choosing one opens
 * the backtest of its active version (or the rule set, when it has none yet). Shown only when there
 * are several models.
 */
export function BacktestModelPicker({ models, ruleSetKey }: { models: readonly ScoreModelInfo[]; ruleSetKey: string }) {
  const router = useRouter();
  if (models.length < 2) return null;
  const current = models.find((model) => model.ruleSets.some((ruleSet) => ruleSet.key === ruleSetKey));

  function open(key: string) {
    const ruleSet = models.flatMap((model) => model.ruleSets).find((candidate) => candidate.key === key);
    if (!ruleSet) return;
    const base = `/rule-sets/${encodeURIComponent(ruleSet.key)}`;
    router.push(ruleSet.activeVersionId ? `${base}/versions/${ruleSet.activeVersionId}/backtest` : base);
  }

  return (
    <div className="card row" data-testid="backtest-model-picker">
      <div className="field">
        <label htmlFor="bt-model">Score model</label>
        <select
          id="bt-model"
          value={current?.key ?? ''}
          onChange={(event) => {
            const model = models.find((candidate) => candidate.key === event.target.value);
            const first = model?.ruleSets.find((ruleSet) => ruleSet.isDefault) ?? model?.ruleSets[0];
            if (first) open(first.key);
          }}
        >
          {!current && <option value="">—</option>}
          {models.map((model) => (
            <option key={model.key} value={model.key} disabled={model.ruleSets.length === 0}>
              {model.name} ({model.subject === 'ACCOUNT' ? 'accounts' : 'leads'})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="bt-rule-set">Rule set</label>
        <select id="bt-rule-set" value={ruleSetKey} onChange={(event) => open(event.target.value)}>
          {(current?.ruleSets ?? []).map((ruleSet) => (
            <option key={ruleSet.key} value={ruleSet.key}>
              {ruleSet.name}
              {ruleSet.isDefault ? ' (default)' : ''}
            </option>
          ))}
          {!current && <option value={ruleSetKey}>{ruleSetKey}</option>}
        </select>
      </div>
    </div>
  );
}
