import { graphql } from '@/gql';

export const VersionQuery = graphql(`
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
`);

export const AttributeDefinitionsQuery = graphql(`
  query AttributeDefinitions {
    attributeDefinitions { name label type allowedValues }
  }
`);

export const ValidateRuleSetQuery = graphql(`
  query ValidateRuleSet($definition: JSONObject!, $ruleSetKey: String) {
    validateRuleSet(definition: $definition, ruleSetKey: $ruleSetKey) {
      valid
      problems { path message }
    }
  }
`);

export const SaveDraftMutation = graphql(`
  mutation SaveDraft($input: SaveDraftInput!) {
    saveDraft(input: $input) { id revision status definition updatedAt editors note }
  }
`);
