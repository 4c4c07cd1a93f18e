/** Codes of the tracking API's errors (HTTP bodies and GraphQL `extensions.reason`). */
export enum IngestionErrorCode {
  /** A message or the body is malformed, too large, or names an unknown trait value type. */
  InvalidMessage = 'INVALID_MESSAGE',
  /** An event has no mapping and the settings refuse such events. */
  UnmappedEvent = 'UNMAPPED_EVENT',
  /** The tracking configuration given to setTrackingConfig is invalid. */
  InvalidTrackingConfig = 'INVALID_TRACKING_CONFIG',
  /** The write key is missing, unknown, revoked or expired. */
  InvalidWriteKey = 'INVALID_WRITE_KEY',
  /** The write key's API key lacks the leads:write scope. */
  MissingScope = 'MISSING_SCOPE',
  /** Too many requests wait to be written in this process: retry after a second (HTTP 429 with Retry-After). */
  Busy = 'TRACKING_BUSY',
}
