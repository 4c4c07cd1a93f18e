import type { DataSource, EntityManager } from 'typeorm';
import type { ActivityService, RecordActivityData } from '../activities/activity.service';
import { type ActivityCatalog, storedActivityType } from '../activities/activity-catalog';
import { ACTIVITY_LIMITS, type SuggestionBudget, validate as validateActivity } from '../activities/activity-validation';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { InvalidInputError, type Problem, RateLimitedError } from '../common/errors';
import type { LeadService, UpsertLeadData } from '../leads/lead.service';
import { ActivityBatcher } from './activity-batcher';
import { IngestionErrorCode } from './ingestion.errors';
import {
  ensureConfig,
  externalIdsByEmail,
  finishBatch,
  linkIdentities,
  type NewAnonymous,
  pendingAnonymous,
  purgeExpired,
  readConfig,
  readKnownState,
  writeConfig,
} from './ingestion-store';
import { ingestionMetrics } from './ingestion-metrics';
import { activityItemProblems, activityOf } from './message-activity';
import type { ParsedBody, SegmentMessage } from './segment-message';
import { type CompiledConfig, compileConfig, configProblems, DEFAULT_TRACKING_CONFIG, type TrackingConfig } from './tracking-config';
import { mapTraits } from './trait-mapping';

/** What a request did, message by message, summed: the tracking API's response body. */
export interface IngestResult {
  received: number;
  /** Messages whose messageId this write key had already sent (or sent twice in the request): nothing written again. */
  duplicates: number;
  /** Activities recorded for identified leads (those attached from anonymous history included). */
  activitiesRecorded: number;
  /** Activities kept for anonymous visitors until an identify links them to a lead. */
  anonymousKept: number;
  /** Activities of anonymous visitors attached to a lead by an identify of this request. */
  anonymousAttached: number;
  leadsUpserted: number;
  /** track/page events no mapping matched (settings: unmappedEvents IGNORE). */
  unmappedEvents: number;
  /** Traits with no attribute of that name and no trait mapping. */
  unknownTraits: number;
  /** screen, group and alias messages, and identifies without userId or email: accepted, nothing to write. */
  ignoredMessages: number;
}

/** recordActivities calls the tracking API runs at once per process; requests arriving meanwhile share the next (ActivityBatcher). */
export const INGESTION_WRITERS = 2;

export interface IngestionOptions {
  /** recordActivities calls run at once (default INGESTION_WRITERS). */
  writers?: number;
}

/**
 * Requests waiting for a writer at most; beyond, new requests get a 429 with Retry-After (before
 * writing anything), which Segment clients retry: memory stays bounded under a burst.
 */
const MAX_WAITING_REQUESTS = 64;

/** How long the configuration is kept in memory: a change made in another process applies within this. */
const CONFIG_CACHE_MS = 5_000;
/** Anonymous history attached by one request at most; the rest is attached by the identifies that follow. */
const MAX_ATTACHED_PER_REQUEST = ACTIVITY_LIMITS.maxBatch;
const PURGE_EVERY_MS = 60 * 60 * 1000;
const PURGE_ROWS = 10_000;

interface Planned {
  message: SegmentMessage;
  activity?: { type: string; properties: Record<string, unknown> };
  traits?: { email: string | null | undefined; attributes: Record<string, unknown>; accountExternalId?: string };
}

/**
 * The Segment-compatible tracking API. A request is checked whole before anything is written (any
 * problem: a 400 naming each field, nothing written); then identifies upsert their leads, activities
 * of identified users are recorded through ActivityService.recordActivities (one transaction,
 * re-scored there), anonymous ones are kept until an identify links them, and every handled messageId
 * is remembered. Each step is idempotent by messageId, so a request interrupted by a failure (5xx)
 * and retried by the client ends written exactly once.
 */
export class IngestionService {
  private configCache: { at: number; compiled: Promise<CompiledConfig> } | null = null;
  private lastPurge = 0;
  private readonly writer: ActivityBatcher;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leads: LeadService,
    private readonly activities: ActivityService,
    private readonly audit: AuditService,
    options: IngestionOptions = {},
  ) {
    this.writer = new ActivityBatcher((items) => this.activities.recordActivities(items), {
      maxItems: ACTIVITY_LIMITS.maxBatch,
      writers: options.writers ?? INGESTION_WRITERS,
      maxWaiting: MAX_WAITING_REQUESTS,
    });
  }

  /** On first start, installs DEFAULT_TRACKING_CONFIG (a configuration already there is kept). */
  async ensureDefaultConfig(manager: EntityManager): Promise<void> {
    await ensureConfig(manager, DEFAULT_TRACKING_CONFIG);
  }

  async trackingConfig(): Promise<TrackingConfig> {
    return (await readConfig(this.dataSource)) ?? DEFAULT_TRACKING_CONFIG;
  }

  /** Replaces the whole configuration (checked against the activity and attribute catalogs), audited. */
  async setTrackingConfig(actor: Actor, config: TrackingConfig): Promise<TrackingConfig> {
    const [catalog, activityCatalog] = await Promise.all([this.leads.attributeCatalog(), this.activities.activityCatalog()]);
    const problems = configProblems(config, {
      activityTypeProblem: (type) => activityTypeProblem(type, activityCatalog),
      attributes: new Set(catalog.keys()),
    });
    if (problems.length) throw InvalidInputError.of(IngestionErrorCode.InvalidTrackingConfig, problems);
    const before = await this.trackingConfig();
    await this.dataSource.transaction(async (manager) => {
      await writeConfig(manager, config, actor.name);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'tracking.config_changed',
        entityType: 'tracking_config',
        entityId: '1',
        // Starts with its verb: the console's audit log reads it as a sentence.
        summary: `Changed the tracking configuration: ${config.eventMappings.length} event mappings, ${config.traitMappings.length} trait mappings, unmapped events ${config.unmappedEvents}`,
        before,
        after: config,
        requestId: actor.requestId ?? null,
      });
    });
    this.configCache = null;
    return config;
  }

  private compiledConfig(): Promise<CompiledConfig> {
    if (!this.configCache || Date.now() - this.configCache.at > CONFIG_CACHE_MS) {
      const compiled = this.trackingConfig().then(compileConfig);
      compiled.catch(() => {
        this.configCache = null;
      });
      this.configCache = { at: Date.now(), compiled };
    }
    return this.configCache.compiled;
  }

  async ingest(apiKeyId: string, parsed: ParsedBody): Promise<IngestResult> {
    const [config, catalog, activityCatalog] = await Promise.all([
      this.compiledConfig(),
      this.leads.attributeCatalog(),
      this.activities.activityCatalog(),
    ]);
    const result: IngestResult = {
      received: parsed.messages.length,
      duplicates: 0,
      activitiesRecorded: 0,
      anonymousKept: 0,
      anonymousAttached: 0,
      leadsUpserted: 0,
      unmappedEvents: 0,
      unknownTraits: 0,
      ignoredMessages: 0,
    };

    // 1. Check everything first: nothing is written when one message is wrong; every problem is reported.
    const problems: Problem[] = [...parsed.problems];
    const now = new Date();
    const planned: Planned[] = [];
    const inRequest = new Set<string>();
    // One allowance of "did you mean" searches for the whole request, not one per message.
    const suggestions: SuggestionBudget = { left: ACTIVITY_LIMITS.suggestionsPerRequest };
    for (const message of parsed.messages) {
      if (inRequest.has(message.messageId)) {
        result.duplicates += 1;
        continue;
      }
      inRequest.add(message.messageId);
      if (message.type === 'identify') {
        const traits = mapTraits(message.traits, catalog, config.traitAttribute, message.path, problems);
        result.unknownTraits += traits.unknownTraits;
        planned.push({ message, traits });
      } else if (message.type === 'track' || message.type === 'page') {
        const type = config.activityTypeOf(message);
        if (type === null) {
          if (config.config.unmappedEvents === 'REFUSE') {
            const what =
              message.type === 'track' ? `event "${message.event}"` : `page ${JSON.stringify(message.pagePath ?? message.event)}`;
            problems.push({
              path: `${message.path}.${message.type === 'track' ? 'event' : 'properties.path'}`,
              message: `no event mapping matches ${what}, and unmapped events are refused (setTrackingConfig)`,
            });
          }
          result.unmappedEvents += 1;
          planned.push({ message });
          continue;
        }
        const activity = activityOf(message, type, activityCatalog);
        problems.push(...activityItemProblems(message, activity, now, activityCatalog, suggestions));
        planned.push({ message, activity });
      } else {
        result.ignoredMessages += 1;
        planned.push({ message });
      }
    }
    if (problems.length) throw InvalidInputError.of(IngestionErrorCode.InvalidMessage, inMessageOrder(problems));

    if (this.writer.full)
      throw new RateLimitedError(IngestionErrorCode.Busy, 'Too many tracking requests are waiting to be written; retry in a second', 1);

    // 2. What is known already: message ids this key sent, leads, anonymous ids linked to leads.
    const userIds = new Set<string>();
    const anonymousIds = new Set<string>();
    for (const { message } of planned) {
      if (message.userId !== null) userIds.add(message.userId);
      if (message.anonymousId !== null) anonymousIds.add(message.anonymousId);
    }
    const known = await readKnownState(
      this.dataSource,
      apiKeyId,
      activityKey(apiKeyId, ''),
      [...inRequest],
      [...userIds],
      [...anonymousIds],
    );
    const fresh = planned.filter(({ message }) => !known.seen.has(message.messageId));
    result.duplicates += planned.length - fresh.length;

    // 3. Leads: each identify's traits (merged in order per lead), and a lead for each new userId,
    // written by one bulk upsert (one transaction, each lead scored once); anonymous ids linked.
    const upserts = new Map<string, UpsertLeadData>();
    const newLinks = new Map<string, string>();
    const byEmail = await externalIdsByEmail(
      this.dataSource,
      fresh.flatMap(({ message, traits }) =>
        message.type === 'identify' && message.userId === null && traits?.email ? [traits.email] : [],
      ),
    );
    for (const { message, traits } of fresh) {
      if (message.type !== 'identify' || !traits) continue;
      const externalId = message.userId ?? (traits.email ? (byEmail.get(traits.email.toLowerCase()) ?? traits.email) : null);
      if (externalId === null) {
        result.ignoredMessages += 1;
        continue;
      }
      const before = upserts.get(externalId);
      upserts.set(externalId, {
        ...before,
        externalId,
        ...(traits.email !== undefined ? { email: traits.email } : {}),
        ...(traits.accountExternalId !== undefined ? { accountExternalId: traits.accountExternalId } : {}),
        attributes: { ...before?.attributes, ...traits.attributes },
      });
      if (message.anonymousId !== null && known.identities.get(message.anonymousId) !== externalId) {
        newLinks.set(message.anonymousId, externalId);
        known.identities.set(message.anonymousId, externalId);
      }
    }
    const ownerOf = (message: SegmentMessage) =>
      message.userId ?? (message.anonymousId !== null ? known.identities.get(message.anonymousId) : undefined);
    for (const { message, activity } of fresh) {
      const externalId = activity ? ownerOf(message) : undefined;
      if (externalId !== undefined && !known.existingLeads.has(externalId) && !upserts.has(externalId))
        upserts.set(externalId, { externalId });
    }
    if (upserts.size > 0) await this.leads.upsertLeads([...upserts.values()], true);
    result.leadsUpserted = upserts.size;
    await linkIdentities(this.dataSource, newLinks);

    // 4. Activities: a userId's, an anonymous id's linked lead's, or kept anonymous.
    const items: RecordActivityData[] = [];
    /** Messages recorded as activities: remembered by the activity's idempotency key, not in ingestion_message. */
    const asActivities = new Set<string>();
    const kept: NewAnonymous[] = [];
    for (const { message, activity } of fresh) {
      if (!activity) continue;
      const externalId = ownerOf(message);
      if (externalId === undefined) {
        kept.push({
          anonymousId: message.anonymousId as string,
          messageId: message.messageId,
          type: activity.type,
          occurredAt: message.occurredAt.toISOString(),
          properties: activity.properties,
        });
        continue;
      }
      asActivities.add(message.messageId);
      items.push({
        leadExternalId: externalId,
        type: activity.type,
        occurredAt: message.occurredAt,
        idempotencyKey: activityKey(apiKeyId, message.messageId),
        properties: activity.properties,
      });
    }
    const attached = await pendingAnonymous(this.dataSource, [...newLinks.keys()], MAX_ATTACHED_PER_REQUEST);
    let attachable = 0;
    for (const pending of attached) {
      const item: RecordActivityData = {
        leadExternalId: newLinks.get(pending.anonymousId) as string,
        type: pending.type,
        occurredAt: new Date(pending.occurredAt),
        idempotencyKey: activityKey(pending.apiKeyId, pending.messageId),
        properties: pending.properties,
      };
      // Its type may have been retired (or redefined) since it was kept: dropped, not failing the identify.
      if (validateActivity(item, 'pending', now, activityCatalog).length > 0) continue;
      items.push(item);
      attachable += 1;
    }
    for (let start = 0; start < items.length; start += ACTIVITY_LIMITS.maxBatch) {
      const recorded = await this.writer.write(items.slice(start, start + ACTIVITY_LIMITS.maxBatch));
      result.activitiesRecorded += recorded.filter((entry) => !entry.duplicate).length;
    }
    result.anonymousAttached = attachable;
    result.ignoredMessages += attached.length - attachable;
    result.anonymousKept = kept.length;

    // 5. Remember what was handled (and keep the anonymous activities) in one statement; messages
    // recorded as activities are remembered by their activity's key (readKnownState), no row here.
    await finishBatch(
      this.dataSource,
      apiKeyId,
      kept,
      attached.map((pending) => pending.id),
      fresh.flatMap(({ message }) => (asActivities.has(message.messageId) ? [] : [message.messageId])),
    );
    ingestionMetrics.record(result);
    this.purgeNowAndThen();
    return result;
  }

  /** Expired message ids and anonymous activities go at most once an hour per process, in bounded steps, off the request. */
  private purgeNowAndThen(): void {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    purgeExpired(this.dataSource, PURGE_ROWS).catch(() => {
      this.lastPurge = 0; // try again with a later request
    });
  }
}

/** Problems sorted by the message they concern (`batch[3]...`), stable within a message. */
function inMessageOrder(problems: Problem[]): Problem[] {
  const indexOf = (problem: Problem) => Number(/^batch\[(\d+)\]/.exec(problem.path)?.[1] ?? -1);
  return problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => indexOf(a.problem) - indexOf(b.problem) || a.order - b.order)
    .map(({ problem }) => problem);
}

/** The activity's idempotency key: one per write key and messageId, so a retried message is a duplicate. */
export function activityKey(apiKeyId: string, messageId: string): string {
  return `segment:${apiKeyId}:${messageId}`;
}

/** Whether ActivityService would accept this type (its own validation, so both agree). */
function activityTypeProblem(type: string, catalog: ActivityCatalog): string | null {
  const found = validateActivity(
    { leadExternalId: 'x', type: storedActivityType(type, catalog), occurredAt: new Date(), idempotencyKey: 'x', properties: {} },
    'item',
    new Date(),
    catalog,
  ).find((problem) => problem.path === 'item.type');
  return found ? found.message : null;
}
