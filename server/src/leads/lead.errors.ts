export enum LeadErrorCode {
  LeadNotFound = 'LEAD_NOT_FOUND',
  InvalidLead = 'INVALID_LEAD',
  InvalidAttribute = 'INVALID_ATTRIBUTE',
  InvalidLeadQuery = 'INVALID_LEAD_QUERY',
  InvalidCursor = 'INVALID_CURSOR',
}
