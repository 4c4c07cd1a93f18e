export enum AccountScoringErrorCode {
  /** A `model` argument that names no account model. */
  NotAnAccountModel = 'NOT_AN_ACCOUNT_MODEL',
  /** Account.history(first:) out of range. */
  InvalidHistoryPage = 'INVALID_HISTORY_PAGE',
}
