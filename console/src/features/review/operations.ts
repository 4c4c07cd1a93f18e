import { graphql } from '@/gql';

export const SubmitForReviewMutation = graphql(`
  mutation SubmitForReview($versionId: ID!) {
    submitForReview(versionId: $versionId) { id status submittedAt submittedBy }
  }
`);

export const ApproveVersionMutation = graphql(`
  mutation ApproveVersion($input: ReviewInput!) {
    approveVersion(input: $input) { id status approvedAt }
  }
`);

export const RequestChangesMutation = graphql(`
  mutation RequestChanges($input: ReviewInput!) {
    requestChanges(input: $input) { id status }
  }
`);

export const PublishVersionMutation = graphql(`
  mutation PublishVersion($versionId: ID!) {
    publishVersion(versionId: $versionId) {
      version { id status publishedAt }
      rescoreJob { id }
    }
  }
`);

/** What a version made from backtest suggestions rests on (null for other versions). */
export const VersionEvidenceQuery = graphql(`
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
        appliedRules { rule from to }
        addedCandidates { rule label points }
        thresholds { qualificationBefore qualificationAfter bands { band before after } }
        holdout {
          leads
          converted
          activeVersion
          active { auc precision recall topDecileLift threshold }
          draft { auc precision recall topDecileLift threshold }
        }
      }
    }
  }
`);
