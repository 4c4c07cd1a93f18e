'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { ModelSwitcher, type ScoreModelInfo, useScoreModels } from '@/features/models/model-switcher';
import { Metric } from '@/features/rule-sets/rescore-progress';
import type { AccountQuery as AccountQueryResult } from '@/gql/graphql';
import { attributeLabel, attributeValue, catalogOf, leadIdentity, valueWords } from '@/lib/attribute-labels';
import { formatDateTime, formatNumber } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { AccountReasons } from './account-reasons';
import { AccountAttributeDefinitionsQuery, AccountHistoryQuery, AccountQuery } from './operations';

/** Contacts listed on the page; the count says how many more the account has. */
const CONTACTS = 100;

const CAUSES: Record<string, string> = {
  lead_created: 'Contact created',
  lead_updated: 'Contact updated',
  activity_recorded: 'Contact activity',
  account_changed: 'Account changed',
  decay: 'Decay',
  rescore: 'Re-scored',
  rule_set_published: 'New rule set published',
};

type Account = NonNullable<AccountQueryResult['account']>;
type Contact = Account['contacts']['edges'][number]['node'];

/** One account: its score per model and why (naming contacts), its contacts, and how its score moved. */
export function AccountPage({ accountId }: { accountId: string }) {
  const { data, error, loading } = useQuery(AccountQuery, { id: accountId, contacts: CONTACTS });
  const models = useScoreModels('ACCOUNT');
  const [chosen, setChosen] = useState('');
  if (error) return <ErrorMessage error={error} title="Could not load the account" />;
  if (loading && !data) return <Loading label="Loading the account…" />;
  if (!data) return null;
  if (!data.account) return <Empty>No account with this id.</Empty>;
  const account = data.account;
  // The chosen model's score; unchosen, the default account model's (or the first, before models load).
  const defaultKey = models.find((model) => model.isDefault)?.key;
  const score = account.scores.find((candidate) => candidate.model === (chosen || defaultKey)) ?? (chosen ? undefined : account.scores[0]);
  const title = account.name || account.domain || account.externalId || `Account ${account.id}`;
  const about = [
    account.domain,
    account.externalId && `id ${account.externalId}`,
    `${formatNumber(account.contactCount)} contact${account.contactCount === 1 ? '' : 's'}`,
    `outcome ${account.outcome.toLowerCase()}`,
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ href: '/accounts', label: 'Accounts' }, { label: title }]}
        title={title}
        description={about.filter(Boolean).join(' · ')}
      />
      {account.mergedIntoId && (
        <p className="state warning">
          This account was merged into <Link href={`/accounts/${account.mergedIntoId}`}>another account</Link>; its contacts are there.
        </p>
      )}
      <ModelSwitcher id="account-page-model" models={models} value={chosen} onChange={setChosen} />
      {!score && <Empty>This account has no score {chosen ? 'in this model ' : ''}yet.</Empty>}
      {score && (
        <div className="metrics" style={{ marginBottom: '1rem' }}>
          <Metric label="Account score" value={<span data-testid="account-score">{score.total}</span>} />
          <Metric label="Fit · grade" value={`${score.fit} · ${score.fitGrade}`} />
          <Metric label="Engagement · level" value={`${score.engagement} · ${score.engagementLevel}`} />
          <Metric label="Cell" value={<span data-testid="account-cell">{score.cell}</span>} />
          <Metric label="Band" value={<span className={`badge ${score.band}`}>{score.band}</span>} />
          <Metric label="Qualified" value={score.qualified ? 'yes' : 'no'} />
        </div>
      )}
      {score && (
        <p className="state success">
          <strong>Next action:</strong> {score.actionLabel}{' '}
          <span className="muted small">
            (rule set {score.ruleSetKey} v{score.ruleSetVersion}, as of {formatDateTime(score.scoredAt)})
          </span>
        </p>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="account-reasons-title">
          <h2 id="account-reasons-title">Why this score</h2>
          {score ? <AccountReasons reasons={score.reasons} total={score.total} /> : <p className="muted">No score yet.</p>}
        </section>
        <section className="card" aria-labelledby="account-models-title">
          <h2 id="account-models-title">Score per model</h2>
          <ScoresPerModel scores={account.scores} models={models} />
        </section>
      </div>
      <section className="card" aria-labelledby="contacts-title" style={{ marginTop: '1rem' }}>
        <h2 id="contacts-title">Contacts ({formatNumber(account.contactCount)})</h2>
        <Contacts contacts={account.contacts.edges.map((edge) => edge.node)} />
        {account.contactCount > account.contacts.edges.length && (
          <p className="muted small">
            Showing {account.contacts.edges.length} of {formatNumber(account.contactCount)}.
          </p>
        )}
      </section>
      <div className="grid-2" style={{ marginTop: '1rem' }}>
        <History accountId={account.id} model={score?.model ?? (chosen || defaultKey)} />
        <Attributes account={account} />
      </div>
    </>
  );
}

function ScoresPerModel({ scores, models }: { scores: Account['scores']; models: readonly ScoreModelInfo[] }) {
  if (scores.length === 0) return <p className="muted">No model has scored this account yet.</p>;
  const name = (key: string) => models.find((model) => model.key === key)?.name ?? key;
  return (
    <table data-testid="account-scores">
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col" className="num">
            Score
          </th>
          <th scope="col">Cell</th>
          <th scope="col">Band</th>
        </tr>
      </thead>
      <tbody>
        {scores.map((score) => (
          <tr key={score.model}>
            <td>
              {name(score.model)}
              <div className="muted small">
                {score.ruleSetKey} v{score.ruleSetVersion}
              </div>
            </td>
            <td className="num">{score.total}</td>
            <td>
              <span className="cell-tag">{score.cell}</span>
            </td>
            <td>
              <span className={`badge ${score.band}`}>{score.band}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Contacts({ contacts }: { contacts: readonly Contact[] }) {
  if (contacts.length === 0) return <p className="muted">No contact in this account.</p>;
  const sorted = [...contacts].sort((a, b) => (b.score?.total ?? -Infinity) - (a.score?.total ?? -Infinity));
  return (
    <div className="table-wrap">
      <table data-testid="account-contacts">
        <thead>
          <tr>
            <th scope="col">Contact</th>
            <th scope="col" className="num">
              Score
            </th>
            <th scope="col">Cell</th>
            <th scope="col">Band</th>
            <th scope="col" className="hide-narrow">
              Title
            </th>
            <th scope="col" className="hide-narrow">
              Last activity
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((contact) => (
            <tr key={contact.id}>
              <td>
                <Link href={`/leads/${contact.id}`}>{leadIdentity(contact).name}</Link>
                <div className="muted small">{contact.email ?? contact.externalId}</div>
              </td>
              <td className="num">{contact.score?.total ?? '—'}</td>
              <td>{contact.score && <span className="cell-tag">{contact.score.cell}</span>}</td>
              <td>{contact.score && <span className={`badge ${contact.score.band}`}>{contact.score.band}</span>}</td>
              <td className="small hide-narrow">{describeRole(contact.attributes)}</td>
              <td className="small hide-narrow">{formatDateTime(contact.score?.lastActivityAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "IT Director · Director" from the contact's title, seniority or department, when known (codes in words). */
function describeRole(attributes: Record<string, unknown>): string {
  const parts = ['jobTitle', 'title', 'seniority', 'department']
    .map((name) => attributes[name])
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .map(valueWords);
  return parts.slice(0, 2).join(' · ') || '—';
}

function History({ accountId, model }: { accountId: string; model: string | undefined }) {
  const { data, error } = useQuery(AccountHistoryQuery, { id: accountId, model: model ?? null });
  const history = data?.account?.history ?? [];
  return (
    <section className="card" aria-labelledby="account-history-title">
      <h2 id="account-history-title">Score history</h2>
      {error && <ErrorMessage error={error} />}
      {data && history.length === 0 && <p className="muted">No change recorded yet.</p>}
      {history.length > 0 && (
        <div className="table-wrap" style={{ maxHeight: 320, overflow: 'auto' }}>
          <table data-testid="account-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Cause</th>
                <th scope="col" className="num">
                  Before
                </th>
                <th scope="col" className="num">
                  After
                </th>
              </tr>
            </thead>
            <tbody>
              {history.map((change, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a change has no id; the list is read-only, newest first
                <tr key={`${change.changedAt}-${index}`}>
                  <td className="small">{formatDateTime(change.changedAt)}</td>
                  <td className="small">
                    {CAUSES[change.cause] ?? change.cause} <span className="muted">v{change.ruleSetVersion}</span>
                  </td>
                  <td className="num">{change.before ? `${change.before.total} ${change.before.cell}` : '—'}</td>
                  <td className="num">
                    {change.after.total} {change.after.cell}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Attributes({ account }: { account: Account }) {
  const definitions = useQuery(AccountAttributeDefinitionsQuery);
  const catalog = useMemo(() => catalogOf(definitions.data?.attributeDefinitions), [definitions.data]);
  const entries = Object.entries(account.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="card" aria-labelledby="account-attributes-title">
      <h2 id="account-attributes-title">Attributes</h2>
      <dl className="facts">
        {entries.map(([key, value]) => (
          <div key={key} style={{ display: 'contents' }}>
            <dt>{attributeLabel(catalog, key)}</dt>
            <dd>{attributeValue(catalog, key, value)}</dd>
          </div>
        ))}
        {account.externalId && (
          <>
            <dt>Account id</dt>
            <dd>{account.externalId}</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{formatDateTime(account.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatDateTime(account.updatedAt)}</dd>
      </dl>
    </section>
  );
}
