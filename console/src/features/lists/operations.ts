import { graphql } from '@/gql';

export const LeadListsQuery = graphql(`
  query LeadLists {
    leadLists { id name team canEdit }
  }
`);

export const SavedLeadListQuery = graphql(`
  query SavedLeadList($id: ID!) {
    leadList(id: $id) { id name team description filter orderBy createdBy canEdit exportPath }
  }
`);

export const CreateLeadListMutation = graphql(`
  mutation CreateLeadList($input: CreateLeadListInput!) {
    createLeadList(input: $input) { id name team }
  }
`);

export const DeleteLeadListMutation = graphql(`
  mutation DeleteLeadList($id: ID!) {
    deleteLeadList(id: $id)
  }
`);
