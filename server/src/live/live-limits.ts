/**
 * What one client may hold open on the live endpoint (WebSocket /graphql). Documented in the
 * README's "Live updates" section; each refusal says which limit it met.
 */
export const LIVE_LIMITS = {
  /** Subscriptions open at once on one connection; one more gets a TOO_MANY_SUBSCRIPTIONS error. */
  maxSubscriptionsPerConnection: 20,
  /** Connections one user or API key holds at once in one process; one more is closed with 1013 (try again later). */
  maxConnectionsPerPrincipal: 20,
  /** Connections one process accepts at all; beyond, the upgrade is answered 503. */
  maxConnections: 10_000,
  /** Messages a client may send per window (subscribe, complete, ping...); beyond, closed with 1008. */
  maxMessagesPerWindow: 100,
  messageWindowMs: 10_000,
  /** One client message (a subscribe with its document and variables). */
  maxMessageBytes: 64 * 1024,
  /** Events waiting to be sent to one subscription; beyond, the oldest are dropped (a score's latest value wins). */
  maxQueuedEvents: 100,
  /** How long a live ticket may wait before it is redeemed. */
  ticketTtlMs: 60_000,
  /** Lead ids whose list membership one statement checks. */
  membershipBatch: 1000,
} as const;

/**
 * Close codes of the live endpoint. 4401 follows graphql-ws (its client does not retry it); 1013
 * and 1001 are retried by the client with backoff; 1008 is not.
 */
export enum LiveCloseCode {
  /** No, bad, expired or revoked credentials; a signed-out session or a revoked key. */
  Unauthorized = 4401,
  /** Too many connections for this user or key (or this process). */
  TryAgainLater = 1013,
  /** More messages than the rate allows. */
  PolicyViolation = 1008,
  /** The server is shutting down. */
  GoingAway = 1001,
}

/** The NOTIFY channel every process listens on (see migrations/1764050000020-live-updates.ts). */
export const LIVE_CHANNEL = 'leadscore_live';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; ours stay below this. */
export const NOTIFY_PAYLOAD_BYTES = 7900;
