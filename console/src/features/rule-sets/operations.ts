import { graphql } from '@/gql';

export const RuleSetsQuery = graphql(`
  query RuleSets {
    ruleSets {
      id
      key
      name
      description
      isDefault
      segments
      updatedAt
      activeVersion { id version status publishedAt publishedBy }
      versions { id version status updatedAt createdBy }
    }
  }
`);

export const RuleSetQuery = graphql(`
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
`);

export const VersionReviewsQuery = graphql(`
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
`);

export const RuleSetDiffQuery = graphql(`
  query RuleSetDiff($fromVersionId: ID!, $toVersionId: ID, $toDefinition: JSONObject) {
    ruleSetDiff(fromVersionId: $fromVersionId, toVersionId: $toVersionId, toDefinition: $toDefinition) {
      identical
      summary
      changes
    }
  }
`);

export const CreateDraftMutation = graphql(`
  mutation CreateDraft($input: CreateDraftInput!) {
    createDraft(input: $input) { id version ruleSetKey }
  }
`);

export const RollbackMutation = graphql(`
  mutation Rollback($ruleSetKey: String!, $toVersionId: ID!) {
    rollbackRuleSet(ruleSetKey: $ruleSetKey, toVersionId: $toVersionId) {
      version { id version status }
      rescoreJob { id }
    }
  }
`);

export const RescoreJobQuery = graphql(`
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
`);

export const SetRuleSetSegmentsMutation = graphql(`
  mutation SetRuleSetSegments($key: String!, $segments: [String!]!) {
    setRuleSetSegments(key: $key, segments: $segments) {
      ruleSet { id segments }
      rescoreJob { id totalLeads }
    }
  }
`);
