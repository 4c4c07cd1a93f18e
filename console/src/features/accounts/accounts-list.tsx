'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { ModelSwitcher, useScoreModels } from '@/features/models/model-switcher';
import type { AccountOrder, AccountsQuery as AccountsQueryResult } from '@/gql/graphql';
import { formatNumber } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { BuyingCommittee } from './buying-committee';
import { AccountsQuery, COMMITTEE_CANDIDATES } from './operations';

const PAGE = 25;

type AccountNode = AccountsQueryResult['accounts']['nodes'][number];

/** Accounts by account score with their buying committee; search, order and model live in the URL. */
export function AccountsList() {
  const params = useSearchParams();
  const router = useRouter();
  const search = params.get('search') ?? '';
  const model = params.get('model') ?? '';
  const orderBy = (params.get('order') ?? 'SCORE_DESC') as AccountOrder;
  const [searchText, setSearchText] = useState(search);
  const [more, setMore] = useState<AccountNode[]>([]);
  const [cursor, setCursor] = useState<{ hasNextPage: boolean; endCursor?: string | null }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError>();
  const models = useScoreModels('ACCOUNT');

  const variables = {
    orderBy,
    committee: COMMITTEE_CANDIDATES,
    ...(model ? { model } : {}),
    ...(search ? { search } : {}),
  };
  const { data, error, loading } = useQuery(AccountsQuery, { ...variables, first: PAGE });

  // A new first page (new search, order or model) drops the pages loaded after the old one.
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
    router.replace(`/accounts${next.toString() ? `?${next}` : ''}`, { scroll: false });
  }

  async function loadMore() {
    const pageInfo = cursor ?? data?.accounts.pageInfo;
    if (!pageInfo?.endCursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await request(AccountsQuery, { ...variables, first: PAGE, after: pageInfo.endCursor });
      setMore((current) => [...current, ...page.accounts.nodes]);
      setCursor(page.accounts.pageInfo);
    } catch (caught) {
      setMoreError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setLoadingMore(false);
    }
  }

  const accounts = [...(data?.accounts.nodes ?? []), ...more];
  const hasNext = (cursor ?? data?.accounts.pageInfo)?.hasNextPage;
  const total = data?.accounts.totalCount;

  return (
    <>
      <PageHeader title="Accounts" description="Companies by account score: who in each is engaged, best first." />
      <search aria-label="Filter accounts">
        <form className="card lead-filters" onSubmit={(event) => event.preventDefault()}>
          <div className="filter-fields">
            <div className="field wide">
              <label htmlFor="account-search">Name or domain</label>
              <input id="account-search" type="search" value={searchText} onChange={(event) => setSearchText(event.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="account-order">Order</label>
              <select
                id="account-order"
                value={orderBy}
                onChange={(event) => update({ order: event.target.value === 'SCORE_DESC' ? '' : event.target.value })}
              >
                <option value="SCORE_DESC">Highest score first</option>
                <option value="NAME_ASC">By name</option>
                <option value="CREATED_DESC">Newest</option>
              </select>
            </div>
            <ModelSwitcher id="account-model" models={models} value={model} onChange={(key) => update({ model: key })} />
          </div>
        </form>
      </search>
      <div aria-live="polite" style={{ margin: '0.75rem 0' }} className="muted" data-testid="account-count">
        {total != null && `${formatNumber(total)} account${total === 1 ? '' : 's'}`}
      </div>
      {error && <ErrorMessage error={error} title="Could not load accounts" />}
      {loading && !data && <Loading label="Loading accounts…" />}
      {data && accounts.length === 0 && <Empty>{search ? 'No account matches this search.' : 'No account yet.'}</Empty>}
      {accounts.length > 0 && (
        <div className="table-wrap">
          <table data-testid="accounts-table">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col" className="num">
                  Score
                </th>
                <th scope="col">Cell</th>
                <th scope="col">Band</th>
                <th scope="col" className="num">
                  Contacts
                </th>
                <th scope="col">Buying committee</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <tr key={account.id} data-testid="account-row">
                  <td>
                    <Link href={`/accounts/${account.id}`}>{account.name || account.domain || account.externalId || `#${account.id}`}</Link>
                    {account.domain && account.name && <div className="muted small">{account.domain}</div>}
                  </td>
                  <td className="num">
                    <strong data-testid="account-score">{account.score?.total ?? '—'}</strong>
                    {account.score && (
                      <div className="muted small" style={{ whiteSpace: 'nowrap' }}>
                        {account.score.fit} + {account.score.engagement}
                      </div>
                    )}
                  </td>
                  <td>{account.score && <span className="cell-tag">{account.score.cell}</span>}</td>
                  <td>
                    {account.score && <span className={`badge ${account.score.band}`}>{account.score.band}</span>}{' '}
                    {account.score?.qualified && <span className="badge yes">qualified</span>}
                  </td>
                  <td className="num">{formatNumber(account.contactCount)}</td>
                  <td className="small">
                    <BuyingCommittee contacts={account.contacts.edges.map((edge) => edge.node)} total={account.contactCount} />
                  </td>
                </tr>
              ))}
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
