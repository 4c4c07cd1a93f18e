import { Gauge, Histogram } from 'prom-client';
import { registry } from '../observability/metrics';

const waiting = new Gauge({
  name: 'record_activity_waiting',
  help: 'recordActivity requests waiting for a write slot (their shared transaction not started yet)',
  registers: [registry],
});
const waitingPeak = new Gauge({
  name: 'record_activity_waiting_peak',
  help: 'The most recordActivity requests that waited for a write slot at once since this process started',
  registers: [registry],
});
const batchSize = new Histogram({
  name: 'record_activity_batch_size',
  help: 'recordActivity requests written by one shared transaction (group commit)',
  buckets: [1, 2, 5, 10, 20, 50, 100],
  registers: [registry],
});

let now = 0;
let peak = 0;

/** Prometheus metrics of recordActivity's group commit: what queues under a burst, and how it is shared. */
export const activityMetrics = {
  /** A request joined the queue of the next shared transaction. */
  queued(): void {
    now += 1;
    waiting.set(now);
    if (now > peak) {
      peak = now;
      waitingPeak.set(peak);
    }
  },
  /** A shared transaction of `size` queued requests starts. */
  started(size: number): void {
    now -= size;
    waiting.set(now);
    batchSize.observe(size);
  },
};
