import { graphql } from '@/gql';

export const RunBacktestMutation = graphql(`
  mutation RunBacktest($input: RunBacktestInput!) {
    runBacktest(input: $input) { id status }
  }
`);

export const BacktestCohortsQuery = graphql(`
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
`);

export const BacktestRunsQuery = graphql(`
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
      cohortSpec { ...CohortSpecFields }
    }
  }

  fragment CohortSpecFields on BacktestCohortSpec {
    createdFrom
    createdTo
    cutoffAt
    cutoffDaysAfterCreation
    segment
    source
    attributes { name value }
  }
`);

export const BacktestRunQuery = graphql(`
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
      cohortSpec { ...CohortSpecFields }
      results {
        compiled
        timings { loadCohortMs scoreMs metricsMs }
        metrics { ...BacktestMetricsFields }
        suggestions { ...BacktestSuggestionsFields }
        comparison {
          baselineVersion
          baselineVersionId
          leadsChangingCell
          baseline { ...BacktestMetricsFields }
          deltas { auc precision recall f1 shareToSales qualified }
          cellMoves { from to leads converted examples }
        }
      }
    }
  }

  fragment BacktestSuggestionsFields on BacktestSuggestions {
    fitted
    reason
    pointsPerLogOdds
    split { kind holdoutShare trainingLeads holdoutLeads }
    rules { rule suggestedPoints margin note }
    candidates { rule label dimension fired lift conversionWhenFired suggestedPoints margin }
    holdout {
      leads
      converted
      current { auc precision recall topDecileLift }
      suggested { auc precision recall topDecileLift }
      withCandidates { auc precision recall topDecileLift }
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
    rocCurve { fpr tpr threshold }
    bands { band leads converted conversionRate revenue }
    cells { cell leads converted conversionRate revenue }
    deciles { decile leads converted conversionRate lift cumulativeGain minScore maxScore }
    rules { rule label dimension currentPoints suggestedPoints fired fireRate conversionWhenFired conversionWhenNotFired lift }
  }
`);

/** The latest runs of a version, for the review page. */
export const VersionBacktestsQuery = graphql(`
  query VersionBacktests($ruleSetKey: String!) {
    backtestRuns(ruleSetKey: $ruleSetKey, first: 50) {
      id
      status
      versionId
      compareToVersionId
      createdAt
    }
  }
`);

export const ApplyBacktestSuggestionsMutation = graphql(`
  mutation ApplyBacktestSuggestions($input: ApplyBacktestSuggestionsInput!) {
    applyBacktestSuggestions(input: $input) {
      version { id version }
    }
  }
`);

export const CohortFreshnessQuery = graphql(`
  query CohortFreshness($id: ID!) {
    backtestCohort(id: $id) {
      id
      generation
      outcomesChangedSince
      spec { createdFrom createdTo source segment attributes { name value } cutoffAt cutoffDaysAfterCreation }
    }
  }
`);

export const RefreshCohortMutation = graphql(`
  mutation RefreshCohort($input: BacktestCohortInput!) {
    prepareBacktestCohort(input: $input, refresh: true) {
      id
      generation
    }
  }
`);
