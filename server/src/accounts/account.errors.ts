export enum AccountErrorCode {
  AccountNotFound = 'ACCOUNT_NOT_FOUND',
  /** moveLeadToAccount of a lead that does not exist. */
  LeadNotFound = 'LEAD_NOT_FOUND',
  InvalidAccount = 'INVALID_ACCOUNT',
  InvalidAccountQuery = 'INVALID_ACCOUNT_QUERY',
  InvalidCursor = 'INVALID_CURSOR',
  /** A batch (upsertAccounts) that is empty, too large, or whose items are wrong in different ways. */
  InvalidBatch = 'INVALID_BATCH',
  /** An item of a batch names an account an earlier item names. */
  DuplicateInBatch = 'DUPLICATE_IN_BATCH',
  /** The externalId or domain belongs to another account, or was taken meanwhile. */
  AccountConflict = 'ACCOUNT_CONFLICT',
  /** mergeAccounts of an account with itself, of a merged account, or into one. */
  InvalidMerge = 'INVALID_MERGE',
  /** mergeAccounts whose contacts are too many to re-score in one request. */
  MergeTooLarge = 'MERGE_TOO_LARGE',
  InvalidOutcome = 'INVALID_OUTCOME',
}
