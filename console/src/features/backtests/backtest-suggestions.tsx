'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ErrorMessage } from '@/components/states';
import { Metric } from '@/features/rule-sets/rescore-progress';
import { formatNumber, formatPercent, signed } from '@/lib/format';
import { ApiError } from '@/lib/graphql-client';
import { ApplyBacktestSuggestionsMutation } from './operations';
import { request } from '@/lib/graphql-client';
import type { Run } from './backtest-results';

type SuggestionsData = NonNullable<NonNullable<Run['results']>['suggestions']>;

/** Holdout comparison, candidate rules and the one-step apply. */
export function Suggestions({ run, suggestions }: { run: Run; suggestions: SuggestionsData }) {
  const router = useRouter();
  const [target, setTarget] = useState<'keep' | 'perWeek'>('keep');
  const [perWeek, setPerWeek] = useState('150');
  const [withCandidates, setWithCandidates] = useState(false);
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<ApiError>();
  const { holdout, split } = suggestions;
  const auc = (value: number | null | undefined) => (value == null ? 'n/a' : value.toFixed(3));

  async function apply() {
    setApplying(true);
    setError(undefined);
    try {
      const { applyBacktestSuggestions } = await request(ApplyBacktestSuggestionsMutation, {
        input: {
          runId: run.id,
          allCandidates: withCandidates || null,
          target: target === 'keep' ? { keepMqlShare: true } : { mqlsPerWeek: Number(perWeek) },
        },
      });
      router.push(`/rule-sets/${encodeURIComponent(run.ruleSetKey)}/versions/${applyBacktestSuggestions.version.id}/review`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
      setApplying(false);
    }
  }

  const noun = run.subject === 'ACCOUNT' ? 'account' : 'lead';
  return (
    <section className="card" aria-labelledby="suggestions-title" data-testid="backtest-suggestions">
      <h2 id="suggestions-title" style={{ marginTop: 0 }}>
        Fitted suggestions
      </h2>
      <p className="muted small">
        Fitted on {formatNumber(split.trainingLeads)} {noun}s, judged on {formatNumber(split.holdoutLeads)} held out (
        {split.kind === 'TIME' ? 'the newest' : `by a hash of the ${noun} id`}), {formatNumber(holdout.converted)} of them converted.
      </p>
      {!suggestions.fitted ? (
        <p className="state warning">Nothing suggested: {suggestions.reason}.</p>
      ) : (
        <>
          <div className="metrics">
            <Metric label="Held-out AUC, now" value={auc(holdout.current.auc)} />
            <Metric label="…with fitted points" value={<span data-testid="holdout-auc-suggested">{auc(holdout.suggested?.auc)}</span>} />
            <Metric label="…plus candidate rules" value={auc(holdout.withCandidates?.auc)} />
          </div>
          {suggestions.candidates.length > 0 && (
            <div className="table-wrap">
              <table data-testid="backtest-candidates">
                <thead>
                  <tr>
                    <th scope="col">Candidate rule (not in the rule set)</th>
                    <th scope="col" className="num">
                      Fired
                    </th>
                    <th scope="col" className="num">
                      Converts when fired
                    </th>
                    <th scope="col" className="num">
                      Lift
                    </th>
                    <th scope="col" className="num">
                      Points
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {suggestions.candidates.slice(0, 15).map((candidate) => (
                    <tr key={candidate.rule}>
                      <td>
                        {candidate.label} <span className="muted small">({candidate.dimension.toLowerCase()})</span>
                      </td>
                      <td className="num">{formatNumber(candidate.fired)}</td>
                      <td className="num">{formatPercent(candidate.conversionWhenFired)}</td>
                      <td className="num">{candidate.lift === null ? '—' : `${candidate.lift.toFixed(2)}×`}</td>
                      <td className="num">
                        {candidate.suggestedPoints === null ? '—' : signed(candidate.suggestedPoints)}
                        {candidate.margin != null && <span className="muted small"> ±{Math.round(candidate.margin)}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {run.versionId && (
            <div className="row" style={{ gap: '0.75rem', flexWrap: 'wrap', alignItems: 'center', marginTop: '0.75rem' }}>
              <label>
                Qualify{' '}
                <select
                  value={target}
                  onChange={(event) => setTarget(event.target.value as 'keep' | 'perWeek')}
                  aria-label="Threshold target"
                >
                  <option value="keep">today&rsquo;s share of {noun}s</option>
                  <option value="perWeek">a number of MQLs a week</option>
                </select>
              </label>
              {target === 'perWeek' && (
                <input
                  type="number"
                  min={1}
                  value={perWeek}
                  onChange={(event) => setPerWeek(event.target.value)}
                  aria-label="MQLs a week"
                  style={{ width: '6rem' }}
                />
              )}
              <label>
                <input type="checkbox" checked={withCandidates} onChange={(event) => setWithCandidates(event.target.checked)} /> add the
                candidate rules
              </label>
              <button type="button" className="button primary" onClick={apply} disabled={applying} data-testid="apply-suggestions">
                {applying ? 'Applying…' : 'Apply as a new draft'}
              </button>
            </div>
          )}
          {error && <ErrorMessage error={error} title="Could not apply the suggestions" />}
        </>
      )}
    </section>
  );
}
