export enum BacktestErrorCode {
  InvalidBacktest = 'INVALID_BACKTEST',
  CohortNotFound = 'BACKTEST_COHORT_NOT_FOUND',
  RunNotFound = 'BACKTEST_RUN_NOT_FOUND',
  VersionNotFound = 'RULE_SET_VERSION_NOT_FOUND',
  VersionChanged = 'BACKTEST_VERSION_CHANGED',
  NoSuggestions = 'BACKTEST_NO_SUGGESTIONS',
  RunNotCompleted = 'BACKTEST_RUN_NOT_COMPLETED',
  RunNotExportable = 'BACKTEST_RUN_NOT_EXPORTABLE',
  ExportLinkInvalid = 'BACKTEST_EXPORT_LINK_INVALID',
  ForbiddenRole = 'FORBIDDEN_ROLE',
}
