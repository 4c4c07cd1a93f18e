'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import type { LeadOrder, LeadsQuery as LeadsQueryResult } from '@/gql/graphql';
import { attributeValue, type Catalog, leadIdentity } from '@/lib/attribute-labels';
import { formatDateTime, formatNumber } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useLiveLeads } from '@/lib/live-leads';
import { useQuery } from '@/lib/use-query';
import { ListsBar, useSavedList } from '@/features/lists/lists-bar';
import { ModelSwitcher, useScoreModels } from '@/features/models/model-switcher';
import { LeadsQuery } from './operations';
import { useCatalog } from './use-catalog';

const GRADES = ['A', 'B', 'C', 'D'];
const LEVELS = ['1', '2', '3', '4'];
const PAGE = 50;

type LeadEdge = LeadsQueryResult['leads']['edges'][number];

/** Sales view: leads by score, filtered by cell, band, qualification or a search; filters live in the URL. */
export function LeadsList() {
  const params = useSearchParams();
  const router = useRouter();
  const cells = params.get('cells')?.split(',').filter(Boolean) ?? [];
  const band = params.get('band') ?? '';
  const qualified = params.get('qualified') ?? '';
  const search = params.get('search') ?? '';
  const mine = params.get('mine') === 'yes';
  const orderBy = (params.get('order') ?? 'SCORE_DESC') as LeadOrder;
  // Another lead model than the default: its scores are shown, filtered and ordered on (?model=key).
  const model = params.get('model') ?? '';
  const models = useScoreModels('LEAD');
  const byModel = model ? { model, modelKey: model, byModel: true } : {};
  const [searchText, setSearchText] = useState(search);
  const [more, setMore] = useState<LeadEdge[]>([]);
  const [cursor, setCursor] = useState<{ hasNextPage: boolean; endCursor?: string | null }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError>();

  const filter = {
    ...(cells.length ? { cells } : {}),
    ...(band ? { bands: [band] } : {}),
    ...(qualified ? { qualified: qualified === 'yes' } : {}),
    ...(search ? { search } : {}),
    ...(mine ? { mine: true } : {}),
  };
  // A saved list (?list=<id>) brings its own filter and order (features/lists).
  const listId = params.get('list');
  const saved = useSavedList(listId);
  const shown = saved.query ?? { filter, orderBy };
  const { data, error, loading } = useQuery(LeadsQuery, { ...shown, ...byModel, first: PAGE }, { skip: saved.active && !saved.query });
  const live = useLiveLeads(shown.filter, { skip: saved.active && !saved.query, extraPages: more.length });
  const catalog = useCatalog();

  // A new first page (new filter or order) drops the pages loaded after the old one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new first page, reads nothing from it
  useEffect(() => {
    setMore([]);
    setCursor(undefined);
  }, [data]);

  // Only the typed text: the URL change it causes must not re-run it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: deliberately keyed on the typed text alone
  useEffect(() => {
    const timer = setTimeout(() => {
      if (searchText.trim() !== search) update({ search: searchText.trim() });
    }, 300);
    return () => clearTimeout(timer);
  }, [searchText]);

  function update(changes: Record<string, string>) {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    router.replace(`/leads${next.toString() ? `?${next}` : ''}`, { scroll: false });
  }

  function toggleCell(cell: string) {
    const next = cells.includes(cell) ? cells.filter((c) => c !== cell) : [...cells, cell];
    update({ cells: next.join(',') });
  }

  async function loadMore() {
    const pageInfo = cursor ?? data?.leads.pageInfo;
    if (!pageInfo?.endCursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await request(LeadsQuery, { ...shown, ...byModel, first: PAGE, after: pageInfo.endCursor });
      setMore((current) => [...current, ...page.leads.edges]);
      setCursor(page.leads.pageInfo);
    } catch (caught) {
      setMoreError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setLoadingMore(false);
    }
  }

  const edges = [...(data?.leads.edges ?? []), ...more];
  const hasNext = (cursor ?? data?.leads.pageInfo)?.hasNextPage;

  return (
    <>
      <PageHeader title="Leads" description="Work the list top down: the highest scores first." />
      <ListsBar
        listId={listId}
        filter={shown.filter}
        orderBy={shown.orderBy}
        onSelect={(id) => router.replace(id ? `/leads?list=${id}` : '/leads')}
      />
      {models.length > 1 && (
        <div className="card" style={{ marginBottom: '0.75rem', maxWidth: '22rem' }}>
          <ModelSwitcher
            id="lead-model"
            models={models}
            value={model}
            onChange={(key) => update({ model: models.find((candidate) => candidate.key === key)?.isDefault ? '' : key })}
          />
        </div>
      )}
      <search aria-label="Filter leads" hidden={saved.active}>
        <form className="card lead-filters" onSubmit={(event) => event.preventDefault()}>
          <div className="filter-fields">
            <div className="field wide">
              <label htmlFor="lead-search">E-mail or id starts with</label>
              <input id="lead-search" type="search" value={searchText} onChange={(event) => setSearchText(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="lead-band">Band</label>
              <select id="lead-band" value={band} onChange={(event) => update({ band: event.target.value })}>
                <option value="">Any band</option>
                <option value="hot">hot</option>
                <option value="warm">warm</option>
                <option value="cold">cold</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="lead-qualified">Qualified</label>
              <select id="lead-qualified" value={qualified} onChange={(event) => update({ qualified: event.target.value })}>
                <option value="">Either</option>
                <option value="yes">Qualified only</option>
                <option value="no">Not qualified</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="lead-order">Order</label>
              <select
                id="lead-order"
                value={orderBy}
                onChange={(event) => update({ order: event.target.value === 'SCORE_DESC' ? '' : event.target.value })}
              >
                <option value="SCORE_DESC">Highest score first</option>
                <option value="SCORE_ASC">Lowest score first</option>
                <option value="UPDATED_DESC">Recently updated</option>
                <option value="CREATED_DESC">Newest</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="lead-mine">
                <input
                  id="lead-mine"
                  type="checkbox"
                  checked={mine}
                  onChange={(event) => update({ mine: event.target.checked ? 'yes' : '' })}
                />{' '}
                My leads only
              </label>
            </div>
            {(cells.length > 0 || band || qualified || search || mine) && (
              <div>
                <button
                  type="button"
                  className="button subtle"
                  onClick={() => {
                    setSearchText('');
                    router.replace(model ? `/leads?model=${encodeURIComponent(model)}` : '/leads');
                  }}
                >
                  Clear filters
                </button>
              </div>
            )}
          </div>
          <fieldset>
            <legend>Cells (grade × level)</legend>
            <div className="score-grid" style={{ gridTemplateColumns: 'auto repeat(4, 2.4rem)' }}>
              <span />
              {LEVELS.map((level) => (
                <span key={level} className="axis">
                  {level}
                </span>
              ))}
              {GRADES.map((grade) => (
                <CellRow key={grade} grade={grade} cells={cells} onToggle={toggleCell} />
              ))}
            </div>
          </fieldset>
        </form>
      </search>
      <div aria-live="polite" style={{ margin: '0.75rem 0' }} className="muted" data-testid="lead-count">
        {data && `${formatNumber(data.leads.totalCount)} lead${data.leads.totalCount === 1 ? '' : 's'}`}
      </div>
      {live.pending && (
        <button type="button" className="button subtle" onClick={live.refresh} data-testid="leads-changed">
          Scores changed: show the list again
        </button>
      )}
      {error && <ErrorMessage error={error} title="Could not load leads" />}
      {loading && !data && <Loading label="Loading leads…" />}
      {data && edges.length === 0 && <Empty>No lead matches these filters.</Empty>}
      {edges.length > 0 && (
        <div className="table-wrap">
          <table data-testid="leads-table">
            <thead>
              <tr>
                <th scope="col">Lead</th>
                <th scope="col" className="num">
                  Score
                  {model && <span className="muted small"> ({models.find((candidate) => candidate.key === model)?.name ?? model})</span>}
                </th>
                <th scope="col">Cell</th>
                <th scope="col">Band</th>
                <th scope="col">Next action</th>
                <th scope="col" className="hide-narrow">
                  Owner
                </th>
                <th scope="col" className="hide-narrow">
                  Industry · size · country
                </th>
                <th scope="col" className="hide-narrow">
                  Last activity
                </th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node }) => {
                const score = model ? node.modelScore : node.score;
                return (
                  <tr key={node.id}>
                    <td>
                      <LeadName lead={node} />
                    </td>
                    <td className="num">
                      <strong data-testid="lead-row-score">{score?.total ?? '—'}</strong>
                      {score && (
                        <div className="muted small" style={{ whiteSpace: 'nowrap' }}>
                          {score.fit} + {score.engagement}
                        </div>
                      )}
                    </td>
                    <td>{score && <span className="cell-tag">{score.cell}</span>}</td>
                    <td>
                      {score && <span className={`badge ${score.band}`}>{score.band}</span>}{' '}
                      {score?.qualified && <span className="badge yes">qualified</span>}
                    </td>
                    <td className="small">{score?.actionLabel}</td>
                    <td className="small hide-narrow" data-testid="lead-owner">
                      {node.owner?.name ?? '—'}
                    </td>
                    <td className="small hide-narrow">{describeCompany(catalog, node.attributes)}</td>
                    <td className="small hide-narrow">{formatDateTime(score?.lastActivityAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {moreError && <ErrorMessage error={moreError} />}
      {hasNext && (
        <p>
          <button type="button" className="button" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? 'Loading…' : `Show ${PAGE} more`}
          </button>
        </p>
      )}
    </>
  );
}

function CellRow({ grade, cells, onToggle }: { grade: string; cells: string[]; onToggle(cell: string): void }) {
  return (
    <>
      <span className="axis">{grade}</span>
      {LEVELS.map((level) => {
        const cell = `${grade}${level}`;
        const on = cells.includes(cell);
        return (
          <button
            key={cell}
            type="button"
            className={`gcell ${on ? 'candidate' : ''}`}
            aria-pressed={on}
            aria-label={`Cell ${cell}`}
            onClick={() => onToggle(cell)}
            style={{ cursor: 'pointer', font: 'inherit' }}
          >
            {cell}
          </button>
        );
      })}
    </>
  );
}

function LeadName({ lead }: { lead: LeadEdge['node'] }) {
  const { name, company } = leadIdentity(lead);
  return (
    <>
      <Link href={`/leads/${lead.id}`}>{name}</Link>
      {company && <div className="small">{company}</div>}
      <div className="muted small">{lead.email ?? lead.externalId}</div>
    </>
  );
}

/** "Financial services · 457 employees · United States", in the catalog's words. */
function describeCompany(catalog: Catalog, attributes: Record<string, unknown>): string {
  const parts = ['industry', 'companySize', 'country'].filter((name) => attributes[name] != null && attributes[name] !== '');
  return parts.map((name) => attributeValue(catalog, name, attributes[name])).join(' · ') || '—';
}
