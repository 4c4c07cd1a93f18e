export enum AuditErrorCode {
  InvalidQuery = 'INVALID_AUDIT_QUERY',
}
