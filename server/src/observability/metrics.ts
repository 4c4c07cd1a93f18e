import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of this process, served at /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const metrics = {
  graphqlDuration: new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation latency by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
  graphqlErrors: new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  }),
  scoresComputed: new Counter({
    name: 'lead_scores_computed_total',
    help: 'Lead scores computed, by cause',
    labelNames: ['cause'] as const,
    registers: [registry],
  }),
  scoresChanged: new Counter({
    name: 'lead_scores_changed_total',
    help: 'Lead scores that changed (and got a history entry), by cause',
    labelNames: ['cause'] as const,
    registers: [registry],
  }),
  factsCacheHits: new Counter({
    name: 'lead_facts_cache_hits_total',
    help: 'Leads scored from their cached activity aggregates (no activity read)',
    registers: [registry],
  }),
  rulesCarried: new Counter({
    name: 'lead_scoring_fired_rules_carried_total',
    help: 'Leads re-scored from their stored fired rules, without evaluating conditions (their facts unchanged, the rules the same)',
    registers: [registry],
  }),
  factsCacheMisses: new Counter({
    name: 'lead_facts_cache_misses_total',
    help: 'Leads whose activity aggregates were computed from their activities',
    registers: [registry],
  }),
  rescoreLeads: new Counter({
    name: 'rescore_job_leads_total',
    help: 'Leads re-scored by re-score jobs in this process',
    registers: [registry],
  }),
  rescoreJobsRunning: new Gauge({
    name: 'rescore_jobs_running',
    help: 'Re-score jobs this process is working on',
    registers: [registry],
  }),
  webhookDeliveries: new Counter({
    name: 'webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
};
