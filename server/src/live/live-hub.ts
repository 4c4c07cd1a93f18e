import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '../engine/canonical-json';
import { bandFor } from '../engine/grading';
import type { LeadFilterData } from '../leads/lead-filter';
import type { RuleSetService } from '../rulesets/ruleset.service';
import type { RescoreProgress, RescoreService } from '../scoring/rescore/rescore.service';
import type { ScoreReader } from '../scoring/score-reader';
import type { StoredScore } from '../scoring/stored-score';
import type { LiveNotification, ScoreChange } from './live-events';
import { LIVE_LIMITS } from './live-limits';
import { listMembership } from './live-membership';
import { EventQueue } from './live-queue';

export type LeadChangeKind = 'ENTERED' | 'LEFT' | 'CHANGED';

export interface LeadsChangedEvent {
  leadId: string;
  kind: LeadChangeKind;
  score: StoredScore;
}

interface ListGroup {
  filter: LeadFilterData;
  queues: Set<EventQueue<LeadsChangedEvent>>;
}

/**
 * The subscriptions of this process, grouped by what they watch, and the fan-out of what the live
 * channel says: each changed lead's score is read once for all its subscribers, each distinct list
 * filter is checked once per batch of changes, each re-score job read once per progress step.
 * Notifications are handled one after another, in the order they came.
 */
export class LiveHub {
  private readonly leadQueues = new Map<string, Set<EventQueue<StoredScore>>>();
  private readonly lists = new Map<string, ListGroup>();
  private readonly jobQueues = new Map<string, Set<EventQueue<RescoreProgress>>>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly scores: ScoreReader,
    private readonly ruleSets: RuleSetService,
    private readonly rescore: RescoreService,
    private readonly logger: Logger,
  ) {}

  /** Subscriptions open in this process (metrics, tests). */
  get subscriptionCount(): number {
    let count = 0;
    for (const queues of this.leadQueues.values()) count += queues.size;
    for (const group of this.lists.values()) count += group.queues.size;
    for (const queues of this.jobQueues.values()) count += queues.size;
    return count;
  }

  watchLead(leadId: string, beforeEach?: () => void): EventQueue<StoredScore> {
    return this.register(this.leadQueues, leadId, beforeEach);
  }

  watchJob(jobId: string, beforeEach?: () => void): EventQueue<RescoreProgress> {
    return this.register(this.jobQueues, jobId, beforeEach);
  }

  watchList(filter: LeadFilterData, beforeEach?: () => void): EventQueue<LeadsChangedEvent> {
    const key = canonicalJson(filter);
    let group = this.lists.get(key);
    if (!group) {
      group = { filter, queues: new Set() };
      this.lists.set(key, group);
    }
    const queues = group.queues;
    const current = group;
    const queue: EventQueue<LeadsChangedEvent> = new EventQueue(
      LIVE_LIMITS.maxQueuedEvents,
      () => {
        queues.delete(queue);
        if (queues.size === 0 && this.lists.get(key) === current) this.lists.delete(key);
      },
      beforeEach,
    );
    queues.add(queue);
    return queue;
  }

  /** Queues a notification; handled after those before it. */
  handle(notification: LiveNotification): void {
    if (notification.kind === 'credential') return;
    this.chain = this.chain
      .then(() => (notification.kind === 'scores' ? this.scoresChanged(notification.changes) : this.jobProgressed(notification.jobId)))
      .catch((error: unknown) => this.logger.error({ err: error }, 'live updates: an event could not be delivered'));
  }

  /** Resolves when every notification received so far has been handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Ends every subscription (shutdown). */
  finishAll(): void {
    for (const queues of this.leadQueues.values()) for (const queue of [...queues]) queue.finish();
    for (const group of this.lists.values()) for (const queue of [...group.queues]) queue.finish();
    for (const queues of this.jobQueues.values()) for (const queue of [...queues]) queue.finish();
  }

  private register<T>(map: Map<string, Set<EventQueue<T>>>, key: string, beforeEach?: () => void): EventQueue<T> {
    let queues = map.get(key);
    if (!queues) {
      queues = new Set();
      map.set(key, queues);
    }
    const set = queues;
    const queue: EventQueue<T> = new EventQueue(
      LIVE_LIMITS.maxQueuedEvents,
      () => {
        set.delete(queue);
        if (set.size === 0 && map.get(key) === set) map.delete(key);
      },
      beforeEach,
    );
    set.add(queue);
    return queue;
  }

  private async scoresChanged(changes: ScoreChange[]): Promise<void> {
    const watchedByList = this.lists.size > 0;
    const relevant = new Map<string, ScoreChange>();
    for (const change of changes) if (watchedByList || this.leadQueues.has(change.leadId)) relevant.set(change.leadId, change);
    if (relevant.size === 0) return;
    const manager = this.dataSource.manager;
    const leadIds = [...relevant.keys()];
    const current = new Map<string, StoredScore>();
    for (let start = 0; start < leadIds.length; start += LIVE_LIMITS.membershipBatch) {
      for (const [id, score] of await this.scores.currentScores(manager, leadIds.slice(start, start + LIVE_LIMITS.membershipBatch)))
        current.set(id, score);
    }
    for (const [leadId, score] of current) for (const queue of this.leadQueues.get(leadId) ?? []) queue.push(score);
    if (!watchedByList || current.size === 0) return;

    const scored = [...current.keys()];
    const definitions = await this.ruleSets.definitionsOf(manager, new Set([...current.values()].map((score) => score.ruleSetVersionId)));
    for (const group of this.lists.values()) {
      const membership = await listMembership(manager, group.filter, scored);
      for (const [leadId, matches] of membership) {
        const score = current.get(leadId) as StoredScore;
        const before = relevant.get(leadId)?.before ?? null;
        const bands = definitions.get(score.ruleSetVersionId)?.bands;
        const matchedBefore =
          matches.base &&
          before !== null &&
          scorePartMatches(group.filter, { ...before, band: bands ? bandFor(before.total, bands) : score.band });
        const kind: LeadChangeKind | null = matches.now ? (matchedBefore ? 'CHANGED' : 'ENTERED') : matchedBefore ? 'LEFT' : null;
        if (kind) for (const queue of group.queues) queue.push({ leadId, kind, score });
      }
    }
  }

  private async jobProgressed(jobId: string): Promise<void> {
    const queues = this.jobQueues.get(jobId);
    if (!queues) return;
    const job = await this.rescore.getJob(jobId);
    for (const queue of [...queues]) {
      queue.push(job);
      if (job.status !== 'running') queue.finish();
    }
  }
}

/**
 * Whether a previous score met the filter's score criteria. The rule set key is taken as unchanged
 * (a publish re-scores within the same rule set); the band is the previous total's band under the
 * new score's version.
 */
export function scorePartMatches(
  filter: LeadFilterData,
  score: { total: number; cell: string; qualified: boolean; band: string },
): boolean {
  if (filter.cells?.length && !filter.cells.includes(score.cell)) return false;
  if (filter.bands?.length && !filter.bands.includes(score.band)) return false;
  if (filter.qualified != null && filter.qualified !== score.qualified) return false;
  if (filter.minTotal != null && score.total < filter.minTotal) return false;
  if (filter.maxTotal != null && score.total > filter.maxTotal) return false;
  return true;
}
