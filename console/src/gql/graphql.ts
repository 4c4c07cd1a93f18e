/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** SCORE_DESC (default): by the total in the given account model (default: the default account model); accounts without a score last. */
export type AccountOrder =
  | 'CREATED_DESC'
  | 'NAME_ASC'
  | 'SCORE_DESC';

/** What a client app may do with its API key. */
export type ApiKeyScope =
  /** Upsert leads and record activities (leads:write). */
  | 'LEADS_WRITE'
  /** Read leads and their scores (scores:read). */
  | 'SCORES_READ';

export type ApplyBacktestSuggestionsInput = {
  /** Add every candidate rule with suggested points. */
  allCandidates?: boolean | null | undefined;
  /** Candidate rules to add (by name); omitted: none. */
  candidates?: Array<string> | null | undefined;
  /** Rules whose suggested points to apply; omitted: every rule with a suggestion. */
  rules?: Array<string> | null | undefined;
  runId: string | number;
  target: SuggestionTargetInput;
};

export type AttributeFilter = {
  name: string;
  /** The attribute equals one of these. */
  values: Array<unknown>;
};

export type AuditFilter = {
  action?: string | null | undefined;
  actor?: string | null | undefined;
  entityId?: string | null | undefined;
  entityType?: string | null | undefined;
  /** Entries at or after this instant. */
  from?: string | null | undefined;
  /** Entries about this rule set (by key) or one of its versions. */
  ruleSetKey?: string | null | undefined;
  /** Entries before this instant (not included). */
  to?: string | null | undefined;
};

/** A lead attribute the cohort’s leads must have, with exactly this value. */
export type BacktestAttributeEqualsInput = {
  name: string;
  /** A string, number or boolean. */
  value: unknown;
};

/** Which historical leads to backtest on, and as of when their facts are taken. */
export type BacktestCohortInput = {
  attributes?: Array<BacktestAttributeEqualsInput> | null | undefined;
  /** Leads created at or after this time... */
  createdFrom: string;
  /** ...and before this one. */
  createdTo: string;
  /** Facts as of this fixed time (at or after createdTo)... Give this or cutoffDaysAfterCreation. */
  cutoffAt?: string | null | undefined;
  /** ...or as of N days after each lead was created. Either way, never after the lead converted or was lost. */
  cutoffDaysAfterCreation?: number | null | undefined;
  segment?: string | null | undefined;
  source?: string | null | undefined;
};

/** How leads still open are counted: as not converted (default), or left out of the metrics. */
export type BacktestOpenLeads =
  | 'EXCLUDED'
  | 'NOT_CONVERTED';

/** How the cohort is split: suggestions are fitted on the training part and judged on the holdout part. */
export type BacktestSplitInput = {
  /** Share of the cohort held out, 0.05 to 0.95; 0.3 by default. */
  holdoutShare?: number | null | undefined;
  /** HASH by default. */
  kind?: BacktestSplitKind | null | undefined;
};

/** HASH: by a hash of the lead id (stable, random-like); TIME: the newest leads (by creation) are held out. */
export type BacktestSplitKind =
  | 'HASH'
  | 'TIME';

export type CreateApiKeyInput = {
  /** When it stops working; never when omitted. */
  expiresAt?: string | null | undefined;
  /** Which client app it is for, e.g. crm-sync. */
  name: string;
  scopes: Array<ApiKeyScope>;
};

export type CreateDraftInput = {
  /** Or copy this version. */
  copyOfVersionId?: string | number | null | undefined;
  /** A definition (from scratch or a file). */
  definition?: Record<string, unknown> | null | undefined;
  note?: string | null | undefined;
  ruleSetKey: string;
};

/** A new saved list. The filter is checked as `leads` checks it; nothing is saved when it is wrong. */
export type CreateLeadListInput = {
  /** At most 500 characters. */
  description?: string | null | undefined;
  /** No filter: every lead. */
  filter?: LeadFilter | null | undefined;
  /** 1 to 100 characters, unique within the team. */
  name: string;
  /** SCORE_DESC by default. */
  orderBy?: LeadOrder | null | undefined;
  /** 1 to 64 characters; by default the creator's owner team, else "everyone". */
  team?: string | null | undefined;
};

/** What a rule awards points to: explicit fit or implicit engagement. */
export type Dimension =
  | 'ENGAGEMENT'
  | 'FIT';

/** ENTERED: the lead now matches the filter and did not; LEFT: it matched and no longer does; CHANGED: it still matches, its score changed. */
export type LeadChangeKind =
  | 'CHANGED'
  | 'ENTERED'
  | 'LEFT';

export type LeadFilter = {
  attributes?: Array<AttributeFilter> | null | undefined;
  bands?: Array<string> | null | undefined;
  /** e.g. ["A1","A2","B1"] */
  cells?: Array<string> | null | undefined;
  maxTotal?: number | null | undefined;
  minTotal?: number | null | undefined;
  /** true: the signed-in user's own leads (false or absent: anyone's). */
  mine?: boolean | null | undefined;
  outcome?: LeadOutcome | null | undefined;
  /** Owned by this owner. */
  ownerId?: string | number | null | undefined;
  qualified?: boolean | null | undefined;
  ruleSetKey?: string | null | undefined;
  /** Prefix of email or externalId. */
  search?: string | null | undefined;
  segment?: string | null | undefined;
};

/** SCORE_DESC (default) lets sales work the list top down. */
export type LeadOrder =
  | 'CREATED_DESC'
  | 'SCORE_ASC'
  | 'SCORE_DESC'
  | 'UPDATED_DESC';

export type LeadOutcome =
  | 'CONVERTED'
  | 'LOST'
  | 'OPEN';

/** USER: a sales user; QUEUE: a named queue of a team. */
export type OwnerKind =
  | 'QUEUE'
  | 'USER';

export type ReviewInput = {
  comment?: string | null | undefined;
  versionId: string | number;
};

/** What a user may do. Admin may do everything. */
export type Role =
  /** Manages users and API keys, and everything else. */
  | 'ADMIN'
  /** Authors and reviews rule sets. */
  | 'MARKETING'
  /** Reads leads and scores; reviews rule sets for sales. */
  | 'SALES'
  /** Reads leads and scores. */
  | 'VIEWER';

/** Backtest a rule set version (versionId) or an unsaved definition on a cohort (a spec, or a prepared cohort’s id). */
export type RunBacktestInput = {
  cohort?: BacktestCohortInput | null | undefined;
  cohortId?: string | number | null | undefined;
  /** Also score the cohort under this version and compare, metric by metric. */
  compareToVersionId?: string | number | null | undefined;
  /** An unsaved rule set definition (e.g. the draft being edited). */
  definition?: Record<string, unknown> | null | undefined;
  openLeads?: BacktestOpenLeads | null | undefined;
  /** Training/holdout split; by a hash of the lead id, 30% held out, by default. */
  split?: BacktestSplitInput | null | undefined;
  versionId?: string | number | null | undefined;
};

export type SaveDraftInput = {
  definition: Record<string, unknown>;
  /** The revision you loaded; a save on a newer revision is a CONFLICT. */
  expectedRevision: number;
  note?: string | null | undefined;
  versionId: string | number;
};

/** What a score model scores: leads (contacts) or accounts. */
export type ScoreSubject =
  | 'ACCOUNT'
  | 'LEAD';

/** Simulate a version (versionId) or an unsaved definition, on a lead or on facts typed by hand. */
export type SimulateInput = {
  /** Days without activity, for decay, with typed facts. */
  daysInactive?: number | null | undefined;
  definition?: Record<string, unknown> | null | undefined;
  facts?: Record<string, unknown> | null | undefined;
  leadExternalId?: string | null | undefined;
  leadId?: string | number | null | undefined;
  versionId?: string | number | null | undefined;
};

/** How many leads the re-tuned qualification threshold should let through: give exactly one. */
export type SuggestionTargetInput = {
  /** Keep the share of the cohort that qualifies today. */
  keepMqlShare?: boolean | null | undefined;
  /** Sales can take this many MQLs a week (given the cohort’s leads per week). */
  mqlsPerWeek?: number | null | undefined;
};

export type AccountsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  orderBy?: AccountOrder | null | undefined;
  model?: string | null | undefined;
  search?: string | null | undefined;
  committee?: number | null | undefined;
}>;


export type AccountsQuery = { accounts: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, domain: string | null, externalId: string | null, contactCount: number, score: { model: string, total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, actionLabel: string } | null, contacts: { edges: Array<{ node: { id: string, email: string | null, externalId: string, attributes: Record<string, unknown>, score: { total: number, cell: string, band: string } | null } }> } }> } };

export type AccountQueryVariables = Exact<{
  id: string | number;
  contacts?: number | null | undefined;
}>;


export type AccountQuery = { account: { id: string, externalId: string | null, domain: string | null, name: string, attributes: Record<string, unknown>, outcome: LeadOutcome, outcomeAt: string | null, contactCount: number, mergedIntoId: string | null, createdAt: string, updatedAt: string, scores: Array<{ model: string, ruleSetKey: string, ruleSetVersion: number, total: number, fit: number, engagement: number, fitGrade: string, engagementLevel: number, cell: string, band: string, qualified: boolean, actionLabel: string, scoredAt: string, lastActivityAt: string | null, reasons: Array<{ rule: string, dimension: Dimension, points: number, label: string, contacts: Array<{ leadId: string, label: string }> }> }>, contacts: { totalCount: number, edges: Array<{ node: { id: string, email: string | null, externalId: string, attributes: Record<string, unknown>, outcome: LeadOutcome, score: { total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, lastActivityAt: string | null } | null } }> } } | null };

export type AccountHistoryQueryVariables = Exact<{
  id: string | number;
  model?: string | null | undefined;
}>;


export type AccountHistoryQuery = { account: { id: string, history: Array<{ model: string, cause: string, ruleSetVersion: number, changedAt: string, before: { total: number, cell: string, band: string, qualified: boolean } | null, after: { total: number, cell: string, band: string, qualified: boolean } }> } | null };

export type AccountAttributeDefinitionsQueryVariables = Exact<{ [key: string]: never; }>;


export type AccountAttributeDefinitionsQuery = { attributeDefinitions: Array<{ name: string, label: string, type: string }> };

export type AuditLogQueryVariables = Exact<{
  filter?: AuditFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditLogQuery = { auditLog: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, at: string, actor: string, action: string, entityType: string, entityId: string, summary: string, before: unknown, after: unknown, diff: unknown, requestId: string | null } }> } };

export type ApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiKeysQuery = { apiKeys: Array<{ id: string, name: string, prefix: string, scopes: Array<ApiKeyScope>, active: boolean, createdAt: string, createdBy: string | null, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null }>, users: Array<{ id: string, email: string }> };

export type CreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, active: boolean, revokedAt: string | null } };

export type SignInMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type SignInMutation = { signIn: { token: string, expiresAt: string, user: { id: string, email: string, name: string, role: Role } } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { signOut: boolean };

export type AuthProvidersQueryVariables = Exact<{ [key: string]: never; }>;


export type AuthProvidersQuery = { authProviders: Array<{ id: string, name: string, loginUrl: string }> };

export type ExchangeSsoCodeMutationVariables = Exact<{
  code: string;
}>;


export type ExchangeSsoCodeMutation = { exchangeSsoCode: { token: string, expiresAt: string, user: { id: string, email: string, name: string, role: Role } } };

export type BacktestExportUrlQueryVariables = Exact<{
  id: string | number;
}>;


export type BacktestExportUrlQuery = { backtestRun: { id: string, exportUrl: string | null } };

export type RunBacktestMutationVariables = Exact<{
  input: RunBacktestInput;
}>;


export type RunBacktestMutation = { runBacktest: { id: string, status: string } };

export type BacktestCohortsQueryVariables = Exact<{ [key: string]: never; }>;


export type BacktestCohortsQuery = { backtestCohorts: Array<{ id: string, subject: ScoreSubject, accountCount: number | null, description: string, leadCount: number, convertedCount: number, decidedCount: number, preparedAt: string }> };

export type BacktestRunsQueryVariables = Exact<{
  ruleSetKey: string;
}>;


export type BacktestRunsQuery = { backtestRuns: Array<{ id: string, status: string, versionId: string | null, version: number | null, compareToVersion: number | null, createdAt: string, createdBy: string, durationMs: number | null, error: string | null, cohortSpec: { createdFrom: string, createdTo: string, cutoffAt: string | null, cutoffDaysAfterCreation: number | null, segment: string | null, source: string | null, attributes: Array<{ name: string, value: unknown }> } }> };

export type CohortSpecFieldsFragment = { createdFrom: string, createdTo: string, cutoffAt: string | null, cutoffDaysAfterCreation: number | null, segment: string | null, source: string | null, attributes: Array<{ name: string, value: unknown }> };

export type BacktestRunQueryVariables = Exact<{
  id: string | number;
}>;


export type BacktestRunQuery = { backtestRun: { id: string, status: string, subject: ScoreSubject, error: string | null, ruleSetKey: string, versionId: string | null, version: number | null, compareToVersionId: string | null, compareToVersion: number | null, cohortId: string | null, openLeads: BacktestOpenLeads, createdAt: string, createdBy: string, durationMs: number | null, definitionChecksum: string, cohortSpec: { createdFrom: string, createdTo: string, cutoffAt: string | null, cutoffDaysAfterCreation: number | null, segment: string | null, source: string | null, attributes: Array<{ name: string, value: unknown }> }, results: { compiled: boolean, timings: { loadCohortMs: number, scoreMs: number, metricsMs: number }, metrics: { leads: number, converted: number, conversionRate: number | null, revenue: number, auc: number | null, threshold: number, qualified: number, precision: number | null, recall: number | null, f1: number | null, shareToSales: number | null, rocCurve: Array<{ fpr: number, tpr: number, threshold: number | null }>, bands: Array<{ band: string, leads: number, converted: number, conversionRate: number | null, revenue: number }>, cells: Array<{ cell: string, leads: number, converted: number, conversionRate: number | null, revenue: number }>, deciles: Array<{ decile: number, leads: number, converted: number, conversionRate: number | null, lift: number | null, cumulativeGain: number | null, minScore: number | null, maxScore: number | null }>, rules: Array<{ rule: string, label: string, dimension: Dimension, currentPoints: number, suggestedPoints: number | null, fired: number, fireRate: number | null, conversionWhenFired: number | null, conversionWhenNotFired: number | null, lift: number | null }> }, suggestions: { fitted: boolean, reason: string | null, pointsPerLogOdds: number | null, split: { kind: BacktestSplitKind, holdoutShare: number, trainingLeads: number, holdoutLeads: number }, rules: Array<{ rule: string, suggestedPoints: number | null, margin: number | null, note: string | null }>, candidates: Array<{ rule: string, label: string, dimension: Dimension, fired: number, lift: number | null, conversionWhenFired: number | null, suggestedPoints: number | null, margin: number | null }>, holdout: { leads: number, converted: number, current: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null }, suggested: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null } | null, withCandidates: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null } | null } } | null, comparison: { baselineVersion: number | null, baselineVersionId: string, leadsChangingCell: number, baseline: { leads: number, converted: number, conversionRate: number | null, revenue: number, auc: number | null, threshold: number, qualified: number, precision: number | null, recall: number | null, f1: number | null, shareToSales: number | null, rocCurve: Array<{ fpr: number, tpr: number, threshold: number | null }>, bands: Array<{ band: string, leads: number, converted: number, conversionRate: number | null, revenue: number }>, cells: Array<{ cell: string, leads: number, converted: number, conversionRate: number | null, revenue: number }>, deciles: Array<{ decile: number, leads: number, converted: number, conversionRate: number | null, lift: number | null, cumulativeGain: number | null, minScore: number | null, maxScore: number | null }>, rules: Array<{ rule: string, label: string, dimension: Dimension, currentPoints: number, suggestedPoints: number | null, fired: number, fireRate: number | null, conversionWhenFired: number | null, conversionWhenNotFired: number | null, lift: number | null }> }, deltas: { auc: number | null, precision: number | null, recall: number | null, f1: number | null, shareToSales: number | null, qualified: number }, cellMoves: Array<{ from: string, to: string, leads: number, converted: number, examples: Array<string> }> } | null } | null } };

export type BacktestSuggestionsFieldsFragment = { fitted: boolean, reason: string | null, pointsPerLogOdds: number | null, split: { kind: BacktestSplitKind, holdoutShare: number, trainingLeads: number, holdoutLeads: number }, rules: Array<{ rule: string, suggestedPoints: number | null, margin: number | null, note: string | null }>, candidates: Array<{ rule: string, label: string, dimension: Dimension, fired: number, lift: number | null, conversionWhenFired: number | null, suggestedPoints: number | null, margin: number | null }>, holdout: { leads: number, converted: number, current: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null }, suggested: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null } | null, withCandidates: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null } | null } };

export type BacktestMetricsFieldsFragment = { leads: number, converted: number, conversionRate: number | null, revenue: number, auc: number | null, threshold: number, qualified: number, precision: number | null, recall: number | null, f1: number | null, shareToSales: number | null, rocCurve: Array<{ fpr: number, tpr: number, threshold: number | null }>, bands: Array<{ band: string, leads: number, converted: number, conversionRate: number | null, revenue: number }>, cells: Array<{ cell: string, leads: number, converted: number, conversionRate: number | null, revenue: number }>, deciles: Array<{ decile: number, leads: number, converted: number, conversionRate: number | null, lift: number | null, cumulativeGain: number | null, minScore: number | null, maxScore: number | null }>, rules: Array<{ rule: string, label: string, dimension: Dimension, currentPoints: number, suggestedPoints: number | null, fired: number, fireRate: number | null, conversionWhenFired: number | null, conversionWhenNotFired: number | null, lift: number | null }> };

export type VersionBacktestsQueryVariables = Exact<{
  ruleSetKey: string;
}>;


export type VersionBacktestsQuery = { backtestRuns: Array<{ id: string, status: string, versionId: string | null, compareToVersionId: string | null, createdAt: string }> };

export type ApplyBacktestSuggestionsMutationVariables = Exact<{
  input: ApplyBacktestSuggestionsInput;
}>;


export type ApplyBacktestSuggestionsMutation = { applyBacktestSuggestions: { version: { id: string, version: number } } };

export type CohortFreshnessQueryVariables = Exact<{
  id: string | number;
}>;


export type CohortFreshnessQuery = { backtestCohort: { id: string, generation: number, outcomesChangedSince: number, spec: { createdFrom: string, createdTo: string, source: string | null, segment: string | null, cutoffAt: string | null, cutoffDaysAfterCreation: number | null, attributes: Array<{ name: string, value: unknown }> } } };

export type RefreshCohortMutationVariables = Exact<{
  input: BacktestCohortInput;
}>;


export type RefreshCohortMutation = { prepareBacktestCohort: { id: string, generation: number } };

export type VersionQueryVariables = Exact<{
  id: string | number;
}>;


export type VersionQuery = { ruleSetVersion: { id: string, version: number, status: string, revision: number, note: string, definition: Record<string, unknown>, ruleSetKey: string, ruleSetId: string, editors: Array<string>, createdBy: string | null, updatedAt: string, basedOnVersionId: string | null, submittedBy: string | null, submittedAt: string | null, approvedAt: string | null, publishedAt: string | null, publishedBy: string | null } };

export type AttributeDefinitionsQueryVariables = Exact<{ [key: string]: never; }>;


export type AttributeDefinitionsQuery = { attributeDefinitions: Array<{ name: string, label: string, type: string, allowedValues: Array<string> | null }> };

export type ValidateRuleSetQueryVariables = Exact<{
  definition: Record<string, unknown>;
  ruleSetKey?: string | null | undefined;
}>;


export type ValidateRuleSetQuery = { validateRuleSet: { valid: boolean, problems: Array<{ path: string, message: string }> } };

export type SaveDraftMutationVariables = Exact<{
  input: SaveDraftInput;
}>;


export type SaveDraftMutation = { saveDraft: { id: string, revision: number, status: string, definition: Record<string, unknown>, updatedAt: string, editors: Array<string>, note: string } };

export type LeadsQueryVariables = Exact<{
  filter?: LeadFilter | null | undefined;
  orderBy?: LeadOrder | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  model?: string | null | undefined;
  modelKey?: string;
  byModel?: boolean;
}>;


export type LeadsQuery = { leads: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, externalId: string, email: string | null, segment: string | null, source: string | null, outcome: LeadOutcome, attributes: Record<string, unknown>, owner: { id: string, name: string, kind: OwnerKind } | null, score: { total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, actionLabel: string, scoredAt: string, lastActivityAt: string | null } | null, modelScore?: { total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, actionLabel: string, scoredAt: string, lastActivityAt: string | null } | null } }> } };

export type LeadQueryVariables = Exact<{
  id: string | number;
}>;


export type LeadQuery = { lead: { id: string, externalId: string, email: string | null, segment: string | null, source: string | null, outcome: LeadOutcome, outcomeAt: string | null, dealValue: string | null, attributes: Record<string, unknown>, createdAt: string, updatedAt: string, owner: { id: string, name: string, kind: OwnerKind, team: string | null } | null, account: { id: string, name: string, domain: string | null } | null, scores: Array<{ model: string, ruleSetKey: string, ruleSetVersion: number, total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, actionLabel: string, scoredAt: string, reasons: Array<{ rule: string, label: string, dimension: Dimension, points: number }> }>, score: { total: number, fit: number, engagement: number, fitGrade: string, engagementLevel: number, cell: string, band: string, qualified: boolean, action: string, actionLabel: string, ruleSetKey: string, ruleSetVersion: number, scoredAt: string, lastActivityAt: string | null, reasons: Array<{ rule: string, label: string, dimension: Dimension, points: number }>, conversionProbability: { value: number | null, stale: boolean, reason: string | null, source: { backtestRunId: string, cohortSize: number, conversions: number } | null } } | null, scoreHistory: { edges: Array<{ node: { id: string, cause: string, changedAt: string, ruleSetKey: string, ruleSetVersion: number, old: { total: number, cell: string, band: string } | null, new: { total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean } } }> }, activities: { totalCount: number, edges: Array<{ node: { id: string, typeName: string, occurredAt: string, properties: Record<string, unknown> } }> } } | null };

export type LeadModelHistoryQueryVariables = Exact<{
  id: string | number;
  model: string;
}>;


export type LeadModelHistoryQuery = { lead: { id: string, modelHistory: Array<{ model: string, cause: string, ruleSetVersion: number, changedAt: string, before: { total: number, cell: string } | null, after: { total: number, cell: string } }> } | null };

export type LeadListsQueryVariables = Exact<{ [key: string]: never; }>;


export type LeadListsQuery = { leadLists: Array<{ id: string, name: string, team: string, canEdit: boolean }> };

export type SavedLeadListQueryVariables = Exact<{
  id: string | number;
}>;


export type SavedLeadListQuery = { leadList: { id: string, name: string, team: string, description: string | null, filter: Record<string, unknown>, orderBy: LeadOrder, createdBy: string, canEdit: boolean, exportPath: string } };

export type CreateLeadListMutationVariables = Exact<{
  input: CreateLeadListInput;
}>;


export type CreateLeadListMutation = { createLeadList: { id: string, name: string, team: string } };

export type DeleteLeadListMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteLeadListMutation = { deleteLeadList: string };

export type ScoreModelsQueryVariables = Exact<{
  subject?: ScoreSubject | null | undefined;
}>;


export type ScoreModelsQuery = { scoreModels: Array<{ key: string, subject: ScoreSubject, name: string, isDefault: boolean, ruleSets: Array<{ key: string, name: string, isDefault: boolean, activeVersionId: string | null }> }> };

export type SubmitForReviewMutationVariables = Exact<{
  versionId: string | number;
}>;


export type SubmitForReviewMutation = { submitForReview: { id: string, status: string, submittedAt: string | null, submittedBy: string | null } };

export type ApproveVersionMutationVariables = Exact<{
  input: ReviewInput;
}>;


export type ApproveVersionMutation = { approveVersion: { id: string, status: string, approvedAt: string | null } };

export type RequestChangesMutationVariables = Exact<{
  input: ReviewInput;
}>;


export type RequestChangesMutation = { requestChanges: { id: string, status: string } };

export type PublishVersionMutationVariables = Exact<{
  versionId: string | number;
}>;


export type PublishVersionMutation = { publishVersion: { version: { id: string, status: string, publishedAt: string | null }, rescoreJob: { id: string } } };

export type VersionEvidenceQueryVariables = Exact<{
  id: string | number;
}>;


export type VersionEvidenceQuery = { ruleSetVersion: { id: string, evidence: { backtestRunId: string, stale: boolean, notes: Array<string>, mqlShareBefore: number, mqlShareAfter: number, mqlsPerWeekBefore: number | null, mqlsPerWeekAfter: number | null, appliedRules: Array<{ rule: string, from: number, to: number }>, addedCandidates: Array<{ rule: string, label: string, points: number }>, thresholds: { qualificationBefore: number, qualificationAfter: number, bands: Array<{ band: string, before: number | null, after: number | null }> }, holdout: { leads: number, converted: number, activeVersion: number, active: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null, threshold: number }, draft: { auc: number | null, precision: number | null, recall: number | null, topDecileLift: number | null, threshold: number } } } | null } };

export type RuleSetsQueryVariables = Exact<{ [key: string]: never; }>;


export type RuleSetsQuery = { ruleSets: Array<{ id: string, key: string, name: string, description: string, isDefault: boolean, segments: Array<string>, updatedAt: string, activeVersion: { id: string, version: number, status: string, publishedAt: string | null, publishedBy: string | null } | null, versions: Array<{ id: string, version: number, status: string, updatedAt: string, createdBy: string | null }> }> };

export type RuleSetQueryVariables = Exact<{
  key: string;
}>;


export type RuleSetQuery = { ruleSet: { id: string, key: string, name: string, description: string, isDefault: boolean, segments: Array<string>, activeVersionId: string | null, versions: Array<{ id: string, version: number, status: string, revision: number, note: string, createdAt: string, createdBy: string | null, editors: Array<string>, updatedAt: string, submittedAt: string | null, submittedBy: string | null, approvedAt: string | null, publishedAt: string | null, publishedBy: string | null, retiredAt: string | null, basedOnVersionId: string | null }> } };

export type VersionReviewsQueryVariables = Exact<{
  versionId: string | number;
}>;


export type VersionReviewsQuery = { ruleSetReviews: Array<{ id: string, side: string, decision: string, reviewer: string, comment: string, revision: number, voided: boolean, createdAt: string }> };

export type RuleSetDiffQueryVariables = Exact<{
  fromVersionId: string | number;
  toVersionId?: string | number | null | undefined;
  toDefinition?: Record<string, unknown> | null | undefined;
}>;


export type RuleSetDiffQuery = { ruleSetDiff: { identical: boolean, summary: Array<string>, changes: Record<string, unknown> } };

export type CreateDraftMutationVariables = Exact<{
  input: CreateDraftInput;
}>;


export type CreateDraftMutation = { createDraft: { id: string, version: number, ruleSetKey: string } };

export type RollbackMutationVariables = Exact<{
  ruleSetKey: string;
  toVersionId: string | number;
}>;


export type RollbackMutation = { rollbackRuleSet: { version: { id: string, version: number, status: string }, rescoreJob: { id: string } } };

export type RescoreJobQueryVariables = Exact<{
  id: string | number;
}>;


export type RescoreJobQuery = { rescoreJob: { id: string, status: string, percent: number, doneLeads: number, totalLeads: number, changedLeads: number, leadsPerSecond: number | null, etaSeconds: number | null, error: string | null, version: number, ruleSetKey: string, startedAt: string | null, finishedAt: string | null } };

export type SetRuleSetSegmentsMutationVariables = Exact<{
  key: string;
  segments: Array<string> | string;
}>;


export type SetRuleSetSegmentsMutation = { setRuleSetSegments: { ruleSet: { id: string, segments: Array<string> }, rescoreJob: { id: string, totalLeads: number } | null } };

export type LeadSearchQueryVariables = Exact<{
  search: string;
}>;


export type LeadSearchQuery = { leads: { edges: Array<{ node: { id: string, externalId: string, email: string | null, score: { total: number, cell: string } | null } }> } };

export type SimulateQueryVariables = Exact<{
  input: SimulateInput;
}>;


export type SimulateQuery = { simulateRuleSet: { candidate: { version: number | null, versionId: string | null, daysInactive: number, facts: Record<string, unknown>, score: { total: number, fit: number, engagement: number, fitGrade: string, engagementLevel: number, cell: string, band: string, qualified: boolean, action: string, actionLabel: string }, rules: Array<{ rule: string, label: string, dimension: Dimension, points: number, fired: boolean, evaluated: boolean, failedConditions: Array<{ path: string, fact: string, operator: string, value: unknown, factValue: unknown, negated: boolean, note: string | null, sharedCondition: string | null }> }> }, active: { version: number | null, versionId: string | null, daysInactive: number, facts: Record<string, unknown>, score: { total: number, fit: number, engagement: number, fitGrade: string, engagementLevel: number, cell: string, band: string, qualified: boolean, action: string, actionLabel: string }, rules: Array<{ rule: string, label: string, dimension: Dimension, points: number, fired: boolean, evaluated: boolean, failedConditions: Array<{ path: string, fact: string, operator: string, value: unknown, factValue: unknown, negated: boolean, note: string | null, sharedCondition: string | null }> }> } } };

export type SimulationSideFieldsFragment = { version: number | null, versionId: string | null, daysInactive: number, facts: Record<string, unknown>, score: { total: number, fit: number, engagement: number, fitGrade: string, engagementLevel: number, cell: string, band: string, qualified: boolean, action: string, actionLabel: string }, rules: Array<{ rule: string, label: string, dimension: Dimension, points: number, fired: boolean, evaluated: boolean, failedConditions: Array<{ path: string, fact: string, operator: string, value: unknown, factValue: unknown, negated: boolean, note: string | null, sharedCondition: string | null }> }> };

export type CreateLiveTicketMutationVariables = Exact<{ [key: string]: never; }>;


export type CreateLiveTicketMutation = { createLiveTicket: { ticket: string, expiresAt: string } };

export type LeadScoreChangedSubscriptionVariables = Exact<{
  leadId: string | number;
}>;


export type LeadScoreChangedSubscription = { leadScoreChanged: { total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, scoredAt: string } };

export type LeadsChangedSubscriptionVariables = Exact<{
  filter?: LeadFilter | null | undefined;
}>;


export type LeadsChangedSubscription = { leadsChanged: { leadId: string, kind: LeadChangeKind, score: { total: number, fit: number, engagement: number, cell: string, band: string, qualified: boolean, actionLabel: string, scoredAt: string, lastActivityAt: string | null } } };

export type RescoreProgressSubscriptionVariables = Exact<{
  jobId: string | number;
}>;


export type RescoreProgressSubscription = { rescoreProgress: { id: string, status: string, percent: number, doneLeads: number, totalLeads: number, changedLeads: number, leadsPerSecond: number | null, etaSeconds: number | null, ruleSetKey: string, version: number, error: string | null, startedAt: string | null, finishedAt: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CohortSpecFieldsFragmentDoc = new TypedDocumentString(`
    fragment CohortSpecFields on BacktestCohortSpec {
  createdFrom
  createdTo
  cutoffAt
  cutoffDaysAfterCreation
  segment
  source
  attributes {
    name
    value
  }
}
    `, {"fragmentName":"CohortSpecFields"}) as unknown as TypedDocumentString<CohortSpecFieldsFragment, unknown>;
export const BacktestSuggestionsFieldsFragmentDoc = new TypedDocumentString(`
    fragment BacktestSuggestionsFields on BacktestSuggestions {
  fitted
  reason
  pointsPerLogOdds
  split {
    kind
    holdoutShare
    trainingLeads
    holdoutLeads
  }
  rules {
    rule
    suggestedPoints
    margin
    note
  }
  candidates {
    rule
    label
    dimension
    fired
    lift
    conversionWhenFired
    suggestedPoints
    margin
  }
  holdout {
    leads
    converted
    current {
      auc
      precision
      recall
      topDecileLift
    }
    suggested {
      auc
      precision
      recall
      topDecileLift
    }
    withCandidates {
      auc
      precision
      recall
      topDecileLift
    }
  }
}
    `, {"fragmentName":"BacktestSuggestionsFields"}) as unknown as TypedDocumentString<BacktestSuggestionsFieldsFragment, unknown>;
export const BacktestMetricsFieldsFragmentDoc = new TypedDocumentString(`
    fragment BacktestMetricsFields on BacktestMetrics {
  leads
  converted
  conversionRate
  revenue
  auc
  threshold
  qualified
  precision
  recall
  f1
  shareToSales
  rocCurve {
    fpr
    tpr
    threshold
  }
  bands {
    band
    leads
    converted
    conversionRate
    revenue
  }
  cells {
    cell
    leads
    converted
    conversionRate
    revenue
  }
  deciles {
    decile
    leads
    converted
    conversionRate
    lift
    cumulativeGain
    minScore
    maxScore
  }
  rules {
    rule
    label
    dimension
    currentPoints
    suggestedPoints
    fired
    fireRate
    conversionWhenFired
    conversionWhenNotFired
    lift
  }
}
    `, {"fragmentName":"BacktestMetricsFields"}) as unknown as TypedDocumentString<BacktestMetricsFieldsFragment, unknown>;
export const SimulationSideFieldsFragmentDoc = new TypedDocumentString(`
    fragment SimulationSideFields on SimulationSide {
  version
  versionId
  daysInactive
  facts
  score {
    total
    fit
    engagement
    fitGrade
    engagementLevel
    cell
    band
    qualified
    action
    actionLabel
  }
  rules {
    rule
    label
    dimension
    points
    fired
    evaluated
    failedConditions {
      path
      fact
      operator
      value
      factValue
      negated
      note
      sharedCondition
    }
  }
}
    `, {"fragmentName":"SimulationSideFields"}) as unknown as TypedDocumentString<SimulationSideFieldsFragment, unknown>;
export const AccountsDocument = new TypedDocumentString(`
    query Accounts($first: Int, $after: String, $orderBy: AccountOrder, $model: String, $search: String, $committee: Int) {
  accounts(
    first: $first
    after: $after
    orderBy: $orderBy
    model: $model
    search: $search
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      name
      domain
      externalId
      contactCount
      score(model: $model) {
        model
        total
        fit
        engagement
        cell
        band
        qualified
        actionLabel
      }
      contacts(first: $committee) {
        edges {
          node {
            id
            email
            externalId
            attributes
            score {
              total
              cell
              band
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AccountsQuery, AccountsQueryVariables>;
export const AccountDocument = new TypedDocumentString(`
    query Account($id: ID!, $contacts: Int) {
  account(id: $id) {
    id
    externalId
    domain
    name
    attributes
    outcome
    outcomeAt
    contactCount
    mergedIntoId
    createdAt
    updatedAt
    scores {
      model
      ruleSetKey
      ruleSetVersion
      total
      fit
      engagement
      fitGrade
      engagementLevel
      cell
      band
      qualified
      actionLabel
      scoredAt
      lastActivityAt
      reasons {
        rule
        dimension
        points
        label
        contacts {
          leadId
          label
        }
      }
    }
    contacts(first: $contacts) {
      totalCount
      edges {
        node {
          id
          email
          externalId
          attributes
          outcome
          score {
            total
            fit
            engagement
            cell
            band
            qualified
            lastActivityAt
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AccountQuery, AccountQueryVariables>;
export const AccountHistoryDocument = new TypedDocumentString(`
    query AccountHistory($id: ID!, $model: String) {
  account(id: $id) {
    id
    history(model: $model, first: 100) {
      model
      cause
      ruleSetVersion
      changedAt
      before {
        total
        cell
        band
        qualified
      }
      after {
        total
        cell
        band
        qualified
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AccountHistoryQuery, AccountHistoryQueryVariables>;
export const AccountAttributeDefinitionsDocument = new TypedDocumentString(`
    query AccountAttributeDefinitions {
  attributeDefinitions(scope: ACCOUNT) {
    name
    label
    type
  }
}
    `) as unknown as TypedDocumentString<AccountAttributeDefinitionsQuery, AccountAttributeDefinitionsQueryVariables>;
export const AuditLogDocument = new TypedDocumentString(`
    query AuditLog($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        at
        actor
        action
        entityType
        entityId
        summary
        before
        after
        diff
        requestId
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AuditLogQuery, AuditLogQueryVariables>;
export const ApiKeysDocument = new TypedDocumentString(`
    query ApiKeys {
  apiKeys {
    id
    name
    prefix
    scopes
    active
    createdAt
    createdBy
    expiresAt
    lastUsedAt
    revokedAt
  }
  users {
    id
    email
  }
}
    `) as unknown as TypedDocumentString<ApiKeysQuery, ApiKeysQueryVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    secret
    apiKey {
      id
      name
      prefix
    }
  }
}
    `) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    id
    active
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const SignInDocument = new TypedDocumentString(`
    mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    token
    expiresAt
    user {
      id
      email
      name
      role
    }
  }
}
    `) as unknown as TypedDocumentString<SignInMutation, SignInMutationVariables>;
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut {
  signOut
}
    `) as unknown as TypedDocumentString<SignOutMutation, SignOutMutationVariables>;
export const AuthProvidersDocument = new TypedDocumentString(`
    query AuthProviders {
  authProviders {
    id
    name
    loginUrl
  }
}
    `) as unknown as TypedDocumentString<AuthProvidersQuery, AuthProvidersQueryVariables>;
export const ExchangeSsoCodeDocument = new TypedDocumentString(`
    mutation ExchangeSsoCode($code: String!) {
  exchangeSsoCode(code: $code) {
    token
    expiresAt
    user {
      id
      email
      name
      role
    }
  }
}
    `) as unknown as TypedDocumentString<ExchangeSsoCodeMutation, ExchangeSsoCodeMutationVariables>;
export const BacktestExportUrlDocument = new TypedDocumentString(`
    query BacktestExportUrl($id: ID!) {
  backtestRun(id: $id) {
    id
    exportUrl
  }
}
    `) as unknown as TypedDocumentString<BacktestExportUrlQuery, BacktestExportUrlQueryVariables>;
export const RunBacktestDocument = new TypedDocumentString(`
    mutation RunBacktest($input: RunBacktestInput!) {
  runBacktest(input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<RunBacktestMutation, RunBacktestMutationVariables>;
export const BacktestCohortsDocument = new TypedDocumentString(`
    query BacktestCohorts {
  backtestCohorts(first: 20) {
    id
    subject
    accountCount
    description
    leadCount
    convertedCount
    decidedCount
    preparedAt
  }
}
    `) as unknown as TypedDocumentString<BacktestCohortsQuery, BacktestCohortsQueryVariables>;
export const BacktestRunsDocument = new TypedDocumentString(`
    query BacktestRuns($ruleSetKey: String!) {
  backtestRuns(ruleSetKey: $ruleSetKey, first: 20) {
    id
    status
    versionId
    version
    compareToVersion
    createdAt
    createdBy
    durationMs
    error
    cohortSpec {
      ...CohortSpecFields
    }
  }
}
    fragment CohortSpecFields on BacktestCohortSpec {
  createdFrom
  createdTo
  cutoffAt
  cutoffDaysAfterCreation
  segment
  source
  attributes {
    name
    value
  }
}`) as unknown as TypedDocumentString<BacktestRunsQuery, BacktestRunsQueryVariables>;
export const BacktestRunDocument = new TypedDocumentString(`
    query BacktestRun($id: ID!) {
  backtestRun(id: $id) {
    id
    status
    subject
    error
    ruleSetKey
    versionId
    version
    compareToVersionId
    compareToVersion
    cohortId
    openLeads
    createdAt
    createdBy
    durationMs
    definitionChecksum
    cohortSpec {
      ...CohortSpecFields
    }
    results {
      compiled
      timings {
        loadCohortMs
        scoreMs
        metricsMs
      }
      metrics {
        ...BacktestMetricsFields
      }
      suggestions {
        ...BacktestSuggestionsFields
      }
      comparison {
        baselineVersion
        baselineVersionId
        leadsChangingCell
        baseline {
          ...BacktestMetricsFields
        }
        deltas {
          auc
          precision
          recall
          f1
          shareToSales
          qualified
        }
        cellMoves {
          from
          to
          leads
          converted
          examples
        }
      }
    }
  }
}
    fragment CohortSpecFields on BacktestCohortSpec {
  createdFrom
  createdTo
  cutoffAt
  cutoffDaysAfterCreation
  segment
  source
  attributes {
    name
    value
  }
}
fragment BacktestSuggestionsFields on BacktestSuggestions {
  fitted
  reason
  pointsPerLogOdds
  split {
    kind
    holdoutShare
    trainingLeads
    holdoutLeads
  }
  rules {
    rule
    suggestedPoints
    margin
    note
  }
  candidates {
    rule
    label
    dimension
    fired
    lift
    conversionWhenFired
    suggestedPoints
    margin
  }
  holdout {
    leads
    converted
    current {
      auc
      precision
      recall
      topDecileLift
    }
    suggested {
      auc
      precision
      recall
      topDecileLift
    }
    withCandidates {
      auc
      precision
      recall
      topDecileLift
    }
  }
}
fragment BacktestMetricsFields on BacktestMetrics {
  leads
  converted
  conversionRate
  revenue
  auc
  threshold
  qualified
  precision
  recall
  f1
  shareToSales
  rocCurve {
    fpr
    tpr
    threshold
  }
  bands {
    band
    leads
    converted
    conversionRate
    revenue
  }
  cells {
    cell
    leads
    converted
    conversionRate
    revenue
  }
  deciles {
    decile
    leads
    converted
    conversionRate
    lift
    cumulativeGain
    minScore
    maxScore
  }
  rules {
    rule
    label
    dimension
    currentPoints
    suggestedPoints
    fired
    fireRate
    conversionWhenFired
    conversionWhenNotFired
    lift
  }
}`) as unknown as TypedDocumentString<BacktestRunQuery, BacktestRunQueryVariables>;
export const VersionBacktestsDocument = new TypedDocumentString(`
    query VersionBacktests($ruleSetKey: String!) {
  backtestRuns(ruleSetKey: $ruleSetKey, first: 50) {
    id
    status
    versionId
    compareToVersionId
    createdAt
  }
}
    `) as unknown as TypedDocumentString<VersionBacktestsQuery, VersionBacktestsQueryVariables>;
export const ApplyBacktestSuggestionsDocument = new TypedDocumentString(`
    mutation ApplyBacktestSuggestions($input: ApplyBacktestSuggestionsInput!) {
  applyBacktestSuggestions(input: $input) {
    version {
      id
      version
    }
  }
}
    `) as unknown as TypedDocumentString<ApplyBacktestSuggestionsMutation, ApplyBacktestSuggestionsMutationVariables>;
export const CohortFreshnessDocument = new TypedDocumentString(`
    query CohortFreshness($id: ID!) {
  backtestCohort(id: $id) {
    id
    generation
    outcomesChangedSince
    spec {
      createdFrom
      createdTo
      source
      segment
      attributes {
        name
        value
      }
      cutoffAt
      cutoffDaysAfterCreation
    }
  }
}
    `) as unknown as TypedDocumentString<CohortFreshnessQuery, CohortFreshnessQueryVariables>;
export const RefreshCohortDocument = new TypedDocumentString(`
    mutation RefreshCohort($input: BacktestCohortInput!) {
  prepareBacktestCohort(input: $input, refresh: true) {
    id
    generation
  }
}
    `) as unknown as TypedDocumentString<RefreshCohortMutation, RefreshCohortMutationVariables>;
export const VersionDocument = new TypedDocumentString(`
    query Version($id: ID!) {
  ruleSetVersion(id: $id) {
    id
    version
    status
    revision
    note
    definition
    ruleSetKey
    ruleSetId
    editors
    createdBy
    updatedAt
    basedOnVersionId
    submittedBy
    submittedAt
    approvedAt
    publishedAt
    publishedBy
  }
}
    `) as unknown as TypedDocumentString<VersionQuery, VersionQueryVariables>;
export const AttributeDefinitionsDocument = new TypedDocumentString(`
    query AttributeDefinitions {
  attributeDefinitions {
    name
    label
    type
    allowedValues
  }
}
    `) as unknown as TypedDocumentString<AttributeDefinitionsQuery, AttributeDefinitionsQueryVariables>;
export const ValidateRuleSetDocument = new TypedDocumentString(`
    query ValidateRuleSet($definition: JSONObject!, $ruleSetKey: String) {
  validateRuleSet(definition: $definition, ruleSetKey: $ruleSetKey) {
    valid
    problems {
      path
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ValidateRuleSetQuery, ValidateRuleSetQueryVariables>;
export const SaveDraftDocument = new TypedDocumentString(`
    mutation SaveDraft($input: SaveDraftInput!) {
  saveDraft(input: $input) {
    id
    revision
    status
    definition
    updatedAt
    editors
    note
  }
}
    `) as unknown as TypedDocumentString<SaveDraftMutation, SaveDraftMutationVariables>;
export const LeadsDocument = new TypedDocumentString(`
    query Leads($filter: LeadFilter, $orderBy: LeadOrder, $first: Int, $after: String, $model: String, $modelKey: String! = "default", $byModel: Boolean! = false) {
  leads(
    filter: $filter
    orderBy: $orderBy
    first: $first
    after: $after
    model: $model
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        externalId
        email
        segment
        source
        outcome
        attributes
        owner {
          id
          name
          kind
        }
        score {
          total
          fit
          engagement
          cell
          band
          qualified
          actionLabel
          scoredAt
          lastActivityAt
        }
        modelScore(model: $modelKey) @include(if: $byModel) {
          total
          fit
          engagement
          cell
          band
          qualified
          actionLabel
          scoredAt
          lastActivityAt
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LeadsQuery, LeadsQueryVariables>;
export const LeadDocument = new TypedDocumentString(`
    query Lead($id: ID!) {
  lead(id: $id) {
    id
    externalId
    email
    segment
    source
    outcome
    outcomeAt
    dealValue
    attributes
    owner {
      id
      name
      kind
      team
    }
    account {
      id
      name
      domain
    }
    scores {
      model
      ruleSetKey
      ruleSetVersion
      total
      fit
      engagement
      cell
      band
      qualified
      actionLabel
      scoredAt
      reasons {
        rule
        label
        dimension
        points
      }
    }
    createdAt
    updatedAt
    score {
      total
      fit
      engagement
      fitGrade
      engagementLevel
      cell
      band
      qualified
      action
      actionLabel
      ruleSetKey
      ruleSetVersion
      scoredAt
      lastActivityAt
      reasons {
        rule
        label
        dimension
        points
      }
      conversionProbability {
        value
        stale
        reason
        source {
          backtestRunId
          cohortSize
          conversions
        }
      }
    }
    scoreHistory(first: 200) {
      edges {
        node {
          id
          cause
          changedAt
          ruleSetKey
          ruleSetVersion
          old {
            total
            cell
            band
          }
          new {
            total
            fit
            engagement
            cell
            band
            qualified
          }
        }
      }
    }
    activities(first: 50) {
      totalCount
      edges {
        node {
          id
          typeName
          occurredAt
          properties
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LeadQuery, LeadQueryVariables>;
export const LeadModelHistoryDocument = new TypedDocumentString(`
    query LeadModelHistory($id: ID!, $model: String!) {
  lead(id: $id) {
    id
    modelHistory(model: $model, first: 50) {
      model
      cause
      ruleSetVersion
      changedAt
      before {
        total
        cell
      }
      after {
        total
        cell
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LeadModelHistoryQuery, LeadModelHistoryQueryVariables>;
export const LeadListsDocument = new TypedDocumentString(`
    query LeadLists {
  leadLists {
    id
    name
    team
    canEdit
  }
}
    `) as unknown as TypedDocumentString<LeadListsQuery, LeadListsQueryVariables>;
export const SavedLeadListDocument = new TypedDocumentString(`
    query SavedLeadList($id: ID!) {
  leadList(id: $id) {
    id
    name
    team
    description
    filter
    orderBy
    createdBy
    canEdit
    exportPath
  }
}
    `) as unknown as TypedDocumentString<SavedLeadListQuery, SavedLeadListQueryVariables>;
export const CreateLeadListDocument = new TypedDocumentString(`
    mutation CreateLeadList($input: CreateLeadListInput!) {
  createLeadList(input: $input) {
    id
    name
    team
  }
}
    `) as unknown as TypedDocumentString<CreateLeadListMutation, CreateLeadListMutationVariables>;
export const DeleteLeadListDocument = new TypedDocumentString(`
    mutation DeleteLeadList($id: ID!) {
  deleteLeadList(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteLeadListMutation, DeleteLeadListMutationVariables>;
export const ScoreModelsDocument = new TypedDocumentString(`
    query ScoreModels($subject: ScoreSubject) {
  scoreModels(subject: $subject) {
    key
    subject
    name
    isDefault
    ruleSets {
      key
      name
      isDefault
      activeVersionId
    }
  }
}
    `) as unknown as TypedDocumentString<ScoreModelsQuery, ScoreModelsQueryVariables>;
export const SubmitForReviewDocument = new TypedDocumentString(`
    mutation SubmitForReview($versionId: ID!) {
  submitForReview(versionId: $versionId) {
    id
    status
    submittedAt
    submittedBy
  }
}
    `) as unknown as TypedDocumentString<SubmitForReviewMutation, SubmitForReviewMutationVariables>;
export const ApproveVersionDocument = new TypedDocumentString(`
    mutation ApproveVersion($input: ReviewInput!) {
  approveVersion(input: $input) {
    id
    status
    approvedAt
  }
}
    `) as unknown as TypedDocumentString<ApproveVersionMutation, ApproveVersionMutationVariables>;
export const RequestChangesDocument = new TypedDocumentString(`
    mutation RequestChanges($input: ReviewInput!) {
  requestChanges(input: $input) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<RequestChangesMutation, RequestChangesMutationVariables>;
export const PublishVersionDocument = new TypedDocumentString(`
    mutation PublishVersion($versionId: ID!) {
  publishVersion(versionId: $versionId) {
    version {
      id
      status
      publishedAt
    }
    rescoreJob {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<PublishVersionMutation, PublishVersionMutationVariables>;
export const VersionEvidenceDocument = new TypedDocumentString(`
    query VersionEvidence($id: ID!) {
  ruleSetVersion(id: $id) {
    id
    evidence {
      backtestRunId
      stale
      notes
      mqlShareBefore
      mqlShareAfter
      mqlsPerWeekBefore
      mqlsPerWeekAfter
      appliedRules {
        rule
        from
        to
      }
      addedCandidates {
        rule
        label
        points
      }
      thresholds {
        qualificationBefore
        qualificationAfter
        bands {
          band
          before
          after
        }
      }
      holdout {
        leads
        converted
        activeVersion
        active {
          auc
          precision
          recall
          topDecileLift
          threshold
        }
        draft {
          auc
          precision
          recall
          topDecileLift
          threshold
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<VersionEvidenceQuery, VersionEvidenceQueryVariables>;
export const RuleSetsDocument = new TypedDocumentString(`
    query RuleSets {
  ruleSets {
    id
    key
    name
    description
    isDefault
    segments
    updatedAt
    activeVersion {
      id
      version
      status
      publishedAt
      publishedBy
    }
    versions {
      id
      version
      status
      updatedAt
      createdBy
    }
  }
}
    `) as unknown as TypedDocumentString<RuleSetsQuery, RuleSetsQueryVariables>;
export const RuleSetDocument = new TypedDocumentString(`
    query RuleSet($key: String!) {
  ruleSet(key: $key) {
    id
    key
    name
    description
    isDefault
    segments
    activeVersionId
    versions {
      id
      version
      status
      revision
      note
      createdAt
      createdBy
      editors
      updatedAt
      submittedAt
      submittedBy
      approvedAt
      publishedAt
      publishedBy
      retiredAt
      basedOnVersionId
    }
  }
}
    `) as unknown as TypedDocumentString<RuleSetQuery, RuleSetQueryVariables>;
export const VersionReviewsDocument = new TypedDocumentString(`
    query VersionReviews($versionId: ID!) {
  ruleSetReviews(versionId: $versionId) {
    id
    side
    decision
    reviewer
    comment
    revision
    voided
    createdAt
  }
}
    `) as unknown as TypedDocumentString<VersionReviewsQuery, VersionReviewsQueryVariables>;
export const RuleSetDiffDocument = new TypedDocumentString(`
    query RuleSetDiff($fromVersionId: ID!, $toVersionId: ID, $toDefinition: JSONObject) {
  ruleSetDiff(
    fromVersionId: $fromVersionId
    toVersionId: $toVersionId
    toDefinition: $toDefinition
  ) {
    identical
    summary
    changes
  }
}
    `) as unknown as TypedDocumentString<RuleSetDiffQuery, RuleSetDiffQueryVariables>;
export const CreateDraftDocument = new TypedDocumentString(`
    mutation CreateDraft($input: CreateDraftInput!) {
  createDraft(input: $input) {
    id
    version
    ruleSetKey
  }
}
    `) as unknown as TypedDocumentString<CreateDraftMutation, CreateDraftMutationVariables>;
export const RollbackDocument = new TypedDocumentString(`
    mutation Rollback($ruleSetKey: String!, $toVersionId: ID!) {
  rollbackRuleSet(ruleSetKey: $ruleSetKey, toVersionId: $toVersionId) {
    version {
      id
      version
      status
    }
    rescoreJob {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<RollbackMutation, RollbackMutationVariables>;
export const RescoreJobDocument = new TypedDocumentString(`
    query RescoreJob($id: ID!) {
  rescoreJob(id: $id) {
    id
    status
    percent
    doneLeads
    totalLeads
    changedLeads
    leadsPerSecond
    etaSeconds
    error
    version
    ruleSetKey
    startedAt
    finishedAt
  }
}
    `) as unknown as TypedDocumentString<RescoreJobQuery, RescoreJobQueryVariables>;
export const SetRuleSetSegmentsDocument = new TypedDocumentString(`
    mutation SetRuleSetSegments($key: String!, $segments: [String!]!) {
  setRuleSetSegments(key: $key, segments: $segments) {
    ruleSet {
      id
      segments
    }
    rescoreJob {
      id
      totalLeads
    }
  }
}
    `) as unknown as TypedDocumentString<SetRuleSetSegmentsMutation, SetRuleSetSegmentsMutationVariables>;
export const LeadSearchDocument = new TypedDocumentString(`
    query LeadSearch($search: String!) {
  leads(filter: {search: $search}, first: 8) {
    edges {
      node {
        id
        externalId
        email
        score {
          total
          cell
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LeadSearchQuery, LeadSearchQueryVariables>;
export const SimulateDocument = new TypedDocumentString(`
    query Simulate($input: SimulateInput!) {
  simulateRuleSet(input: $input) {
    candidate {
      ...SimulationSideFields
    }
    active {
      ...SimulationSideFields
    }
  }
}
    fragment SimulationSideFields on SimulationSide {
  version
  versionId
  daysInactive
  facts
  score {
    total
    fit
    engagement
    fitGrade
    engagementLevel
    cell
    band
    qualified
    action
    actionLabel
  }
  rules {
    rule
    label
    dimension
    points
    fired
    evaluated
    failedConditions {
      path
      fact
      operator
      value
      factValue
      negated
      note
      sharedCondition
    }
  }
}`) as unknown as TypedDocumentString<SimulateQuery, SimulateQueryVariables>;
export const CreateLiveTicketDocument = new TypedDocumentString(`
    mutation CreateLiveTicket {
  createLiveTicket {
    ticket
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<CreateLiveTicketMutation, CreateLiveTicketMutationVariables>;
export const LeadScoreChangedDocument = new TypedDocumentString(`
    subscription LeadScoreChanged($leadId: ID!) {
  leadScoreChanged(leadId: $leadId) {
    total
    fit
    engagement
    cell
    band
    qualified
    scoredAt
  }
}
    `) as unknown as TypedDocumentString<LeadScoreChangedSubscription, LeadScoreChangedSubscriptionVariables>;
export const LeadsChangedDocument = new TypedDocumentString(`
    subscription LeadsChanged($filter: LeadFilter) {
  leadsChanged(filter: $filter) {
    leadId
    kind
    score {
      total
      fit
      engagement
      cell
      band
      qualified
      actionLabel
      scoredAt
      lastActivityAt
    }
  }
}
    `) as unknown as TypedDocumentString<LeadsChangedSubscription, LeadsChangedSubscriptionVariables>;
export const RescoreProgressDocument = new TypedDocumentString(`
    subscription RescoreProgress($jobId: ID!) {
  rescoreProgress(jobId: $jobId) {
    id
    status
    percent
    doneLeads
    totalLeads
    changedLeads
    leadsPerSecond
    etaSeconds
    ruleSetKey
    version
    error
    startedAt
    finishedAt
  }
}
    `) as unknown as TypedDocumentString<RescoreProgressSubscription, RescoreProgressSubscriptionVariables>;