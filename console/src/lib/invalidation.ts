/**
 * Which cached queries a mutation makes stale, by operation name. A mutation not listed here
 * invalidates every query: a stale screen is worse than a refetch too many.
 */
/** Views that show scores: a publish, a rollback or a segment change moves them (leads and accounts). */
const SCORES = ['Leads', 'Lead', 'Accounts', 'Account', 'AccountHistory'];

const AFFECTS: Record<string, string[]> = {
  SignIn: [],
  SignOut: [],
  CreateApiKey: ['ApiKeys', 'AuditLog'],
  RevokeApiKey: ['ApiKeys', 'AuditLog'],
  CreateDraft: ['RuleSet', 'RuleSets', 'AuditLog'],
  SaveDraft: ['Version', 'RuleSet', 'RuleSets', 'RuleSetDiff', 'VersionReviews', 'AuditLog'],
  SubmitForReview: ['Version', 'VersionReviews', 'RuleSet', 'RuleSets', 'AuditLog'],
  ApproveVersion: ['Version', 'VersionReviews', 'RuleSet', 'RuleSets', 'AuditLog'],
  RequestChanges: ['Version', 'VersionReviews', 'RuleSet', 'RuleSets', 'AuditLog'],
  PublishVersion: ['Version', 'VersionReviews', 'RuleSet', 'RuleSets', 'RuleSetDiff', ...SCORES, 'AuditLog'],
  Rollback: ['Version', 'RuleSet', 'RuleSets', 'RuleSetDiff', ...SCORES, 'AuditLog'],
  SetRuleSetSegments: ['RuleSet', 'RuleSets', ...SCORES, 'AuditLog'],
  RunBacktest: ['BacktestRuns', 'VersionBacktests', 'BacktestCohorts'],
  RefreshCohort: ['BacktestCohorts', 'CohortFreshness'],
  ApplyBacktestSuggestions: ['RuleSet', 'RuleSets', 'AuditLog'],
};

/** The query names a mutation affects, or null for "all of them". */
export function queriesAffectedBy(mutation: string): string[] | null {
  return AFFECTS[mutation] ?? null;
}
