import { createHash } from 'node:crypto';
import type { Problem } from '../common/errors';
import { canonicalJson } from '../engine/canonical-json';

/**
 * Parsing of the Segment HTTP tracking API's bodies (https://segment.com/docs/connections/sources/
 * catalog/libraries/server/http-api/), pure: a body becomes checked messages or problems, each naming
 * its field (`batch[3].event`). Nothing here reads the database.
 */
export const INGESTION_LIMITS = {
  /** Segment's limit for one message, in bytes of JSON. */
  maxMessageBytes: 32 * 1024,
  /** Segment's limit for a batch request, in bytes. */
  maxBatchBytes: 500 * 1024,
  /** Messages in one batch: bounded so that one request is one bounded write (recordActivities' batch cap). */
  maxBatchMessages: 500,
  /** userId, anonymousId (a lead's externalId holds at most 200 characters). */
  maxIdLength: 200,
  maxMessageIdLength: 150,
  maxEventNameLength: 200,
  /** Properties kept on an activity: flat scalar values only, at most this many, strings cut to propertyValue. */
  maxProperties: 50,
  propertyValue: 2000,
  /** Seen message ids are kept this long; a retry arriving later than that would be written again. */
  messageRetentionDays: 30,
  /** Anonymous activities never linked to a lead are dropped after this long. */
  anonymousRetentionDays: 90,
} as const;

export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** A checked message. `occurredAt` is already corrected for the client's clock skew. */
export interface SegmentMessage {
  /** Where it was in the request: `batch[3]`, or `body` for a single-message route. */
  path: string;
  type: MessageType;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  /** track: the event name; page/screen: the page name (null when absent). */
  event: string | null;
  /** page: the page's path (properties.path, context.page.path or the path of properties.url). */
  pagePath: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  occurredAt: Date;
}

export interface ParsedBody {
  messages: SegmentMessage[];
  problems: Problem[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseTime(value: unknown, path: string, problems: Problem[]): Date | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    problems.push({ path, message: 'must be an ISO 8601 date-time such as 2026-12-07T10:00:00.000Z' });
    return null;
  }
  return new Date(value);
}

function identifier(value: unknown, path: string, max: number, problems: Problem[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    problems.push({ path, message: 'must be a string' });
    return null;
  }
  if (!value.trim()) {
    problems.push({ path, message: 'must not be blank' });
    return null;
  }
  if (value.length > max) {
    problems.push({ path, message: `at most ${max} characters` });
    return null;
  }
  return value;
}

function pathOfPage(properties: Record<string, unknown>, context: unknown): string | null {
  if (typeof properties.path === 'string' && properties.path) return properties.path;
  const page = isObject(context) && isObject(context.page) ? context.page : null;
  if (page && typeof page.path === 'string' && page.path) return page.path;
  const url = typeof properties.url === 'string' ? properties.url : page && typeof page.url === 'string' ? page.url : null;
  if (!url) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

/** A message id derived from the content, for senders that give none: a retry of the same message gets the same id. */
function contentMessageId(message: Record<string, unknown>): string {
  const { sentAt: _sentAt, receivedAt: _receivedAt, ...content } = message;
  return `content-${createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 40)}`;
}

/**
 * One message at `path`. `routeType` is the type the route implies (`/v1/track`), null in a batch.
 * `sentAt` is the batch's own when the message has none. The event time is corrected as Segment does:
 * timestamp + (receivedAt - sentAt), so a client whose clock is off by some minutes still lands right.
 */
export function parseMessage(
  raw: unknown,
  path: string,
  routeType: MessageType | null,
  context: { receivedAt: Date; batchSentAt: unknown },
  problems: Problem[],
): SegmentMessage | null {
  if (!isObject(raw)) {
    problems.push({ path, message: 'must be a JSON object' });
    return null;
  }
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > INGESTION_LIMITS.maxMessageBytes) {
    problems.push({ path, message: `is ${size} bytes; a message may be at most ${INGESTION_LIMITS.maxMessageBytes} bytes (32 KB)` });
    return null;
  }
  const before = problems.length;
  let type: MessageType | null = routeType;
  if (raw.type !== undefined || routeType === null) {
    if (typeof raw.type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(raw.type))
      problems.push({ path: `${path}.type`, message: `must be one of ${MESSAGE_TYPES.join(', ')}` });
    else if (routeType !== null && raw.type !== routeType)
      problems.push({ path: `${path}.type`, message: `must be "${routeType}" on /v1/${routeType}, or left out` });
    else type = raw.type as MessageType;
  }
  const userId = identifier(raw.userId, `${path}.userId`, INGESTION_LIMITS.maxIdLength, problems);
  const anonymousId = identifier(raw.anonymousId, `${path}.anonymousId`, INGESTION_LIMITS.maxIdLength, problems);
  if (userId === null && anonymousId === null && raw.userId == null && raw.anonymousId == null)
    problems.push({ path: `${path}.userId`, message: 'give a userId or an anonymousId' });
  let messageId = identifier(raw.messageId, `${path}.messageId`, INGESTION_LIMITS.maxMessageIdLength, problems);
  for (const field of ['properties', 'traits', 'context'] as const) {
    if (raw[field] !== undefined && raw[field] !== null && !isObject(raw[field]))
      problems.push({ path: `${path}.${field}`, message: 'must be a JSON object' });
  }
  const properties = isObject(raw.properties) ? raw.properties : {};
  const traits = isObject(raw.traits) ? raw.traits : {};
  let event: string | null = null;
  if (type === 'track') {
    if (typeof raw.event !== 'string' || !raw.event.trim())
      problems.push({ path: `${path}.event`, message: 'is required: the event name' });
    else if (raw.event.length > INGESTION_LIMITS.maxEventNameLength)
      problems.push({ path: `${path}.event`, message: `at most ${INGESTION_LIMITS.maxEventNameLength} characters` });
    else event = raw.event.trim();
  } else if (type === 'page' || type === 'screen') {
    if (raw.name !== undefined && raw.name !== null) {
      if (typeof raw.name !== 'string' || raw.name.length > INGESTION_LIMITS.maxEventNameLength)
        problems.push({ path: `${path}.name`, message: `must be a string of at most ${INGESTION_LIMITS.maxEventNameLength} characters` });
      else event = raw.name;
    }
  }
  const timestamp = parseTime(raw.timestamp, `${path}.timestamp`, problems);
  const ownSentAt = parseTime(raw.sentAt, `${path}.sentAt`, problems);
  const sentAt = ownSentAt ?? parseTime(context.batchSentAt, 'sentAt', problems);
  if (problems.length > before || type === null) return null;
  messageId ??= contentMessageId(raw);
  const skewMs = sentAt ? context.receivedAt.getTime() - sentAt.getTime() : 0;
  const occurredAt = timestamp ? new Date(timestamp.getTime() + skewMs) : context.receivedAt;
  return {
    path,
    type,
    messageId,
    userId,
    anonymousId,
    event,
    pagePath: type === 'page' ? pathOfPage(properties, raw.context) : null,
    properties,
    traits,
    occurredAt,
  };
}

/** A single-message route's body (`/v1/track`, `/v1/identify`, `/v1/page`). */
export function parseSingle(body: unknown, routeType: MessageType, receivedAt: Date): ParsedBody {
  const problems: Problem[] = [];
  const message = parseMessage(body, 'body', routeType, { receivedAt, batchSentAt: undefined }, problems);
  return { messages: message ? [message] : [], problems };
}

/** A `/v1/batch` body: `{ batch: [...], sentAt?, context? }`. */
export function parseBatch(body: unknown, receivedAt: Date): ParsedBody {
  const problems: Problem[] = [];
  if (!isObject(body)) return { messages: [], problems: [{ path: 'body', message: 'must be a JSON object with a "batch" list' }] };
  if (!Array.isArray(body.batch)) return { messages: [], problems: [{ path: 'batch', message: 'must be a list of messages' }] };
  if (body.batch.length === 0) return { messages: [], problems: [{ path: 'batch', message: 'give at least one message' }] };
  if (body.batch.length > INGESTION_LIMITS.maxBatchMessages) {
    const message = `at most ${INGESTION_LIMITS.maxBatchMessages} messages per batch, got ${body.batch.length}`;
    return { messages: [], problems: [{ path: 'batch', message }] };
  }
  const messages: SegmentMessage[] = [];
  body.batch.forEach((raw, index) => {
    const message = parseMessage(raw, `batch[${index}]`, null, { receivedAt, batchSentAt: body.sentAt }, problems);
    if (message) messages.push(message);
  });
  return { messages, problems };
}

/**
 * An activity's properties from a message's: flat scalar values only (nested objects and lists are
 * left out, as the activity store keeps flat properties), at most maxProperties, strings cut.
 */
export function activityProperties(message: SegmentMessage): Record<string, string | number | boolean | null> {
  const kept: Record<string, string | number | boolean | null> = {};
  let count = 0;
  for (const [name, value] of Object.entries(message.properties)) {
    if (count >= INGESTION_LIMITS.maxProperties) break;
    if (name.length > 100) continue;
    if (value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) kept[name] = value;
    else if (typeof value === 'string') kept[name] = value.slice(0, INGESTION_LIMITS.propertyValue);
    else continue;
    count += 1;
  }
  if (message.pagePath !== null && !('path' in kept) && count < INGESTION_LIMITS.maxProperties)
    kept.path = message.pagePath.slice(0, INGESTION_LIMITS.propertyValue);
  return kept;
}
