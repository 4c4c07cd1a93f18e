import { graphql } from '@/gql';

export const LeadSearchQuery = graphql(`
  query LeadSearch($search: String!) {
    leads(filter: { search: $search }, first: 8) {
      edges { node { id externalId email score { total cell } } }
    }
  }
`);

export const SimulateQuery = graphql(`
  query Simulate($input: SimulateInput!) {
    simulateRuleSet(input: $input) {
      candidate { ...SimulationSideFields }
      active { ...SimulationSideFields }
    }
  }

  fragment SimulationSideFields on SimulationSide {
    version
    versionId
    daysInactive
    facts
    score { total fit engagement fitGrade engagementLevel cell band qualified action actionLabel }
    rules {
      rule
      label
      dimension
      points
      fired
      evaluated
      failedConditions { path fact operator value factValue negated note sharedCondition }
    }
  }
`);
