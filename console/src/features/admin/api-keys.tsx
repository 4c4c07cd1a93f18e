'use client';

import { useRef, useState, type FormEvent } from 'react';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import type { ApiKeyScope } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';
import { ApiError, request } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import { ApiKeysQuery, CreateApiKeyMutation, RevokeApiKeyMutation } from './operations';
import { RequireAdmin } from './require-admin';

const SCOPES: Array<{ value: ApiKeyScope; label: string }> = [
  { value: 'LEADS_WRITE', label: 'Write leads and activities (leads:write)' },
  { value: 'SCORES_READ', label: 'Read leads and scores (scores:read)' },
];

export function ApiKeysPage() {
  return (
    <RequireAdmin>
      <ApiKeys />
    </RequireAdmin>
  );
}

function ApiKeys() {
  const { data, error, loading, refetch } = useQuery(ApiKeysQuery);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['LEADS_WRITE', 'SCORES_READ']);
  const [expiresAt, setExpiresAt] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string }>();
  const [formError, setFormError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const secretRef = useRef<HTMLDivElement>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFormError(undefined);
    try {
      const { createApiKey } = await request(CreateApiKeyMutation, {
        input: { name: name.trim(), scopes, expiresAt: expiresAt ? new Date(`${expiresAt}T23:59:59Z`).toISOString() : undefined },
      });
      setCreated({ name: createApiKey.apiKey.name, secret: createApiKey.secret });
      setCopied(false);
      setName('');
      await refetch();
      setTimeout(() => secretRef.current?.focus(), 0);
    } catch (caught) {
      setFormError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string, keyName: string) {
    if (!window.confirm(`Revoke the key "${keyName}"? Requests with it are refused from now on; this cannot be undone.`)) return;
    try {
      await request(RevokeApiKeyMutation, { id });
      await refetch();
    } catch (caught) {
      setFormError(caught instanceof ApiError ? caught : new ApiError([{ message: String(caught) }]));
    }
  }

  const nameProblem = formError?.problems.find((problem) => problem.path.endsWith('name'));

  return (
    <>
      <PageHeader
        title="API keys"
        description="Credentials of client apps (a CRM, a website backend). A key's secret is shown once, when it is created."
      />
      {created && (
        <section className="state success" aria-labelledby="secret-title" data-testid="api-key-secret">
          <h2 id="secret-title" style={{ marginTop: 0 }}>
            Key &ldquo;{created.name}&rdquo; created
          </h2>
          <p>
            Copy the secret now: it is not stored and will not be shown again. Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
          </p>
          <div className="secret-box" tabIndex={-1} ref={secretRef}>
            {created.secret}
          </div>
          <div className="row center" style={{ marginTop: '0.5rem' }}>
            <button
              type="button"
              className="button"
              onClick={() => {
                void navigator.clipboard?.writeText(created.secret).then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="button subtle" onClick={() => setCreated(undefined)}>
              I stored it, hide it
            </button>
          </div>
        </section>
      )}
      <form className="card" onSubmit={create} aria-labelledby="new-key-title">
        <h2 id="new-key-title">New key</h2>
        <div className="row">
          <div className="field" style={{ minWidth: 240 }}>
            <label htmlFor="key-name">Client app</label>
            <input
              id="key-name"
              required
              value={name}
              placeholder="e.g. crm-sync"
              aria-invalid={nameProblem ? true : undefined}
              aria-describedby={nameProblem ? 'key-name-error' : undefined}
              onChange={(event) => setName(event.target.value)}
            />
            {nameProblem && (
              <p className="field-error" id="key-name-error">
                {nameProblem.message}
              </p>
            )}
          </div>
          <fieldset>
            <legend>Scopes</legend>
            {SCOPES.map((scope) => (
              <label key={scope.value} className="checkbox" style={{ display: 'flex' }}>
                <input
                  type="checkbox"
                  checked={scopes.includes(scope.value)}
                  onChange={(event) => setScopes(event.target.checked ? [...scopes, scope.value] : scopes.filter((s) => s !== scope.value))}
                />{' '}
                {scope.label}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="key-expires">Expires (optional)</label>
            <input id="key-expires" type="date" value={expiresAt} onChange={(event) => setExpiresAt(event.target.value)} />
          </div>
          <button type="submit" className="button primary" disabled={busy || !name.trim() || scopes.length === 0}>
            Create key
          </button>
        </div>
        {formError && <ErrorMessage error={formError} title="Not done" shownOnFields={(problem) => problem === nameProblem} />}
      </form>
      <h2>Keys</h2>
      {error && <ErrorMessage error={error} title="Could not load the keys" />}
      {loading && !data && <Loading />}
      {data && data.apiKeys.length === 0 && <Empty>No API keys yet.</Empty>}
      {data && data.apiKeys.length > 0 && (
        <div className="table-wrap">
          <table data-testid="api-keys-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key starts with</th>
                <th scope="col">Scopes</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">
                  Created
                </th>
                <th scope="col" className="hide-narrow">
                  Last used
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.apiKeys.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.prefix}</code>
                  </td>
                  <td className="small">{key.scopes.map((scope) => scope.toLowerCase().replace('_', ':')).join(', ')}</td>
                  <td>
                    {key.active ? (
                      <span className="badge published">active</span>
                    ) : (
                      <span className="badge retired">{key.revokedAt ? `revoked ${formatDateTime(key.revokedAt)}` : 'expired'}</span>
                    )}
                    {key.expiresAt && key.active && <div className="muted small">expires {formatDateTime(key.expiresAt)}</div>}
                  </td>
                  <td className="small hide-narrow">
                    {formatDateTime(key.createdAt)}
                    {key.createdBy && (
                      <div className="muted">
                        by {data.users.find((user) => user.id === key.createdBy)?.email ?? `user ${key.createdBy}`}
                      </div>
                    )}
                  </td>
                  <td className="small hide-narrow">{formatDateTime(key.lastUsedAt)}</td>
                  <td>
                    {key.active && (
                      <button type="button" className="button small danger-outline" onClick={() => void revoke(key.id, key.name)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
