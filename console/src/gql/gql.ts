/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Accounts($first: Int, $after: String, $orderBy: AccountOrder, $model: String, $search: String, $committee: Int) {\n    accounts(first: $first, after: $after, orderBy: $orderBy, model: $model, search: $search) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        name\n        domain\n        externalId\n        contactCount\n        score(model: $model) { model total fit engagement cell band qualified actionLabel }\n        contacts(first: $committee) {\n          edges { node { id email externalId attributes score { total cell band } } }\n        }\n      }\n    }\n  }\n": typeof types.AccountsDocument,
    "\n  query Account($id: ID!, $contacts: Int) {\n    account(id: $id) {\n      id\n      externalId\n      domain\n      name\n      attributes\n      outcome\n      outcomeAt\n      contactCount\n      mergedIntoId\n      createdAt\n      updatedAt\n      scores {\n        model\n        ruleSetKey\n        ruleSetVersion\n        total\n        fit\n        engagement\n        fitGrade\n        engagementLevel\n        cell\n        band\n        qualified\n        actionLabel\n        scoredAt\n        lastActivityAt\n        reasons { rule dimension points label contacts { leadId label } }\n      }\n      contacts(first: $contacts) {\n        totalCount\n        edges {\n          node {\n            id\n            email\n            externalId\n            attributes\n            outcome\n            score { total fit engagement cell band qualified lastActivityAt }\n          }\n        }\n      }\n    }\n  }\n": typeof types.AccountDocument,
    "\n  query AccountHistory($id: ID!, $model: String) {\n    account(id: $id) {\n      id\n      history(model: $model, first: 100) {\n        model\n        cause\n        ruleSetVersion\n        changedAt\n        before { total cell band qualified }\n        after { total cell band qualified }\n      }\n    }\n  }\n": typeof types.AccountHistoryDocument,
    "\n  query AccountAttributeDefinitions {\n    attributeDefinitions(scope: ACCOUNT) { name label type }\n  }\n": typeof types.AccountAttributeDefinitionsDocument,
    "\n  query AuditLog($filter: AuditFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id at actor action entityType entityId summary before after diff requestId } }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query ApiKeys {\n    apiKeys { id name prefix scopes active createdAt createdBy expiresAt lastUsedAt revokedAt }\n    users { id email }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { id name prefix }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id active revokedAt }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user { id email name role }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  query AuthProviders {\n    authProviders { id name loginUrl }\n  }\n": typeof types.AuthProvidersDocument,
    "\n  mutation ExchangeSsoCode($code: String!) {\n    exchangeSsoCode(code: $code) {\n      token\n      expiresAt\n      user { id email name role }\n    }\n  }\n": typeof types.ExchangeSsoCodeDocument,
    "\n  query BacktestExportUrl($id: ID!) {\n    backtestRun(id: $id) { id exportUrl }\n  }\n": typeof types.BacktestExportUrlDocument,
    "\n  mutation RunBacktest($input: RunBacktestInput!) {\n    runBacktest(input: $input) { id status }\n  }\n": typeof types.RunBacktestDocument,
    "\n  query BacktestCohorts {\n    backtestCohorts(first: 20) {\n      id\n      subject\n      accountCount\n      description\n      leadCount\n      convertedCount\n      decidedCount\n      preparedAt\n    }\n  }\n": typeof types.BacktestCohortsDocument,
    "\n  query BacktestRuns($ruleSetKey: String!) {\n    backtestRuns(ruleSetKey: $ruleSetKey, first: 20) {\n      id\n      status\n      versionId\n      version\n      compareToVersion\n      createdAt\n      createdBy\n      durationMs\n      error\n      cohortSpec { ...CohortSpecFields }\n    }\n  }\n\n  fragment CohortSpecFields on BacktestCohortSpec {\n    createdFrom\n    createdTo\n    cutoffAt\n    cutoffDaysAfterCreation\n    segment\n    source\n    attributes { name value }\n  }\n": typeof types.BacktestRunsDocument,
    "\n  query BacktestRun($id: ID!) {\n    backtestRun(id: $id) {\n      id\n      status\n      subject\n      error\n      ruleSetKey\n      versionId\n      version\n      compareToVersionId\n      compareToVersion\n      cohortId\n      openLeads\n      createdAt\n      createdBy\n      durationMs\n      definitionChecksum\n      cohortSpec { ...CohortSpecFields }\n      results {\n        compiled\n        timings { loadCohortMs scoreMs metricsMs }\n        metrics { ...BacktestMetricsFields }\n        suggestions { ...BacktestSuggestionsFields }\n        comparison {\n          baselineVersion\n          baselineVersionId\n          leadsChangingCell\n          baseline { ...BacktestMetricsFields }\n          deltas { auc precision recall f1 shareToSales qualified }\n          cellMoves { from to leads converted examples }\n        }\n      }\n    }\n  }\n\n  fragment BacktestSuggestionsFields on BacktestSuggestions {\n    fitted\n    reason\n    pointsPerLogOdds\n    split { kind holdoutShare trainingLeads holdoutLeads }\n    rules { rule suggestedPoints margin note }\n    candidates { rule label dimension fired lift conversionWhenFired suggestedPoints margin }\n    holdout {\n      leads\n      converted\n      current { auc precision recall topDecileLift }\n      suggested { auc precision recall topDecileLift }\n      withCandidates { auc precision recall topDecileLift }\n    }\n  }\n\n  fragment BacktestMetricsFields on BacktestMetrics {\n    leads\n    converted\n    conversionRate\n    revenue\n    auc\n    threshold\n    qualified\n    precision\n    recall\n    f1\n    shareToSales\n    rocCurve { fpr tpr threshold }\n    bands { band leads converted conversionRate revenue }\n    cells { cell leads converted conversionRate revenue }\n    deciles { decile leads converted conversionRate lift cumulativeGain minScore maxScore }\n    rules { rule label dimension currentPoints suggestedPoints fired fireRate conversionWhenFired conversionWhenNotFired lift }\n  }\n": typeof types.BacktestRunDocument,
    "\n  query VersionBacktests($ruleSetKey: String!) {\n    backtestRuns(ruleSetKey: $ruleSetKey, first: 50) {\n      id\n      status\n      versionId\n      compareToVersionId\n      createdAt\n    }\n  }\n": typeof types.VersionBacktestsDocument,
    "\n  mutation ApplyBacktestSuggestions($input: ApplyBacktestSuggestionsInput!) {\n    applyBacktestSuggestions(input: $input) {\n      version { id version }\n    }\n  }\n": typeof types.ApplyBacktestSuggestionsDocument,
    "\n  query CohortFreshness($id: ID!) {\n    backtestCohort(id: $id) {\n      id\n      generation\n      outcomesChangedSince\n      spec { createdFrom createdTo source segment attributes { name value } cutoffAt cutoffDaysAfterCreation }\n    }\n  }\n": typeof types.CohortFreshnessDocument,
    "\n  mutation RefreshCohort($input: BacktestCohortInput!) {\n    prepareBacktestCohort(input: $input, refresh: true) {\n      id\n      generation\n    }\n  }\n": typeof types.RefreshCohortDocument,
    "\n  query Version($id: ID!) {\n    ruleSetVersion(id: $id) {\n      id\n      version\n      status\n      revision\n      note\n      definition\n      ruleSetKey\n      ruleSetId\n      editors\n      createdBy\n      updatedAt\n      basedOnVersionId\n      submittedBy\n      submittedAt\n      approvedAt\n      publishedAt\n      publishedBy\n    }\n  }\n": typeof types.VersionDocument,
    "\n  query AttributeDefinitions {\n    attributeDefinitions { name label type allowedValues }\n  }\n": typeof types.AttributeDefinitionsDocument,
    "\n  query ValidateRuleSet($definition: JSONObject!, $ruleSetKey: String) {\n    validateRuleSet(definition: $definition, ruleSetKey: $ruleSetKey) {\n      valid\n      problems { path message }\n    }\n  }\n": typeof types.ValidateRuleSetDocument,
    "\n  mutation SaveDraft($input: SaveDraftInput!) {\n    saveDraft(input: $input) { id revision status definition updatedAt editors note }\n  }\n": typeof types.SaveDraftDocument,
    "\n  query Leads(\n    $filter: LeadFilter\n    $orderBy: LeadOrder\n    $first: Int\n    $after: String\n    $model: String\n    $modelKey: String! = \"default\"\n    $byModel: Boolean! = false\n  ) {\n    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, model: $model) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id\n          externalId\n          email\n          segment\n          source\n          outcome\n          attributes\n          owner { id name kind }\n          score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n          modelScore(model: $modelKey) @include(if: $byModel) { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n        }\n      }\n    }\n  }\n": typeof types.LeadsDocument,
    "\n  query Lead($id: ID!) {\n    lead(id: $id) {\n      id\n      externalId\n      email\n      segment\n      source\n      outcome\n      outcomeAt\n      dealValue\n      attributes\n      owner { id name kind team }\n      account { id name domain }\n      scores {\n        model\n        ruleSetKey\n        ruleSetVersion\n        total\n        fit\n        engagement\n        cell\n        band\n        qualified\n        actionLabel\n        scoredAt\n        reasons { rule label dimension points }\n      }\n      createdAt\n      updatedAt\n      score {\n        total\n        fit\n        engagement\n        fitGrade\n        engagementLevel\n        cell\n        band\n        qualified\n        action\n        actionLabel\n        ruleSetKey\n        ruleSetVersion\n        scoredAt\n        lastActivityAt\n        reasons { rule label dimension points }\n        conversionProbability { value stale reason source { backtestRunId cohortSize conversions } }\n      }\n      scoreHistory(first: 200) {\n        edges { node { id cause changedAt ruleSetKey ruleSetVersion old { total cell band } new { total fit engagement cell band qualified } } }\n      }\n      activities(first: 50) {\n        totalCount\n        edges { node { id typeName occurredAt properties } }\n      }\n    }\n  }\n": typeof types.LeadDocument,
    "\n  query LeadModelHistory($id: ID!, $model: String!) {\n    lead(id: $id) {\n      id\n      modelHistory(model: $model, first: 50) { model cause ruleSetVersion changedAt before { total cell } after { total cell } }\n    }\n  }\n": typeof types.LeadModelHistoryDocument,
    "\n  query LeadLists {\n    leadLists { id name team canEdit }\n  }\n": typeof types.LeadListsDocument,
    "\n  query SavedLeadList($id: ID!) {\n    leadList(id: $id) { id name team description filter orderBy createdBy canEdit exportPath }\n  }\n": typeof types.SavedLeadListDocument,
    "\n  mutation CreateLeadList($input: CreateLeadListInput!) {\n    createLeadList(input: $input) { id name team }\n  }\n": typeof types.CreateLeadListDocument,
    "\n  mutation DeleteLeadList($id: ID!) {\n    deleteLeadList(id: $id)\n  }\n": typeof types.DeleteLeadListDocument,
    "\n  query ScoreModels($subject: ScoreSubject) {\n    scoreModels(subject: $subject) {\n      key\n      subject\n      name\n      isDefault\n      ruleSets { key name isDefault activeVersionId }\n    }\n  }\n": typeof types.ScoreModelsDocument,
    "\n  mutation SubmitForReview($versionId: ID!) {\n    submitForReview(versionId: $versionId) { id status submittedAt submittedBy }\n  }\n": typeof types.SubmitForReviewDocument,
    "\n  mutation ApproveVersion($input: ReviewInput!) {\n    approveVersion(input: $input) { id status approvedAt }\n  }\n": typeof types.ApproveVersionDocument,
    "\n  mutation RequestChanges($input: ReviewInput!) {\n    requestChanges(input: $input) { id status }\n  }\n": typeof types.RequestChangesDocument,
    "\n  mutation PublishVersion($versionId: ID!) {\n    publishVersion(versionId: $versionId) {\n      version { id status publishedAt }\n      rescoreJob { id }\n    }\n  }\n": typeof types.PublishVersionDocument,
    "\n  query VersionEvidence($id: ID!) {\n    ruleSetVersion(id: $id) {\n      id\n      evidence {\n        backtestRunId\n        stale\n        notes\n        mqlShareBefore\n        mqlShareAfter\n        mqlsPerWeekBefore\n        mqlsPerWeekAfter\n        appliedRules { rule from to }\n        addedCandidates { rule label points }\n        thresholds { qualificationBefore qualificationAfter bands { band before after } }\n        holdout {\n          leads\n          converted\n          activeVersion\n          active { auc precision recall topDecileLift threshold }\n          draft { auc precision recall topDecileLift threshold }\n        }\n      }\n    }\n  }\n": typeof types.VersionEvidenceDocument,
    "\n  query RuleSets {\n    ruleSets {\n      id\n      key\n      name\n      description\n      isDefault\n      segments\n      updatedAt\n      activeVersion { id version status publishedAt publishedBy }\n      versions { id version status updatedAt createdBy }\n    }\n  }\n": typeof types.RuleSetsDocument,
    "\n  query RuleSet($key: String!) {\n    ruleSet(key: $key) {\n      id\n      key\n      name\n      description\n      isDefault\n      segments\n      activeVersionId\n      versions {\n        id\n        version\n        status\n        revision\n        note\n        createdAt\n        createdBy\n        editors\n        updatedAt\n        submittedAt\n        submittedBy\n        approvedAt\n        publishedAt\n        publishedBy\n        retiredAt\n        basedOnVersionId\n      }\n    }\n  }\n": typeof types.RuleSetDocument,
    "\n  query VersionReviews($versionId: ID!) {\n    ruleSetReviews(versionId: $versionId) {\n      id\n      side\n      decision\n      reviewer\n      comment\n      revision\n      voided\n      createdAt\n    }\n  }\n": typeof types.VersionReviewsDocument,
    "\n  query RuleSetDiff($fromVersionId: ID!, $toVersionId: ID, $toDefinition: JSONObject) {\n    ruleSetDiff(fromVersionId: $fromVersionId, toVersionId: $toVersionId, toDefinition: $toDefinition) {\n      identical\n      summary\n      changes\n    }\n  }\n": typeof types.RuleSetDiffDocument,
    "\n  mutation CreateDraft($input: CreateDraftInput!) {\n    createDraft(input: $input) { id version ruleSetKey }\n  }\n": typeof types.CreateDraftDocument,
    "\n  mutation Rollback($ruleSetKey: String!, $toVersionId: ID!) {\n    rollbackRuleSet(ruleSetKey: $ruleSetKey, toVersionId: $toVersionId) {\n      version { id version status }\n      rescoreJob { id }\n    }\n  }\n": typeof types.RollbackDocument,
    "\n  query RescoreJob($id: ID!) {\n    rescoreJob(id: $id) {\n      id\n      status\n      percent\n      doneLeads\n      totalLeads\n      changedLeads\n      leadsPerSecond\n      etaSeconds\n      error\n      version\n      ruleSetKey\n      startedAt\n      finishedAt\n    }\n  }\n": typeof types.RescoreJobDocument,
    "\n  mutation SetRuleSetSegments($key: String!, $segments: [String!]!) {\n    setRuleSetSegments(key: $key, segments: $segments) {\n      ruleSet { id segments }\n      rescoreJob { id totalLeads }\n    }\n  }\n": typeof types.SetRuleSetSegmentsDocument,
    "\n  query LeadSearch($search: String!) {\n    leads(filter: { search: $search }, first: 8) {\n      edges { node { id externalId email score { total cell } } }\n    }\n  }\n": typeof types.LeadSearchDocument,
    "\n  query Simulate($input: SimulateInput!) {\n    simulateRuleSet(input: $input) {\n      candidate { ...SimulationSideFields }\n      active { ...SimulationSideFields }\n    }\n  }\n\n  fragment SimulationSideFields on SimulationSide {\n    version\n    versionId\n    daysInactive\n    facts\n    score { total fit engagement fitGrade engagementLevel cell band qualified action actionLabel }\n    rules {\n      rule\n      label\n      dimension\n      points\n      fired\n      evaluated\n      failedConditions { path fact operator value factValue negated note sharedCondition }\n    }\n  }\n": typeof types.SimulateDocument,
    "\n  mutation CreateLiveTicket {\n    createLiveTicket { ticket expiresAt }\n  }\n": typeof types.CreateLiveTicketDocument,
    "\n  subscription LeadScoreChanged($leadId: ID!) {\n    leadScoreChanged(leadId: $leadId) { total fit engagement cell band qualified scoredAt }\n  }\n": typeof types.LeadScoreChangedDocument,
    "\n  subscription LeadsChanged($filter: LeadFilter) {\n    leadsChanged(filter: $filter) {\n      leadId\n      kind\n      score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n    }\n  }\n": typeof types.LeadsChangedDocument,
    "\n  subscription RescoreProgress($jobId: ID!) {\n    rescoreProgress(jobId: $jobId) {\n      id\n      status\n      percent\n      doneLeads\n      totalLeads\n      changedLeads\n      leadsPerSecond\n      etaSeconds\n      ruleSetKey\n      version\n      error\n      startedAt\n      finishedAt\n    }\n  }\n": typeof types.RescoreProgressDocument,
};
const documents: Documents = {
    "\n  query Accounts($first: Int, $after: String, $orderBy: AccountOrder, $model: String, $search: String, $committee: Int) {\n    accounts(first: $first, after: $after, orderBy: $orderBy, model: $model, search: $search) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        name\n        domain\n        externalId\n        contactCount\n        score(model: $model) { model total fit engagement cell band qualified actionLabel }\n        contacts(first: $committee) {\n          edges { node { id email externalId attributes score { total cell band } } }\n        }\n      }\n    }\n  }\n": types.AccountsDocument,
    "\n  query Account($id: ID!, $contacts: Int) {\n    account(id: $id) {\n      id\n      externalId\n      domain\n      name\n      attributes\n      outcome\n      outcomeAt\n      contactCount\n      mergedIntoId\n      createdAt\n      updatedAt\n      scores {\n        model\n        ruleSetKey\n        ruleSetVersion\n        total\n        fit\n        engagement\n        fitGrade\n        engagementLevel\n        cell\n        band\n        qualified\n        actionLabel\n        scoredAt\n        lastActivityAt\n        reasons { rule dimension points label contacts { leadId label } }\n      }\n      contacts(first: $contacts) {\n        totalCount\n        edges {\n          node {\n            id\n            email\n            externalId\n            attributes\n            outcome\n            score { total fit engagement cell band qualified lastActivityAt }\n          }\n        }\n      }\n    }\n  }\n": types.AccountDocument,
    "\n  query AccountHistory($id: ID!, $model: String) {\n    account(id: $id) {\n      id\n      history(model: $model, first: 100) {\n        model\n        cause\n        ruleSetVersion\n        changedAt\n        before { total cell band qualified }\n        after { total cell band qualified }\n      }\n    }\n  }\n": types.AccountHistoryDocument,
    "\n  query AccountAttributeDefinitions {\n    attributeDefinitions(scope: ACCOUNT) { name label type }\n  }\n": types.AccountAttributeDefinitionsDocument,
    "\n  query AuditLog($filter: AuditFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id at actor action entityType entityId summary before after diff requestId } }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query ApiKeys {\n    apiKeys { id name prefix scopes active createdAt createdBy expiresAt lastUsedAt revokedAt }\n    users { id email }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { id name prefix }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id active revokedAt }\n  }\n": types.RevokeApiKeyDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user { id email name role }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  query AuthProviders {\n    authProviders { id name loginUrl }\n  }\n": types.AuthProvidersDocument,
    "\n  mutation ExchangeSsoCode($code: String!) {\n    exchangeSsoCode(code: $code) {\n      token\n      expiresAt\n      user { id email name role }\n    }\n  }\n": types.ExchangeSsoCodeDocument,
    "\n  query BacktestExportUrl($id: ID!) {\n    backtestRun(id: $id) { id exportUrl }\n  }\n": types.BacktestExportUrlDocument,
    "\n  mutation RunBacktest($input: RunBacktestInput!) {\n    runBacktest(input: $input) { id status }\n  }\n": types.RunBacktestDocument,
    "\n  query BacktestCohorts {\n    backtestCohorts(first: 20) {\n      id\n      subject\n      accountCount\n      description\n      leadCount\n      convertedCount\n      decidedCount\n      preparedAt\n    }\n  }\n": types.BacktestCohortsDocument,
    "\n  query BacktestRuns($ruleSetKey: String!) {\n    backtestRuns(ruleSetKey: $ruleSetKey, first: 20) {\n      id\n      status\n      versionId\n      version\n      compareToVersion\n      createdAt\n      createdBy\n      durationMs\n      error\n      cohortSpec { ...CohortSpecFields }\n    }\n  }\n\n  fragment CohortSpecFields on BacktestCohortSpec {\n    createdFrom\n    createdTo\n    cutoffAt\n    cutoffDaysAfterCreation\n    segment\n    source\n    attributes { name value }\n  }\n": types.BacktestRunsDocument,
    "\n  query BacktestRun($id: ID!) {\n    backtestRun(id: $id) {\n      id\n      status\n      subject\n      error\n      ruleSetKey\n      versionId\n      version\n      compareToVersionId\n      compareToVersion\n      cohortId\n      openLeads\n      createdAt\n      createdBy\n      durationMs\n      definitionChecksum\n      cohortSpec { ...CohortSpecFields }\n      results {\n        compiled\n        timings { loadCohortMs scoreMs metricsMs }\n        metrics { ...BacktestMetricsFields }\n        suggestions { ...BacktestSuggestionsFields }\n        comparison {\n          baselineVersion\n          baselineVersionId\n          leadsChangingCell\n          baseline { ...BacktestMetricsFields }\n          deltas { auc precision recall f1 shareToSales qualified }\n          cellMoves { from to leads converted examples }\n        }\n      }\n    }\n  }\n\n  fragment BacktestSuggestionsFields on BacktestSuggestions {\n    fitted\n    reason\n    pointsPerLogOdds\n    split { kind holdoutShare trainingLeads holdoutLeads }\n    rules { rule suggestedPoints margin note }\n    candidates { rule label dimension fired lift conversionWhenFired suggestedPoints margin }\n    holdout {\n      leads\n      converted\n      current { auc precision recall topDecileLift }\n      suggested { auc precision recall topDecileLift }\n      withCandidates { auc precision recall topDecileLift }\n    }\n  }\n\n  fragment BacktestMetricsFields on BacktestMetrics {\n    leads\n    converted\n    conversionRate\n    revenue\n    auc\n    threshold\n    qualified\n    precision\n    recall\n    f1\n    shareToSales\n    rocCurve { fpr tpr threshold }\n    bands { band leads converted conversionRate revenue }\n    cells { cell leads converted conversionRate revenue }\n    deciles { decile leads converted conversionRate lift cumulativeGain minScore maxScore }\n    rules { rule label dimension currentPoints suggestedPoints fired fireRate conversionWhenFired conversionWhenNotFired lift }\n  }\n": types.BacktestRunDocument,
    "\n  query VersionBacktests($ruleSetKey: String!) {\n    backtestRuns(ruleSetKey: $ruleSetKey, first: 50) {\n      id\n      status\n      versionId\n      compareToVersionId\n      createdAt\n    }\n  }\n": types.VersionBacktestsDocument,
    "\n  mutation ApplyBacktestSuggestions($input: ApplyBacktestSuggestionsInput!) {\n    applyBacktestSuggestions(input: $input) {\n      version { id version }\n    }\n  }\n": types.ApplyBacktestSuggestionsDocument,
    "\n  query CohortFreshness($id: ID!) {\n    backtestCohort(id: $id) {\n      id\n      generation\n      outcomesChangedSince\n      spec { createdFrom createdTo source segment attributes { name value } cutoffAt cutoffDaysAfterCreation }\n    }\n  }\n": types.CohortFreshnessDocument,
    "\n  mutation RefreshCohort($input: BacktestCohortInput!) {\n    prepareBacktestCohort(input: $input, refresh: true) {\n      id\n      generation\n    }\n  }\n": types.RefreshCohortDocument,
    "\n  query Version($id: ID!) {\n    ruleSetVersion(id: $id) {\n      id\n      version\n      status\n      revision\n      note\n      definition\n      ruleSetKey\n      ruleSetId\n      editors\n      createdBy\n      updatedAt\n      basedOnVersionId\n      submittedBy\n      submittedAt\n      approvedAt\n      publishedAt\n      publishedBy\n    }\n  }\n": types.VersionDocument,
    "\n  query AttributeDefinitions {\n    attributeDefinitions { name label type allowedValues }\n  }\n": types.AttributeDefinitionsDocument,
    "\n  query ValidateRuleSet($definition: JSONObject!, $ruleSetKey: String) {\n    validateRuleSet(definition: $definition, ruleSetKey: $ruleSetKey) {\n      valid\n      problems { path message }\n    }\n  }\n": types.ValidateRuleSetDocument,
    "\n  mutation SaveDraft($input: SaveDraftInput!) {\n    saveDraft(input: $input) { id revision status definition updatedAt editors note }\n  }\n": types.SaveDraftDocument,
    "\n  query Leads(\n    $filter: LeadFilter\n    $orderBy: LeadOrder\n    $first: Int\n    $after: String\n    $model: String\n    $modelKey: String! = \"default\"\n    $byModel: Boolean! = false\n  ) {\n    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, model: $model) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id\n          externalId\n          email\n          segment\n          source\n          outcome\n          attributes\n          owner { id name kind }\n          score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n          modelScore(model: $modelKey) @include(if: $byModel) { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n        }\n      }\n    }\n  }\n": types.LeadsDocument,
    "\n  query Lead($id: ID!) {\n    lead(id: $id) {\n      id\n      externalId\n      email\n      segment\n      source\n      outcome\n      outcomeAt\n      dealValue\n      attributes\n      owner { id name kind team }\n      account { id name domain }\n      scores {\n        model\n        ruleSetKey\n        ruleSetVersion\n        total\n        fit\n        engagement\n        cell\n        band\n        qualified\n        actionLabel\n        scoredAt\n        reasons { rule label dimension points }\n      }\n      createdAt\n      updatedAt\n      score {\n        total\n        fit\n        engagement\n        fitGrade\n        engagementLevel\n        cell\n        band\n        qualified\n        action\n        actionLabel\n        ruleSetKey\n        ruleSetVersion\n        scoredAt\n        lastActivityAt\n        reasons { rule label dimension points }\n        conversionProbability { value stale reason source { backtestRunId cohortSize conversions } }\n      }\n      scoreHistory(first: 200) {\n        edges { node { id cause changedAt ruleSetKey ruleSetVersion old { total cell band } new { total fit engagement cell band qualified } } }\n      }\n      activities(first: 50) {\n        totalCount\n        edges { node { id typeName occurredAt properties } }\n      }\n    }\n  }\n": types.LeadDocument,
    "\n  query LeadModelHistory($id: ID!, $model: String!) {\n    lead(id: $id) {\n      id\n      modelHistory(model: $model, first: 50) { model cause ruleSetVersion changedAt before { total cell } after { total cell } }\n    }\n  }\n": types.LeadModelHistoryDocument,
    "\n  query LeadLists {\n    leadLists { id name team canEdit }\n  }\n": types.LeadListsDocument,
    "\n  query SavedLeadList($id: ID!) {\n    leadList(id: $id) { id name team description filter orderBy createdBy canEdit exportPath }\n  }\n": types.SavedLeadListDocument,
    "\n  mutation CreateLeadList($input: CreateLeadListInput!) {\n    createLeadList(input: $input) { id name team }\n  }\n": types.CreateLeadListDocument,
    "\n  mutation DeleteLeadList($id: ID!) {\n    deleteLeadList(id: $id)\n  }\n": types.DeleteLeadListDocument,
    "\n  query ScoreModels($subject: ScoreSubject) {\n    scoreModels(subject: $subject) {\n      key\n      subject\n      name\n      isDefault\n      ruleSets { key name isDefault activeVersionId }\n    }\n  }\n": types.ScoreModelsDocument,
    "\n  mutation SubmitForReview($versionId: ID!) {\n    submitForReview(versionId: $versionId) { id status submittedAt submittedBy }\n  }\n": types.SubmitForReviewDocument,
    "\n  mutation ApproveVersion($input: ReviewInput!) {\n    approveVersion(input: $input) { id status approvedAt }\n  }\n": types.ApproveVersionDocument,
    "\n  mutation RequestChanges($input: ReviewInput!) {\n    requestChanges(input: $input) { id status }\n  }\n": types.RequestChangesDocument,
    "\n  mutation PublishVersion($versionId: ID!) {\n    publishVersion(versionId: $versionId) {\n      version { id status publishedAt }\n      rescoreJob { id }\n    }\n  }\n": types.PublishVersionDocument,
    "\n  query VersionEvidence($id: ID!) {\n    ruleSetVersion(id: $id) {\n      id\n      evidence {\n        backtestRunId\n        stale\n        notes\n        mqlShareBefore\n        mqlShareAfter\n        mqlsPerWeekBefore\n        mqlsPerWeekAfter\n        appliedRules { rule from to }\n        addedCandidates { rule label points }\n        thresholds { qualificationBefore qualificationAfter bands { band before after } }\n        holdout {\n          leads\n          converted\n          activeVersion\n          active { auc precision recall topDecileLift threshold }\n          draft { auc precision recall topDecileLift threshold }\n        }\n      }\n    }\n  }\n": types.VersionEvidenceDocument,
    "\n  query RuleSets {\n    ruleSets {\n      id\n      key\n      name\n      description\n      isDefault\n      segments\n      updatedAt\n      activeVersion { id version status publishedAt publishedBy }\n      versions { id version status updatedAt createdBy }\n    }\n  }\n": types.RuleSetsDocument,
    "\n  query RuleSet($key: String!) {\n    ruleSet(key: $key) {\n      id\n      key\n      name\n      description\n      isDefault\n      segments\n      activeVersionId\n      versions {\n        id\n        version\n        status\n        revision\n        note\n        createdAt\n        createdBy\n        editors\n        updatedAt\n        submittedAt\n        submittedBy\n        approvedAt\n        publishedAt\n        publishedBy\n        retiredAt\n        basedOnVersionId\n      }\n    }\n  }\n": types.RuleSetDocument,
    "\n  query VersionReviews($versionId: ID!) {\n    ruleSetReviews(versionId: $versionId) {\n      id\n      side\n      decision\n      reviewer\n      comment\n      revision\n      voided\n      createdAt\n    }\n  }\n": types.VersionReviewsDocument,
    "\n  query RuleSetDiff($fromVersionId: ID!, $toVersionId: ID, $toDefinition: JSONObject) {\n    ruleSetDiff(fromVersionId: $fromVersionId, toVersionId: $toVersionId, toDefinition: $toDefinition) {\n      identical\n      summary\n      changes\n    }\n  }\n": types.RuleSetDiffDocument,
    "\n  mutation CreateDraft($input: CreateDraftInput!) {\n    createDraft(input: $input) { id version ruleSetKey }\n  }\n": types.CreateDraftDocument,
    "\n  mutation Rollback($ruleSetKey: String!, $toVersionId: ID!) {\n    rollbackRuleSet(ruleSetKey: $ruleSetKey, toVersionId: $toVersionId) {\n      version { id version status }\n      rescoreJob { id }\n    }\n  }\n": types.RollbackDocument,
    "\n  query RescoreJob($id: ID!) {\n    rescoreJob(id: $id) {\n      id\n      status\n      percent\n      doneLeads\n      totalLeads\n      changedLeads\n      leadsPerSecond\n      etaSeconds\n      error\n      version\n      ruleSetKey\n      startedAt\n      finishedAt\n    }\n  }\n": types.RescoreJobDocument,
    "\n  mutation SetRuleSetSegments($key: String!, $segments: [String!]!) {\n    setRuleSetSegments(key: $key, segments: $segments) {\n      ruleSet { id segments }\n      rescoreJob { id totalLeads }\n    }\n  }\n": types.SetRuleSetSegmentsDocument,
    "\n  query LeadSearch($search: String!) {\n    leads(filter: { search: $search }, first: 8) {\n      edges { node { id externalId email score { total cell } } }\n    }\n  }\n": types.LeadSearchDocument,
    "\n  query Simulate($input: SimulateInput!) {\n    simulateRuleSet(input: $input) {\n      candidate { ...SimulationSideFields }\n      active { ...SimulationSideFields }\n    }\n  }\n\n  fragment SimulationSideFields on SimulationSide {\n    version\n    versionId\n    daysInactive\n    facts\n    score { total fit engagement fitGrade engagementLevel cell band qualified action actionLabel }\n    rules {\n      rule\n      label\n      dimension\n      points\n      fired\n      evaluated\n      failedConditions { path fact operator value factValue negated note sharedCondition }\n    }\n  }\n": types.SimulateDocument,
    "\n  mutation CreateLiveTicket {\n    createLiveTicket { ticket expiresAt }\n  }\n": types.CreateLiveTicketDocument,
    "\n  subscription LeadScoreChanged($leadId: ID!) {\n    leadScoreChanged(leadId: $leadId) { total fit engagement cell band qualified scoredAt }\n  }\n": types.LeadScoreChangedDocument,
    "\n  subscription LeadsChanged($filter: LeadFilter) {\n    leadsChanged(filter: $filter) {\n      leadId\n      kind\n      score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n    }\n  }\n": types.LeadsChangedDocument,
    "\n  subscription RescoreProgress($jobId: ID!) {\n    rescoreProgress(jobId: $jobId) {\n      id\n      status\n      percent\n      doneLeads\n      totalLeads\n      changedLeads\n      leadsPerSecond\n      etaSeconds\n      ruleSetKey\n      version\n      error\n      startedAt\n      finishedAt\n    }\n  }\n": types.RescoreProgressDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Accounts($first: Int, $after: String, $orderBy: AccountOrder, $model: String, $search: String, $committee: Int) {\n    accounts(first: $first, after: $after, orderBy: $orderBy, model: $model, search: $search) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes {\n        id\n        name\n        domain\n        externalId\n        contactCount\n        score(model: $model) { model total fit engagement cell band qualified actionLabel }\n        contacts(first: $committee) {\n          edges { node { id email externalId attributes score { total cell band } } }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').AccountsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Account($id: ID!, $contacts: Int) {\n    account(id: $id) {\n      id\n      externalId\n      domain\n      name\n      attributes\n      outcome\n      outcomeAt\n      contactCount\n      mergedIntoId\n      createdAt\n      updatedAt\n      scores {\n        model\n        ruleSetKey\n        ruleSetVersion\n        total\n        fit\n        engagement\n        fitGrade\n        engagementLevel\n        cell\n        band\n        qualified\n        actionLabel\n        scoredAt\n        lastActivityAt\n        reasons { rule dimension points label contacts { leadId label } }\n      }\n      contacts(first: $contacts) {\n        totalCount\n        edges {\n          node {\n            id\n            email\n            externalId\n            attributes\n            outcome\n            score { total fit engagement cell band qualified lastActivityAt }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').AccountDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountHistory($id: ID!, $model: String) {\n    account(id: $id) {\n      id\n      history(model: $model, first: 100) {\n        model\n        cause\n        ruleSetVersion\n        changedAt\n        before { total cell band qualified }\n        after { total cell band qualified }\n      }\n    }\n  }\n"): typeof import('./graphql').AccountHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountAttributeDefinitions {\n    attributeDefinitions(scope: ACCOUNT) { name label type }\n  }\n"): typeof import('./graphql').AccountAttributeDefinitionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($filter: AuditFilter, $first: Int, $after: String) {\n    auditLog(filter: $filter, first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { id at actor action entityType entityId summary before after diff requestId } }\n    }\n  }\n"): typeof import('./graphql').AuditLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys {\n    apiKeys { id name prefix scopes active createdAt createdBy expiresAt lastUsedAt revokedAt }\n    users { id email }\n  }\n"): typeof import('./graphql').ApiKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey { id name prefix }\n    }\n  }\n"): typeof import('./graphql').CreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id active revokedAt }\n  }\n"): typeof import('./graphql').RevokeApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user { id email name role }\n    }\n  }\n"): typeof import('./graphql').SignInDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): typeof import('./graphql').SignOutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthProviders {\n    authProviders { id name loginUrl }\n  }\n"): typeof import('./graphql').AuthProvidersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExchangeSsoCode($code: String!) {\n    exchangeSsoCode(code: $code) {\n      token\n      expiresAt\n      user { id email name role }\n    }\n  }\n"): typeof import('./graphql').ExchangeSsoCodeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BacktestExportUrl($id: ID!) {\n    backtestRun(id: $id) { id exportUrl }\n  }\n"): typeof import('./graphql').BacktestExportUrlDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunBacktest($input: RunBacktestInput!) {\n    runBacktest(input: $input) { id status }\n  }\n"): typeof import('./graphql').RunBacktestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BacktestCohorts {\n    backtestCohorts(first: 20) {\n      id\n      subject\n      accountCount\n      description\n      leadCount\n      convertedCount\n      decidedCount\n      preparedAt\n    }\n  }\n"): typeof import('./graphql').BacktestCohortsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BacktestRuns($ruleSetKey: String!) {\n    backtestRuns(ruleSetKey: $ruleSetKey, first: 20) {\n      id\n      status\n      versionId\n      version\n      compareToVersion\n      createdAt\n      createdBy\n      durationMs\n      error\n      cohortSpec { ...CohortSpecFields }\n    }\n  }\n\n  fragment CohortSpecFields on BacktestCohortSpec {\n    createdFrom\n    createdTo\n    cutoffAt\n    cutoffDaysAfterCreation\n    segment\n    source\n    attributes { name value }\n  }\n"): typeof import('./graphql').BacktestRunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BacktestRun($id: ID!) {\n    backtestRun(id: $id) {\n      id\n      status\n      subject\n      error\n      ruleSetKey\n      versionId\n      version\n      compareToVersionId\n      compareToVersion\n      cohortId\n      openLeads\n      createdAt\n      createdBy\n      durationMs\n      definitionChecksum\n      cohortSpec { ...CohortSpecFields }\n      results {\n        compiled\n        timings { loadCohortMs scoreMs metricsMs }\n        metrics { ...BacktestMetricsFields }\n        suggestions { ...BacktestSuggestionsFields }\n        comparison {\n          baselineVersion\n          baselineVersionId\n          leadsChangingCell\n          baseline { ...BacktestMetricsFields }\n          deltas { auc precision recall f1 shareToSales qualified }\n          cellMoves { from to leads converted examples }\n        }\n      }\n    }\n  }\n\n  fragment BacktestSuggestionsFields on BacktestSuggestions {\n    fitted\n    reason\n    pointsPerLogOdds\n    split { kind holdoutShare trainingLeads holdoutLeads }\n    rules { rule suggestedPoints margin note }\n    candidates { rule label dimension fired lift conversionWhenFired suggestedPoints margin }\n    holdout {\n      leads\n      converted\n      current { auc precision recall topDecileLift }\n      suggested { auc precision recall topDecileLift }\n      withCandidates { auc precision recall topDecileLift }\n    }\n  }\n\n  fragment BacktestMetricsFields on BacktestMetrics {\n    leads\n    converted\n    conversionRate\n    revenue\n    auc\n    threshold\n    qualified\n    precision\n    recall\n    f1\n    shareToSales\n    rocCurve { fpr tpr threshold }\n    bands { band leads converted conversionRate revenue }\n    cells { cell leads converted conversionRate revenue }\n    deciles { decile leads converted conversionRate lift cumulativeGain minScore maxScore }\n    rules { rule label dimension currentPoints suggestedPoints fired fireRate conversionWhenFired conversionWhenNotFired lift }\n  }\n"): typeof import('./graphql').BacktestRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VersionBacktests($ruleSetKey: String!) {\n    backtestRuns(ruleSetKey: $ruleSetKey, first: 50) {\n      id\n      status\n      versionId\n      compareToVersionId\n      createdAt\n    }\n  }\n"): typeof import('./graphql').VersionBacktestsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApplyBacktestSuggestions($input: ApplyBacktestSuggestionsInput!) {\n    applyBacktestSuggestions(input: $input) {\n      version { id version }\n    }\n  }\n"): typeof import('./graphql').ApplyBacktestSuggestionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CohortFreshness($id: ID!) {\n    backtestCohort(id: $id) {\n      id\n      generation\n      outcomesChangedSince\n      spec { createdFrom createdTo source segment attributes { name value } cutoffAt cutoffDaysAfterCreation }\n    }\n  }\n"): typeof import('./graphql').CohortFreshnessDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshCohort($input: BacktestCohortInput!) {\n    prepareBacktestCohort(input: $input, refresh: true) {\n      id\n      generation\n    }\n  }\n"): typeof import('./graphql').RefreshCohortDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Version($id: ID!) {\n    ruleSetVersion(id: $id) {\n      id\n      version\n      status\n      revision\n      note\n      definition\n      ruleSetKey\n      ruleSetId\n      editors\n      createdBy\n      updatedAt\n      basedOnVersionId\n      submittedBy\n      submittedAt\n      approvedAt\n      publishedAt\n      publishedBy\n    }\n  }\n"): typeof import('./graphql').VersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AttributeDefinitions {\n    attributeDefinitions { name label type allowedValues }\n  }\n"): typeof import('./graphql').AttributeDefinitionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ValidateRuleSet($definition: JSONObject!, $ruleSetKey: String) {\n    validateRuleSet(definition: $definition, ruleSetKey: $ruleSetKey) {\n      valid\n      problems { path message }\n    }\n  }\n"): typeof import('./graphql').ValidateRuleSetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveDraft($input: SaveDraftInput!) {\n    saveDraft(input: $input) { id revision status definition updatedAt editors note }\n  }\n"): typeof import('./graphql').SaveDraftDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Leads(\n    $filter: LeadFilter\n    $orderBy: LeadOrder\n    $first: Int\n    $after: String\n    $model: String\n    $modelKey: String! = \"default\"\n    $byModel: Boolean! = false\n  ) {\n    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, model: $model) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          id\n          externalId\n          email\n          segment\n          source\n          outcome\n          attributes\n          owner { id name kind }\n          score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n          modelScore(model: $modelKey) @include(if: $byModel) { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').LeadsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Lead($id: ID!) {\n    lead(id: $id) {\n      id\n      externalId\n      email\n      segment\n      source\n      outcome\n      outcomeAt\n      dealValue\n      attributes\n      owner { id name kind team }\n      account { id name domain }\n      scores {\n        model\n        ruleSetKey\n        ruleSetVersion\n        total\n        fit\n        engagement\n        cell\n        band\n        qualified\n        actionLabel\n        scoredAt\n        reasons { rule label dimension points }\n      }\n      createdAt\n      updatedAt\n      score {\n        total\n        fit\n        engagement\n        fitGrade\n        engagementLevel\n        cell\n        band\n        qualified\n        action\n        actionLabel\n        ruleSetKey\n        ruleSetVersion\n        scoredAt\n        lastActivityAt\n        reasons { rule label dimension points }\n        conversionProbability { value stale reason source { backtestRunId cohortSize conversions } }\n      }\n      scoreHistory(first: 200) {\n        edges { node { id cause changedAt ruleSetKey ruleSetVersion old { total cell band } new { total fit engagement cell band qualified } } }\n      }\n      activities(first: 50) {\n        totalCount\n        edges { node { id typeName occurredAt properties } }\n      }\n    }\n  }\n"): typeof import('./graphql').LeadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LeadModelHistory($id: ID!, $model: String!) {\n    lead(id: $id) {\n      id\n      modelHistory(model: $model, first: 50) { model cause ruleSetVersion changedAt before { total cell } after { total cell } }\n    }\n  }\n"): typeof import('./graphql').LeadModelHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LeadLists {\n    leadLists { id name team canEdit }\n  }\n"): typeof import('./graphql').LeadListsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SavedLeadList($id: ID!) {\n    leadList(id: $id) { id name team description filter orderBy createdBy canEdit exportPath }\n  }\n"): typeof import('./graphql').SavedLeadListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLeadList($input: CreateLeadListInput!) {\n    createLeadList(input: $input) { id name team }\n  }\n"): typeof import('./graphql').CreateLeadListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteLeadList($id: ID!) {\n    deleteLeadList(id: $id)\n  }\n"): typeof import('./graphql').DeleteLeadListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ScoreModels($subject: ScoreSubject) {\n    scoreModels(subject: $subject) {\n      key\n      subject\n      name\n      isDefault\n      ruleSets { key name isDefault activeVersionId }\n    }\n  }\n"): typeof import('./graphql').ScoreModelsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitForReview($versionId: ID!) {\n    submitForReview(versionId: $versionId) { id status submittedAt submittedBy }\n  }\n"): typeof import('./graphql').SubmitForReviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveVersion($input: ReviewInput!) {\n    approveVersion(input: $input) { id status approvedAt }\n  }\n"): typeof import('./graphql').ApproveVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestChanges($input: ReviewInput!) {\n    requestChanges(input: $input) { id status }\n  }\n"): typeof import('./graphql').RequestChangesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishVersion($versionId: ID!) {\n    publishVersion(versionId: $versionId) {\n      version { id status publishedAt }\n      rescoreJob { id }\n    }\n  }\n"): typeof import('./graphql').PublishVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VersionEvidence($id: ID!) {\n    ruleSetVersion(id: $id) {\n      id\n      evidence {\n        backtestRunId\n        stale\n        notes\n        mqlShareBefore\n        mqlShareAfter\n        mqlsPerWeekBefore\n        mqlsPerWeekAfter\n        appliedRules { rule from to }\n        addedCandidates { rule label points }\n        thresholds { qualificationBefore qualificationAfter bands { band before after } }\n        holdout {\n          leads\n          converted\n          activeVersion\n          active { auc precision recall topDecileLift threshold }\n          draft { auc precision recall topDecileLift threshold }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').VersionEvidenceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RuleSets {\n    ruleSets {\n      id\n      key\n      name\n      description\n      isDefault\n      segments\n      updatedAt\n      activeVersion { id version status publishedAt publishedBy }\n      versions { id version status updatedAt createdBy }\n    }\n  }\n"): typeof import('./graphql').RuleSetsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RuleSet($key: String!) {\n    ruleSet(key: $key) {\n      id\n      key\n      name\n      description\n      isDefault\n      segments\n      activeVersionId\n      versions {\n        id\n        version\n        status\n        revision\n        note\n        createdAt\n        createdBy\n        editors\n        updatedAt\n        submittedAt\n        submittedBy\n        approvedAt\n        publishedAt\n        publishedBy\n        retiredAt\n        basedOnVersionId\n      }\n    }\n  }\n"): typeof import('./graphql').RuleSetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VersionReviews($versionId: ID!) {\n    ruleSetReviews(versionId: $versionId) {\n      id\n      side\n      decision\n      reviewer\n      comment\n      revision\n      voided\n      createdAt\n    }\n  }\n"): typeof import('./graphql').VersionReviewsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RuleSetDiff($fromVersionId: ID!, $toVersionId: ID, $toDefinition: JSONObject) {\n    ruleSetDiff(fromVersionId: $fromVersionId, toVersionId: $toVersionId, toDefinition: $toDefinition) {\n      identical\n      summary\n      changes\n    }\n  }\n"): typeof import('./graphql').RuleSetDiffDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDraft($input: CreateDraftInput!) {\n    createDraft(input: $input) { id version ruleSetKey }\n  }\n"): typeof import('./graphql').CreateDraftDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Rollback($ruleSetKey: String!, $toVersionId: ID!) {\n    rollbackRuleSet(ruleSetKey: $ruleSetKey, toVersionId: $toVersionId) {\n      version { id version status }\n      rescoreJob { id }\n    }\n  }\n"): typeof import('./graphql').RollbackDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RescoreJob($id: ID!) {\n    rescoreJob(id: $id) {\n      id\n      status\n      percent\n      doneLeads\n      totalLeads\n      changedLeads\n      leadsPerSecond\n      etaSeconds\n      error\n      version\n      ruleSetKey\n      startedAt\n      finishedAt\n    }\n  }\n"): typeof import('./graphql').RescoreJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRuleSetSegments($key: String!, $segments: [String!]!) {\n    setRuleSetSegments(key: $key, segments: $segments) {\n      ruleSet { id segments }\n      rescoreJob { id totalLeads }\n    }\n  }\n"): typeof import('./graphql').SetRuleSetSegmentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LeadSearch($search: String!) {\n    leads(filter: { search: $search }, first: 8) {\n      edges { node { id externalId email score { total cell } } }\n    }\n  }\n"): typeof import('./graphql').LeadSearchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Simulate($input: SimulateInput!) {\n    simulateRuleSet(input: $input) {\n      candidate { ...SimulationSideFields }\n      active { ...SimulationSideFields }\n    }\n  }\n\n  fragment SimulationSideFields on SimulationSide {\n    version\n    versionId\n    daysInactive\n    facts\n    score { total fit engagement fitGrade engagementLevel cell band qualified action actionLabel }\n    rules {\n      rule\n      label\n      dimension\n      points\n      fired\n      evaluated\n      failedConditions { path fact operator value factValue negated note sharedCondition }\n    }\n  }\n"): typeof import('./graphql').SimulateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLiveTicket {\n    createLiveTicket { ticket expiresAt }\n  }\n"): typeof import('./graphql').CreateLiveTicketDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LeadScoreChanged($leadId: ID!) {\n    leadScoreChanged(leadId: $leadId) { total fit engagement cell band qualified scoredAt }\n  }\n"): typeof import('./graphql').LeadScoreChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LeadsChanged($filter: LeadFilter) {\n    leadsChanged(filter: $filter) {\n      leadId\n      kind\n      score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }\n    }\n  }\n"): typeof import('./graphql').LeadsChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RescoreProgress($jobId: ID!) {\n    rescoreProgress(jobId: $jobId) {\n      id\n      status\n      percent\n      doneLeads\n      totalLeads\n      changedLeads\n      leadsPerSecond\n      etaSeconds\n      ruleSetKey\n      version\n      error\n      startedAt\n      finishedAt\n    }\n  }\n"): typeof import('./graphql').RescoreProgressDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
