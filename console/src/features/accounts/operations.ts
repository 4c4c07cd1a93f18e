import { graphql } from '@/gql';

/** Contacts read per account in the list, to show its buying committee (the best scored few). */
export const COMMITTEE_CANDIDATES = 10;

export const AccountsQuery = graphql(`
  query Accounts($first: Int, $after: String, $orderBy: AccountOrder, $model: String, $search: String, $committee: Int) {
    accounts(first: $first, after: $after, orderBy: $orderBy, model: $model, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        domain
        externalId
        contactCount
        score(model: $model) { model total fit engagement cell band qualified actionLabel }
        contacts(first: $committee) {
          edges { node { id email externalId attributes score { total cell band } } }
        }
      }
    }
  }
`);

export const AccountQuery = graphql(`
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
        reasons { rule dimension points label contacts { leadId label } }
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
            score { total fit engagement cell band qualified lastActivityAt }
          }
        }
      }
    }
  }
`);

export const AccountHistoryQuery = graphql(`
  query AccountHistory($id: ID!, $model: String) {
    account(id: $id) {
      id
      history(model: $model, first: 100) {
        model
        cause
        ruleSetVersion
        changedAt
        before { total cell band qualified }
        after { total cell band qualified }
      }
    }
  }
`);

/** The account-scope attribute catalog, for the words of an account's attributes. */
export const AccountAttributeDefinitionsQuery = graphql(`
  query AccountAttributeDefinitions {
    attributeDefinitions(scope: ACCOUNT) { name label type }
  }
`);
