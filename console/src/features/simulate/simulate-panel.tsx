'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { ScoreGrid } from '@/components/score-grid';
import { ErrorMessage, Loading } from '@/components/states';
import type { SimulationSideFieldsFragment } from '@/gql/graphql';
import { signed } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { OPERATOR_LABELS, toJsonObject, type FactDefinition, type RuleSetDefinition } from '../editor/definition';
import { LeadSearchQuery, SimulateQuery } from './operations';

interface SimulatePanelProps {
  /** The document being edited (unsaved edits included). */
  definition: RuleSetDefinition;
}

type Subject = { kind: 'lead'; id: string; label: string } | { kind: 'facts'; facts: Record<string, unknown>; daysInactive: number };

/** Scores a real lead or typed facts with the edited document, beside the active version. */
export function SimulatePanel({ definition }: SimulatePanelProps) {
  const [mode, setMode] = useState<'lead' | 'facts'>('lead');
  const [subject, setSubject] = useState<Subject>();
  const [result, setResult] = useState<{ candidate: SimulationSideFieldsFragment; active: SimulationSideFieldsFragment }>();
  const [error, setError] = useState<ApiError>();
  const [running, setRunning] = useState(false);
  const ticket = useRef(0);

  async function simulate(target: Subject, doc: RuleSetDefinition) {
    const mine = ++ticket.current;
    setRunning(true);
    try {
      const input =
        target.kind === 'lead'
          ? { definition: toJsonObject(doc), leadId: target.id }
          : { definition: toJsonObject(doc), facts: target.facts, daysInactive: target.daysInactive };
      const data = await request(SimulateQuery, { input });
      if (mine === ticket.current) {
        setResult(data.simulateRuleSet);
        setError(undefined);
      }
    } catch (caught) {
      if (mine === ticket.current) setError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      if (mine === ticket.current) setRunning(false);
    }
  }

  // Re-run when the subject changes, and (a little later) when the document is edited.
  // biome-ignore lint/correctness/useExhaustiveDependencies: simulate is a plain function recreated each render; it reads only its arguments and refs
  useEffect(() => {
    if (!subject) return;
    const timer = setTimeout(() => void simulate(subject, definition), 600);
    return () => clearTimeout(timer);
  }, [subject, definition]);

  return (
    <section id="simulate" tabIndex={-1} className="card" aria-labelledby="simulate-title" data-testid="simulate-panel">
      <h2 id="simulate-title">Simulate</h2>
      <p className="muted small">Score a lead with this draft (unsaved edits included) beside the active version.</p>
      <div role="radiogroup" aria-label="Simulate with" className="row center" style={{ marginBottom: '0.6rem' }}>
        <label className="checkbox">
          <input type="radio" name="sim-mode" checked={mode === 'lead'} onChange={() => setMode('lead')} /> A real lead
        </label>
        <label className="checkbox">
          <input type="radio" name="sim-mode" checked={mode === 'facts'} onChange={() => setMode('facts')} /> Facts I type
        </label>
      </div>
      {mode === 'lead' ? (
        <LeadPicker
          onPick={(lead) => setSubject({ kind: 'lead', ...lead })}
          picked={subject?.kind === 'lead' ? subject.label : undefined}
        />
      ) : (
        <FactsForm facts={definition.facts} onSubmit={(facts, daysInactive) => setSubject({ kind: 'facts', facts, daysInactive })} />
      )}
      <div aria-live="polite" aria-busy={running}>
        {running && <Loading label="Simulating…" />}
        {error?.problems.some((problem) => problem.path.startsWith('input.definition')) ? (
          <p className="state warning" role="alert">
            The draft has validation problems; fix them (see the list on the left) to simulate it.
          </p>
        ) : (
          error && <ErrorMessage error={error} title="Simulation failed" />
        )}
        {result && !error && <SimulationResult candidate={result.candidate} active={result.active} />}
      </div>
    </section>
  );
}

function LeadPicker({ onPick, picked }: { onPick(lead: { id: string; label: string }): void; picked?: string }) {
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const { data, loading, error } = useQuery(LeadSearchQuery, { search: debounced }, { skip: debounced.length < 1 });
  const leads = debounced ? (data?.leads.edges ?? []) : [];
  return (
    <div className="field">
      <label htmlFor="sim-lead-search">Find a lead by e-mail or id</label>
      <input
        id="sim-lead-search"
        type="search"
        value={search}
        placeholder="e.g. ana@ or crm-0001"
        autoComplete="off"
        aria-controls={leads.length > 0 ? 'sim-lead-results' : undefined}
        onChange={(event) => setSearch(event.target.value)}
      />
      {picked && (
        <p className="small" style={{ margin: '0.3rem 0' }}>
          Simulating <strong data-testid="sim-picked">{picked}</strong>
        </p>
      )}
      {error && <ErrorMessage error={error} />}
      {debounced && !loading && leads.length === 0 && !error && (
        <p className="muted small">No lead starts with &ldquo;{debounced}&rdquo;.</p>
      )}
      {leads.length > 0 && (
        <ul className="search-results" id="sim-lead-results" aria-label="Matching leads">
          {leads.map(({ node }) => (
            <li key={node.id}>
              <button
                type="button"
                onClick={() => {
                  onPick({ id: node.id, label: node.email ?? node.externalId });
                  setSearch('');
                }}
              >
                {node.email ?? '(no e-mail)'} <span className="muted small">{node.externalId}</span>{' '}
                {node.score && (
                  <span className="small">
                    · {node.score.total} <span className="cell-tag">{node.score.cell}</span>
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function FactsForm({ facts, onSubmit }: { facts: FactDefinition[]; onSubmit(facts: Record<string, unknown>, daysInactive: number): void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [daysInactive, setDaysInactive] = useState('0');
  const typed = useMemo(() => {
    const out: Record<string, unknown> = {};
    for (const fact of facts) {
      const raw = values[fact.name];
      if (raw === undefined || raw.trim() === '') continue;
      if (fact.type === 'number') out[fact.name] = Number(raw);
      else if (fact.type === 'boolean') out[fact.name] = raw === 'true';
      else if (fact.type === 'string[]')
        out[fact.name] = raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      else out[fact.name] = raw;
    }
    return out;
  }, [facts, values]);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(typed, Number(daysInactive) || 0);
      }}
    >
      <fieldset style={{ maxHeight: 320, overflow: 'auto' }}>
        <legend>Facts (empty = unknown)</legend>
        {facts.map((fact) => (
          <div className="field" key={fact.name} style={{ marginBottom: '0.4rem' }}>
            <label htmlFor={`sim-fact-${fact.name}`}>
              {fact.label ?? fact.name} <span className="fact-type">{fact.type}</span>
            </label>
            {fact.type === 'boolean' ? (
              <select
                id={`sim-fact-${fact.name}`}
                value={values[fact.name] ?? ''}
                onChange={(event) => setValues({ ...values, [fact.name]: event.target.value })}
              >
                <option value="">unknown</option>
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                id={`sim-fact-${fact.name}`}
                type={fact.type === 'number' ? 'number' : fact.type === 'date' ? 'date' : 'text'}
                placeholder={fact.type === 'string[]' ? 'comma-separated' : undefined}
                value={values[fact.name] ?? ''}
                onChange={(event) => setValues({ ...values, [fact.name]: event.target.value })}
              />
            )}
          </div>
        ))}
      </fieldset>
      <div className="row" style={{ marginTop: '0.5rem' }}>
        <div className="field">
          <label htmlFor="sim-days-inactive">Days without activity (decay)</label>
          <input
            id="sim-days-inactive"
            type="number"
            min={0}
            value={daysInactive}
            onChange={(event) => setDaysInactive(event.target.value)}
          />
        </div>
        <button type="submit" className="button primary">
          Simulate
        </button>
      </div>
    </form>
  );
}

function Side({ title, side }: { title: string; side: SimulationSideFieldsFragment }) {
  const score = side.score;
  return (
    <div className="sim-side" data-testid={`sim-${title.startsWith('This') ? 'candidate' : 'active'}`}>
      <h4>{title}</h4>
      <div className="sim-score" data-testid="sim-total">
        {score.total}
      </div>
      <div className="small">
        fit {score.fit} · engagement {score.engagement}
      </div>
      <div style={{ margin: '0.3rem 0' }}>
        <span className="cell-tag" data-testid="sim-cell">
          {score.cell}
        </span>{' '}
        <span className={`badge ${score.band}`}>{score.band}</span> {score.qualified && <span className="badge yes">qualified</span>}
      </div>
      <div className="small" data-testid="sim-action">
        {score.actionLabel}
      </div>
    </div>
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'no value';
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

export function SimulationResult({ candidate, active }: { candidate: SimulationSideFieldsFragment; active: SimulationSideFieldsFragment }) {
  const activeFired = new Set(active.rules.filter((rule) => rule.fired).map((rule) => rule.rule));
  const fired = candidate.rules.filter((rule) => rule.fired);
  const notFired = candidate.rules.filter((rule) => !rule.fired && rule.failedConditions.length > 0);
  const lostRules = active.rules.filter((rule) => rule.fired && !candidate.rules.some((c) => c.rule === rule.rule && c.fired));
  return (
    <div className="stack" style={{ marginTop: '0.75rem' }} data-testid="simulation-result">
      <div className="sim-sides">
        <Side title="This draft" side={candidate} />
        <Side title={`Active (v${active.version ?? '?'})`} side={active} />
      </div>
      <ScoreGrid
        candidate={candidate.score.cell}
        active={active.score.cell}
        caption={`Filled: this draft (${candidate.score.cell}); outlined: active version (${active.score.cell}).`}
      />
      <div>
        <h3>Fired rules ({fired.length})</h3>
        {fired.length === 0 && <p className="muted small">No rule fired.</p>}
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="fired-rules">
          {fired.map((rule) => (
            <li key={rule.rule} className="rule-outcome">
              <span className={rule.points >= 0 ? 'points-pos' : 'points-neg'}>{signed(rule.points)}</span> {rule.label}{' '}
              <span className="muted small">({rule.dimension.toLowerCase()})</span>
              {!activeFired.has(rule.rule) && <span className="badge added"> new vs active</span>}
            </li>
          ))}
        </ul>
        {lostRules.length > 0 && (
          <p className="small muted">
            Fired under the active version only: {lostRules.map((rule) => `${rule.label} (${signed(rule.points)})`).join('; ')}
          </p>
        )}
      </div>
      <details>
        <summary>Rules that did not fire ({notFired.length}) and the values seen</summary>
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {notFired.map((rule) => (
            <li key={rule.rule} className="rule-outcome">
              {rule.label} <span className="muted small">({signed(rule.points)})</span>
              {rule.failedConditions.map((failed) => (
                <div className="failed" key={failed.path}>
                  {failed.negated ? 'not: ' : ''}
                  <code>{failed.fact}</code> {OPERATOR_LABELS[failed.operator] ?? failed.operator} {describeValue(failed.value)} — seen{' '}
                  {describeValue(failed.factValue)}
                  {failed.sharedCondition ? ` (shared condition ${failed.sharedCondition})` : ''}
                </div>
              ))}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
