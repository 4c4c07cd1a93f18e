'use client';

import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { actorName, formatDateTime } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { RuleSetsQuery } from './operations';

/** Every rule set with its active version, its open drafts and its last change. */
export function RuleSetsList() {
  const { data, error, loading } = useQuery(RuleSetsQuery);
  return (
    <>
      <PageHeader title="Rule sets" description="How leads are scored: each rule set has numbered versions, one of them active." />
      {error && <ErrorMessage error={error} title="Could not load the rule sets" />}
      {loading && !data && <Loading />}
      {data && data.ruleSets.length === 0 && <Empty>No rule sets yet.</Empty>}
      {data && data.ruleSets.length > 0 && (
        <div className="table-wrap">
          <table data-testid="rule-sets-table">
            <thead>
              <tr>
                <th scope="col">Rule set</th>
                <th scope="col">Active version</th>
                <th scope="col">Status</th>
                <th scope="col">Open versions</th>
                <th scope="col">Segments</th>
                <th scope="col">Last change</th>
              </tr>
            </thead>
            <tbody>
              {data.ruleSets.map((ruleSet) => {
                const open = ruleSet.versions.filter((version) => ['draft', 'in_review', 'approved'].includes(version.status));
                const latest = [...ruleSet.versions].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
                return (
                  <tr key={ruleSet.id}>
                    <td>
                      <Link href={`/rule-sets/${encodeURIComponent(ruleSet.key)}`}>
                        <strong>{ruleSet.name}</strong>
                      </Link>
                      <div className="muted small">
                        <code>{ruleSet.key}</code> {ruleSet.isDefault && <span className="badge">default</span>}
                      </div>
                    </td>
                    <td>
                      {ruleSet.activeVersion ? (
                        <>
                          v{ruleSet.activeVersion.version}
                          <div className="muted small">
                            published {formatDateTime(ruleSet.activeVersion.publishedAt)} by {actorName(ruleSet.activeVersion.publishedBy)}
                          </div>
                        </>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td>
                      {ruleSet.activeVersion ? (
                        <span className="badge published">active</span>
                      ) : (
                        <span className="badge draft">not published</span>
                      )}
                    </td>
                    <td>
                      {open.length === 0 && <span className="muted">—</span>}
                      {open.map((version) => (
                        <div key={version.id}>
                          <Link href={`/rule-sets/${encodeURIComponent(ruleSet.key)}/versions/${version.id}`}>v{version.version}</Link>{' '}
                          <span className={`badge ${version.status}`}>{version.status.replace('_', ' ')}</span>
                        </div>
                      ))}
                    </td>
                    <td className="small">
                      {ruleSet.segments.length ? ruleSet.segments.join(', ') : <span className="muted">all others</span>}
                    </td>
                    <td className="small">
                      {formatDateTime(latest?.updatedAt ?? ruleSet.updatedAt)}
                      {latest && (
                        <div className="muted">
                          v{latest.version} {latest.status.replace('_', ' ')}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
