import { graphql } from '@/gql';

export const LeadsQuery = graphql(`
  query Leads(
    $filter: LeadFilter
    $orderBy: LeadOrder
    $first: Int
    $after: String
    $model: String
    $modelKey: String! = "default"
    $byModel: Boolean! = false
  ) {
    leads(filter: $filter, orderBy: $orderBy, first: $first, after: $after, model: $model) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          externalId
          email
          segment
          source
          outcome
          attributes
          owner { id name kind }
          score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }
          modelScore(model: $modelKey) @include(if: $byModel) { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }
        }
      }
    }
  }
`);

export const LeadQuery = graphql(`
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
      owner { id name kind team }
      account { id name domain }
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
        reasons { rule label dimension points }
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
        reasons { rule label dimension points }
        conversionProbability { value stale reason source { backtestRunId cohortSize conversions } }
      }
      scoreHistory(first: 200) {
        edges { node { id cause changedAt ruleSetKey ruleSetVersion old { total cell band } new { total fit engagement cell band qualified } } }
      }
      activities(first: 50) {
        totalCount
        edges { node { id typeName occurredAt properties } }
      }
    }
  }
`);

/** A lead's score changes in one lead model (the default model's are in LeadQuery's scoreHistory). */
export const LeadModelHistoryQuery = graphql(`
  query LeadModelHistory($id: ID!, $model: String!) {
    lead(id: $id) {
      id
      modelHistory(model: $model, first: 50) { model cause ruleSetVersion changedAt before { total cell } after { total cell } }
    }
  }
`);
