'use client';

import { PageHeader } from '@/components/page-header';
import { Empty, ErrorMessage, Loading } from '@/components/states';
import { Metric } from '@/features/rule-sets/rescore-progress';
import { attributeLabel, attributeValue, leadIdentity, valueWords } from '@/lib/attribute-labels';
import { formatDateTime, signed } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import { ConversionProbabilityMetric } from './conversion-probability';
import { LeadQuery } from './operations';
import { ScoreHistoryChart } from './score-history-chart';
import { useCatalog } from './use-catalog';

const CAUSES: Record<string, string> = {
  lead_created: 'Lead created',
  lead_updated: 'Lead updated',
  activity_recorded: 'Activity',
  decay: 'Decay',
  rescore: 'Re-scored',
  rule_set_published: 'New rule set published',
};

/** One lead: its score and why, its activity, and how its score moved. */
export function LeadPage({ leadId }: { leadId: string }) {
  const { data, error, loading } = useQuery(LeadQuery, { id: leadId });
  const catalog = useCatalog();
  if (error) return <ErrorMessage error={error} title="Could not load the lead" />;
  if (loading && !data) return <Loading label="Loading the lead…" />;
  if (!data) return null;
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
  const about = [
    company,
    lead.email,
    lead.segment ? `segment ${lead.segment}` : null,
    lead.source ? `source ${valueWords(lead.source)}` : null,
    `outcome ${lead.outcome.toLowerCase()}`,
  ];

  return (
    <>
      <PageHeader
        crumbs={[{ href: '/leads', label: 'Leads' }, { label: name }]}
        title={name}
        description={about.filter(Boolean).join(' · ')}
      />
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
      <div className="grid-2" style={{ marginTop: '1rem' }}>
        <section className="card" aria-labelledby="activity-title">
          <h2 id="activity-title">Activity ({lead.activities.totalCount})</h2>
          {lead.activities.edges.length === 0 ? (
            <p className="muted">No activity yet.</p>
          ) : (
            <div className="timeline-scroll">
              <ol className="timeline" data-testid="activity-timeline" aria-label="Activities, newest first">
                {lead.activities.edges.map(({ node }) => (
                  <li key={node.id}>
                    <strong>{node.type.toLowerCase().replace(/_/g, ' ')}</strong>{' '}
                    <span className="muted small">{formatDateTime(node.occurredAt)}</span>
                    {Object.keys(node.properties).length > 0 && (
                      <div className="small muted">
                        {Object.entries(node.properties)
                          .map(([key, value]) => `${attributeLabel(catalog, key)}: ${String(value)}`)
                          .join(' · ')}
                      </div>
                    )}
                  </li>
                ))}
              </ol>
            </div>
          )}
          {lead.activities.totalCount > lead.activities.edges.length && (
            <p className="muted small">Showing the latest {lead.activities.edges.length}.</p>
          )}
        </section>
        <section className="card" aria-labelledby="attributes-title">
          <h2 id="attributes-title">Attributes</h2>
          <dl className="facts">
            {Object.entries(lead.attributes).map(([key, value]) => (
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
