export enum ActivityErrorCode {
  InvalidActivity = 'INVALID_ACTIVITY',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  BatchTooLarge = 'BATCH_TOO_LARGE',
}
