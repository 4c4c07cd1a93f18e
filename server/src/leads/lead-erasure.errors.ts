export enum LeadErasureErrorCode {
  InvalidErasure = 'INVALID_ERASURE',
}
