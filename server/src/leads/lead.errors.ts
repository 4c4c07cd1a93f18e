export enum LeadErrorCode {
  LeadNotFound = 'LEAD_NOT_FOUND',
  InvalidLead = 'INVALID_LEAD',
  InvalidAttribute = 'INVALID_ATTRIBUTE',
  InvalidLeadQuery = 'INVALID_LEAD_QUERY',
  InvalidCursor = 'INVALID_CURSOR',
  /** lead(email:) matched several leads. */
  AmbiguousEmail = 'AMBIGUOUS_EMAIL',
  /** A batch (upsertLeads, setLeadOutcomes) that is empty, too large, or whose items are wrong in different ways. */
  InvalidBatch = 'INVALID_BATCH',
  /** An item of a batch repeats an earlier item's lead. */
  DuplicateInBatch = 'DUPLICATE_IN_BATCH',
}
