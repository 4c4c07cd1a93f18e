import type { Problem } from '../common/errors';
import type { SegmentMessage } from './segment-message';

/**
 * What the tracking API does with events and traits, pure: ordered event mappings (the first that
 * matches a message decides its activity type), what to do with events no mapping matches, and
 * trait names mapped to catalog attributes. Stored as one row (ingestion-store.ts), changed through
 * GraphQL (setTrackingConfig).
 */
export const UNMAPPED_EVENT_POLICIES = ['IGNORE', 'REFUSE'] as const;
export type UnmappedEventPolicy = (typeof UNMAPPED_EVENT_POLICIES)[number];

export const MAPPED_KINDS = ['track', 'page'] as const;
export type MappedKind = (typeof MAPPED_KINDS)[number];

export interface EventMapping {
  /** track: matched on the event name; page: on the page name and/or path. */
  kind: MappedKind;
  /** track: the event name (required); page: the page name (optional). Compared case-insensitively. */
  event: string | null;
  /** page only: a path pattern where `*` matches anything (`/pricing*`), case-insensitive. */
  path: string | null;
  /** Optional condition on a property: the mapping applies only when properties[property] equals value (as text). */
  property: string | null;
  value: string | null;
  activityType: string;
}

export interface TraitMapping {
  trait: string;
  attribute: string;
}

export interface TrackingConfig {
  unmappedEvents: UnmappedEventPolicy;
  eventMappings: EventMapping[];
  traitMappings: TraitMapping[];
}

export const TRACKING_CONFIG_LIMITS = { maxEventMappings: 200, maxTraitMappings: 200, maxText: 200 } as const;

const mapping = (kind: MappedKind, event: string | null, path: string | null, activityType: string): EventMapping => ({
  kind,
  event,
  path,
  property: null,
  value: null,
  activityType,
});

/** Installed on first start: Segment's spec'd event names (B2B SaaS, e-mail, video) and the pages that matter. */
export const DEFAULT_TRACKING_CONFIG: TrackingConfig = {
  unmappedEvents: 'IGNORE',
  eventMappings: [
    mapping('track', 'Demo Requested', null, 'demo_request'),
    mapping('track', 'Trial Started', null, 'trial_signup'),
    mapping('track', 'Signed Up', null, 'trial_signup'),
    mapping('track', 'Form Submitted', null, 'form_submission'),
    mapping('track', 'Email Opened', null, 'email_open'),
    mapping('track', 'Email Link Clicked', null, 'email_click'),
    mapping('track', 'Email Bounced', null, 'email_bounce'),
    mapping('track', 'Unsubscribed', null, 'unsubscribe'),
    mapping('track', 'Content Downloaded', null, 'content_download'),
    mapping('track', 'Webinar Registered', null, 'webinar_registration'),
    mapping('track', 'Webinar Attended', null, 'webinar_attendance'),
    mapping('track', 'Event Attended', null, 'event_attendance'),
    mapping('track', 'Live Chat Conversation Started', null, 'chat'),
    mapping('track', 'Call Completed', null, 'call'),
    mapping('page', null, '/pricing*', 'pricing_page_view'),
    mapping('page', null, '*', 'page_view'),
  ],
  traitMappings: [
    { trait: 'title', attribute: 'jobTitle' },
    { trait: 'employees', attribute: 'companySize' },
  ],
};

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** A config made ready for matching: patterns compiled once per config version. */
export interface CompiledConfig {
  config: TrackingConfig;
  /** The activity type for a track or page message; null when no mapping matches. */
  activityTypeOf(message: SegmentMessage): string | null;
  /** Catalog attribute by trait name (the trait mappings; a trait with an attribute's own name maps to it). */
  traitAttribute: Map<string, string>;
}

export function compileConfig(config: TrackingConfig): CompiledConfig {
  const rules = config.eventMappings.map((entry) => ({
    entry,
    event: entry.event?.toLowerCase() ?? null,
    path: entry.path ? globToRegExp(entry.path) : null,
  }));
  return {
    config,
    traitAttribute: new Map(config.traitMappings.map((entry) => [entry.trait, entry.attribute])),
    activityTypeOf(message) {
      const kind = message.type === 'track' ? 'track' : message.type === 'page' ? 'page' : null;
      if (!kind) return null;
      const name = message.event?.toLowerCase() ?? null;
      for (const { entry, event, path } of rules) {
        if (entry.kind !== kind) continue;
        if (event !== null && event !== name) continue;
        if (path !== null && !(message.pagePath !== null && path.test(message.pagePath))) continue;
        if (entry.property !== null) {
          const actual = message.properties[entry.property];
          if (actual === undefined || actual === null || String(actual) !== entry.value) continue;
        }
        return entry.activityType;
      }
      return null;
    },
  };
}

/**
 * What is wrong with a config, each problem at its path (`input.eventMappings[2].event`). Activity
 * types and attributes are checked against the catalogs passed in.
 */
export function configProblems(
  config: TrackingConfig,
  catalogs: { activityTypeProblem(type: string): string | null; attributes: ReadonlySet<string> },
): Problem[] {
  const problems: Problem[] = [];
  const text = (value: string | null, path: string, required: boolean) => {
    if (value === null || value === undefined) {
      if (required) problems.push({ path, message: 'is required' });
    } else if (!value.trim() || value.length > TRACKING_CONFIG_LIMITS.maxText)
      problems.push({ path, message: `must be 1 to ${TRACKING_CONFIG_LIMITS.maxText} characters` });
  };
  if (!(UNMAPPED_EVENT_POLICIES as readonly string[]).includes(config.unmappedEvents))
    problems.push({ path: 'input.unmappedEvents', message: `must be one of ${UNMAPPED_EVENT_POLICIES.join(', ')}` });
  if (config.eventMappings.length > TRACKING_CONFIG_LIMITS.maxEventMappings)
    problems.push({ path: 'input.eventMappings', message: `at most ${TRACKING_CONFIG_LIMITS.maxEventMappings} mappings` });
  config.eventMappings.slice(0, TRACKING_CONFIG_LIMITS.maxEventMappings).forEach((entry, index) => {
    const path = `input.eventMappings[${index}]`;
    if (!(MAPPED_KINDS as readonly string[]).includes(entry.kind))
      problems.push({ path: `${path}.kind`, message: `must be one of ${MAPPED_KINDS.join(', ')}` });
    text(entry.event, `${path}.event`, entry.kind === 'track');
    if (entry.kind === 'track' && entry.path !== null)
      problems.push({ path: `${path}.path`, message: 'applies to page mappings only; a track mapping matches the event name' });
    else text(entry.path, `${path}.path`, false);
    if (entry.kind === 'page' && entry.event === null && entry.path === null)
      problems.push({ path: `${path}.path`, message: 'give a path pattern (e.g. "/pricing*", or "*" for every page) or a page name' });
    text(entry.property, `${path}.property`, false);
    if ((entry.property === null) !== (entry.value === null))
      problems.push({ path: `${path}.value`, message: 'give both property and value, or neither' });
    else text(entry.value, `${path}.value`, false);
    const typeProblem = catalogs.activityTypeProblem(entry.activityType);
    if (typeProblem) problems.push({ path: `${path}.activityType`, message: typeProblem });
  });
  if (config.traitMappings.length > TRACKING_CONFIG_LIMITS.maxTraitMappings)
    problems.push({ path: 'input.traitMappings', message: `at most ${TRACKING_CONFIG_LIMITS.maxTraitMappings} mappings` });
  const seen = new Set<string>();
  config.traitMappings.slice(0, TRACKING_CONFIG_LIMITS.maxTraitMappings).forEach((entry, index) => {
    const path = `input.traitMappings[${index}]`;
    text(entry.trait, `${path}.trait`, true);
    if (seen.has(entry.trait)) problems.push({ path: `${path}.trait`, message: `"${entry.trait}" is mapped twice` });
    seen.add(entry.trait);
    if (entry.trait === 'email') problems.push({ path: `${path}.trait`, message: 'email always sets the lead email' });
    if (!catalogs.attributes.has(entry.attribute))
      problems.push({
        path: `${path}.attribute`,
        message: `"${entry.attribute}" is not in the attribute catalog; known: ${[...catalogs.attributes].sort().join(', ')}`,
      });
  });
  return problems;
}
