/** Codes of the owners domain (extensions.reason); graphql/format-error.ts maps their kinds. */
export enum OwnerErrorCode {
  InvalidOwner = 'INVALID_OWNER',
  OwnerNotFound = 'OWNER_NOT_FOUND',
  OwnerInactive = 'OWNER_INACTIVE',
  InvalidAssignment = 'INVALID_ASSIGNMENT',
  AlreadyOwned = 'LEAD_ALREADY_OWNED',
  AssignmentForbidden = 'ASSIGNMENT_FORBIDDEN',
  InvalidRoutingRules = 'INVALID_ROUTING_RULES',
}
