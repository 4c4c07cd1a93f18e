'use client';

import { type FormEvent, useState } from 'react';
import { ErrorMessage } from '@/components/states';
import type { LeadFilter, LeadOrder } from '@/gql/graphql';
import { useMutation, useQuery } from '@/lib/use-query';
import { CreateLeadListMutation, DeleteLeadListMutation, LeadListsQuery, SavedLeadListQuery } from './operations';

const ROW = { display: 'flex', flexWrap: 'wrap', gap: '0.75rem', alignItems: 'end' } as const;
const ACTIONS = { display: 'flex', flexWrap: 'wrap', gap: '0.5rem' } as const;

/** The leads query a saved list stands for, once loaded; `active` while a list is picked. */
export interface SavedList {
  active: boolean;
  loading: boolean;
  query: { filter: LeadFilter; orderBy: LeadOrder } | null;
}

/** The saved list the leads view shows (`?list=<id>`), as the filter and order of its leads query. */
export function useSavedList(listId: string | null): SavedList {
  const { data, loading } = useQuery(SavedLeadListQuery, { id: listId ?? '' }, { skip: !listId });
  const list = listId && data?.leadList.id === listId ? data.leadList : null;
  return {
    active: Boolean(listId),
    loading: Boolean(listId) && !list && loading,
    // The API hands the filter back as the `leads` query takes it.
    query: list ? { filter: list.filter as LeadFilter, orderBy: list.orderBy } : null,
  };
}

/** Where the browser downloads the CSV: the console's route, which forwards the session to the API. */
export function exportHref(listId: string | null, filter: LeadFilter, orderBy: LeadOrder): string {
  if (listId) return `/export/leads.csv?list=${encodeURIComponent(listId)}`;
  return `/export/leads.csv?filter=${encodeURIComponent(JSON.stringify(filter))}&order=${orderBy}`;
}

/**
 * Saved lists in the leads view: pick one (its filter and order replace the form's), save the
 * current filter as a new list, delete a list you may change, and export what is shown as CSV.
 */
export function ListsBar({
  listId,
  filter,
  orderBy,
  onSelect,
}: {
  listId: string | null;
  filter: LeadFilter;
  orderBy: LeadOrder;
  onSelect(listId: string | null): void;
}) {
  const lists = useQuery(LeadListsQuery, {});
  const saved = useQuery(SavedLeadListQuery, { id: listId ?? '' }, { skip: !listId });
  const create = useMutation(CreateLeadListMutation);
  const remove = useMutation(DeleteLeadListMutation);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  const current = listId && saved.data?.leadList.id === listId ? saved.data.leadList : null;

  async function save(event: FormEvent) {
    event.preventDefault();
    const { createLeadList } = await create.run({ input: { name: name.trim(), team: team.trim() || null, filter, orderBy } });
    setSaving(false);
    setName('');
    setTeam('');
    onSelect(createLeadList.id);
  }

  async function deleteCurrent() {
    if (!current || !window.confirm(`Delete the saved list "${current.name}" for everyone in ${current.team}?`)) return;
    await remove.run({ id: current.id });
    onSelect(null);
  }

  const nameProblem = create.error?.problems.find((problem) => problem.path === 'input.name');
  const teamProblem = create.error?.problems.find((problem) => problem.path === 'input.team');

  return (
    <section className="card" aria-label="Saved lists" data-testid="lists-bar" style={{ marginBottom: '0.75rem' }}>
      <div style={ROW}>
        <div className="field">
          <label htmlFor="saved-list">Saved list</label>
          <select id="saved-list" value={listId ?? ''} onChange={(event) => onSelect(event.target.value || null)}>
            <option value="">None: the filters below</option>
            {(lists.data?.leadLists ?? []).map((list) => (
              <option key={list.id} value={list.id}>
                {list.name} · {list.team}
              </option>
            ))}
          </select>
        </div>
        <div style={ACTIONS}>
          {!saving && (
            <button type="button" className="button" onClick={() => setSaving(true)}>
              Save as list…
            </button>
          )}
          {current?.canEdit && (
            <button
              type="button"
              className="button danger-outline"
              disabled={remove.running}
              onClick={() => void deleteCurrent().catch(() => undefined)}
            >
              Delete list
            </button>
          )}
          <a className="button" href={exportHref(listId, filter, orderBy)} download data-testid="export-csv">
            Export CSV
          </a>
        </div>
      </div>
      {current && (
        <p className="muted small">
          Showing “{current.name}” of team {current.team}, saved by {current.createdBy.replace(/^user:/, '')}
          {current.description ? `: ${current.description}` : ''}. Its own filter and order apply; pick “None” to filter by hand.
        </p>
      )}
      {saving && (
        <form
          style={{ ...ROW, marginTop: '0.75rem' }}
          onSubmit={(event) => void save(event).catch(() => undefined)}
          aria-label="Save as list"
        >
          <div className="field">
            <label htmlFor="list-name">List name</label>
            <input
              id="list-name"
              value={name}
              maxLength={100}
              required
              aria-invalid={Boolean(nameProblem)}
              aria-describedby={nameProblem ? 'list-name-error' : undefined}
              onChange={(event) => setName(event.target.value)}
            />
            {nameProblem && (
              <p className="field-error" id="list-name-error">
                {nameProblem.message}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="list-team">Team (optional)</label>
            <input
              id="list-team"
              value={team}
              maxLength={64}
              placeholder="your team"
              aria-invalid={Boolean(teamProblem)}
              aria-describedby={teamProblem ? 'list-team-error' : undefined}
              onChange={(event) => setTeam(event.target.value)}
            />
            {teamProblem && (
              <p className="field-error" id="list-team-error">
                {teamProblem.message}
              </p>
            )}
          </div>
          <div style={ACTIONS}>
            <button type="submit" className="button primary" disabled={create.running || !name.trim()}>
              Save list
            </button>
            <button
              type="button"
              className="button subtle"
              onClick={() => {
                setSaving(false);
                create.reset();
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {create.error && !nameProblem && !teamProblem && <ErrorMessage error={create.error} title="Could not save the list" />}
      {remove.error && <ErrorMessage error={remove.error} title="Could not delete the list" />}
      {saved.error && <ErrorMessage error={saved.error} title="Could not open the saved list" />}
    </section>
  );
}
