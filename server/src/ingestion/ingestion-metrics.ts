import { Counter } from 'prom-client';
import { registry } from '../observability/metrics';
import type { IngestResult } from './ingestion.service';

const messages = new Counter({
  name: 'tracking_messages_total',
  help: 'Tracking API messages by outcome (recorded, anonymous, duplicate, unmapped, ignored)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
const unknownTraits = new Counter({
  name: 'tracking_unknown_traits_total',
  help: 'identify traits that map to no catalog attribute (left out)',
  registers: [registry],
});
const refused = new Counter({
  name: 'tracking_requests_refused_total',
  help: 'Tracking API requests refused, by HTTP status',
  labelNames: ['status'] as const,
  registers: [registry],
});

/** Prometheus counters of the tracking API (served at /metrics with the others). */
export const ingestionMetrics = {
  record(result: IngestResult): void {
    messages.inc({ outcome: 'recorded' }, result.activitiesRecorded);
    messages.inc({ outcome: 'anonymous' }, result.anonymousKept);
    messages.inc({ outcome: 'duplicate' }, result.duplicates);
    messages.inc({ outcome: 'unmapped' }, result.unmappedEvents);
    messages.inc({ outcome: 'ignored' }, result.ignoredMessages);
    unknownTraits.inc(result.unknownTraits);
  },
  refused(status: number): void {
    refused.inc({ status: String(status) });
  },
};
