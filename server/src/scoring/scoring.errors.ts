export enum ScoringErrorCode {
  InvalidDecayPass = 'INVALID_DECAY_PASS',
  InvalidDecayPreview = 'INVALID_DECAY_PREVIEW',
  InvalidCursor = 'INVALID_CURSOR',
  InvalidHistoryQuery = 'INVALID_HISTORY_QUERY',
}
