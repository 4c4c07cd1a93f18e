'use client';

import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { Metric } from '@/features/rule-sets/rescore-progress';
import { attributeLabel, attributeValue, type Catalog, leadIdentity, valueWords } from '@/lib/attribute-labels';
import { formatDateTime, signed } from '@/lib/format';
import { useLiveLead } from '@/lib/live-leads';
import { useQuery } from '@/lib/use-query';
import { ConversionProbabilityMetric, ConversionProbabilityNote } from './conversion-probability';
import type { LeadQuery as LeadQueryResult } from '@/gql/graphql';
import { LeadModelScores } from './lead-model-scores';
import { LeadQuery } from './operations';
import { ScoreHistoryChart } from './score-history-chart';
import { useCatalog } from './use-catalog';

const RECENT_ACTIVITIES = 12;

const CAUSES: Record<string, string> = {
  lead_created: 'Lead created',
  lead_updated: 'Lead updated',
  activity_recorded: 'Activity',
  decay: 'Decay',
  rescore: 'Re-scored',
  rule_set_published: 'New rule set published',
  account_changed: 'Account score changed',
};

/** One lead: its score and why, its activity, and how its score moved. */
export function LeadPage({ leadId }: { leadId: string }) {
  const { data, error, loading } = useQuery(LeadQuery, { id: leadId });
  // Score changes arrive over the live socket and refresh the page's data; no polling.
  useLiveLead(leadId);
  const catalog = useCatalog();
  if (error) return <ErrorMessage error={error} title="Could not load the lead" />;
  if (loading && !data) return <Loading label="Loading the lead…" />;
  if (!data) return null;
  // A lead that does not exist (or was erased) reads as null.
  if (!data.lead) return <Empty>No lead with this id.</Empty>;
  const lead = data.lead;
  const score = lead.score;
  const history = lead.scoreHistory.edges.map((edge) => edge.node);
  const points = [...history].reverse().map((change) => ({
    at: change.changedAt,
    total: change.new.total,
    fit: change.new.fit,
    engagement: change.new.engagement,
    cell: change.new.cell,
    cause: change.cause,
  }));
  const reasons = score?.reasons ?? [];
  const { name, company } = leadIdentity(lead);
  // The latest few in full; the rest folded, rather than a scrolling box inside the page.
  const activities = lead.activities.edges.map((edge) => edge.node);
  const recent = activities.slice(0, RECENT_ACTIVITIES);
  const older = activities.slice(RECENT_ACTIVITIES);
  const about = [
    company,
    lead.email,
    lead.segment ? `segment ${lead.segment}` : null,
    lead.source ? `source ${valueWords(lead.source)}` : null,
    `outcome ${lead.outcome.toLowerCase()}`,
    lead.owner ? `owner ${lead.owner.name}${lead.owner.kind === 'QUEUE' ? ' (queue)' : ''}` : 'no owner yet',
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ href: '/leads', label: 'Leads' }, { label: name }]}
        title={name}
        description={about.filter(Boolean).join(' · ')}
      />
      {lead.account && (
        <p className="muted" data-testid="lead-account">
          Contact of the account{' '}
          <Link href={`/accounts/${lead.account.id}`}>{lead.account.name || lead.account.domain || `#${lead.account.id}`}</Link>
        </p>
      )}
      {!score && <Empty>This lead has no score yet.</Empty>}
      {score && (
        <div className="metrics" style={{ marginBottom: '1rem' }}>
          <Metric label="Score" value={<span data-testid="lead-score">{score.total}</span>} />
          <Metric label="Fit · grade" value={`${score.fit} · ${score.fitGrade}`} />
          <Metric label="Engagement · level" value={`${score.engagement} · ${score.engagementLevel}`} />
          <Metric label="Cell" value={<span data-testid="lead-cell">{score.cell}</span>} />
          <Metric label="Band" value={<span className={`badge ${score.band}`}>{score.band}</span>} />
          <Metric label="Qualified" value={score.qualified ? 'yes' : 'no'} />
          <ConversionProbabilityMetric probability={score.conversionProbability} />
        </div>
      )}
      {score && <ConversionProbabilityNote probability={score.conversionProbability} />}
      {score && (
        <p className="state success">
          <strong>Next action:</strong> {score.actionLabel}{' '}
          <span className="muted small">
            (rule set {score.ruleSetKey} <span data-testid="lead-ruleset-version">v{score.ruleSetVersion}</span>, as of{' '}
            {formatDateTime(score.scoredAt)})
          </span>
        </p>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="reasons-title">
          <h2 id="reasons-title">Why this score</h2>
          {reasons.length === 0 ? (
            <p className="muted">No rule gave points.</p>
          ) : (
            <table data-testid="reasons">
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col">Dimension</th>
                  <th scope="col" className="num">
                    Points
                  </th>
                </tr>
              </thead>
              <tbody>
                {reasons.map((reason) => (
                  <tr key={reason.rule}>
                    <td>{reason.label}</td>
                    <td className="small">{reason.dimension.toLowerCase()}</td>
                    <td className={`num ${reason.points >= 0 ? 'points-pos' : 'points-neg'}`}>{signed(reason.points)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={2}>
                    Total
                  </th>
                  <td className="num">
                    <strong>{score?.total}</strong>
                  </td>
                </tr>
              </tfoot>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">Score history</h2>
          {points.length === 0 ? <p className="muted">No change recorded yet.</p> : <ScoreHistoryChart points={points} />}
          <details>
            <summary>Changes as a list ({history.length})</summary>
            <div className="table-wrap" style={{ maxHeight: 280, overflow: 'auto' }}>
              <table>
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
                  {history.map((change) => (
                    <tr key={change.id}>
                      <td className="small">{formatDateTime(change.changedAt)}</td>
                      <td className="small">
                        {CAUSES[change.cause] ?? change.cause} <span className="muted">v{change.ruleSetVersion}</span>
                      </td>
                      <td className="num">{change.old ? `${change.old.total} ${change.old.cell}` : '—'}</td>
                      <td className="num">
                        {change.new.total} {change.new.cell}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </section>
      </div>
      <LeadModelScores leadId={lead.id} scores={lead.scores} />
      <div className="grid-2" style={{ marginTop: '1rem' }}>
        <section className="card" aria-labelledby="activity-title">
          <h2 id="activity-title">Activity ({lead.activities.totalCount})</h2>
          {lead.activities.edges.length === 0 ? (
            <p className="muted">No activity yet.</p>
          ) : (
            <>
              <ActivityList activities={recent} catalog={catalog} testId="activity-timeline" />
              {older.length > 0 && (
                <details>
                  <summary>{older.length} earlier activities</summary>
                  <ActivityList activities={older} catalog={catalog} />
                </details>
              )}
            </>
          )}
          {lead.activities.totalCount > lead.activities.edges.length && (
            <p className="muted small">Showing the latest {lead.activities.edges.length}.</p>
          )}
        </section>
        <section className="card" aria-labelledby="attributes-title">
          <h2 id="attributes-title">Attributes</h2>
          <dl className="facts">
            {attributesInCatalogOrder(catalog, lead.attributes).map(([key, value]) => (
              <div key={key} style={{ display: 'contents' }}>
                <dt>{attributeLabel(catalog, key)}</dt>
                <dd>{attributeValue(catalog, key, value)}</dd>
              </div>
            ))}
            <dt>Lead id</dt>
            <dd>{lead.externalId}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(lead.createdAt)}</dd>
          </dl>
        </section>
      </div>
    </>
  );
}

type Activity = NonNullable<LeadQueryResult['lead']>['activities']['edges'][number]['node'];

function ActivityList({ activities, catalog, testId }: { activities: Activity[]; catalog: Catalog; testId?: string }) {
  return (
    <ol className="timeline" data-testid={testId} aria-label="Activities, newest first">
      {activities.map((activity) => (
        <li key={activity.id}>
          <strong>{valueWords(activity.typeName)}</strong> <span className="muted small">{formatDateTime(activity.occurredAt)}</span>
          {Object.keys(activity.properties).length > 0 && (
            <div className="small muted">
              {Object.entries(activity.properties)
                .map(([key, value]) => `${attributeLabel(catalog, key)}: ${String(value)}`)
                .join(' · ')}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Attributes in the catalog's order (unknown ones last), so every lead page reads the same way. */
function attributesInCatalogOrder(catalog: Catalog, attributes: Record<string, unknown>): [string, unknown][] {
  const order = [...catalog.keys()];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return Object.entries(attributes).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
