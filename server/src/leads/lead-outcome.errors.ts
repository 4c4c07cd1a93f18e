export enum LeadOutcomeErrorCode {
  /** An outcome, date or deal value that does not fit the lead or each other. */
  InvalidOutcome = 'INVALID_OUTCOME',
}
