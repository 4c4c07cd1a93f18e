import { graphql } from '@/gql';

/* The live updates the console follows (API: subscriptions over graphql-ws), and the ticket it opens the socket with. */

export const CreateLiveTicketMutation = graphql(`
  mutation CreateLiveTicket {
    createLiveTicket { ticket expiresAt }
  }
`);

export const LeadScoreChangedSubscription = graphql(`
  subscription LeadScoreChanged($leadId: ID!) {
    leadScoreChanged(leadId: $leadId) { total fit engagement cell band qualified scoredAt }
  }
`);

export const LeadsChangedSubscription = graphql(`
  subscription LeadsChanged($filter: LeadFilter) {
    leadsChanged(filter: $filter) {
      leadId
      kind
      score { total fit engagement cell band qualified actionLabel scoredAt lastActivityAt }
    }
  }
`);

export const RescoreProgressSubscription = graphql(`
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
`);
