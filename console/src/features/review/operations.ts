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
