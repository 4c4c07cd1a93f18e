export enum LeadListErrorCode {
  InvalidList = 'INVALID_LEAD_LIST',
  ListNotFound = 'LEAD_LIST_NOT_FOUND',
  NameTaken = 'LEAD_LIST_NAME_TAKEN',
  TooManyLists = 'TOO_MANY_LEAD_LISTS',
  NotListOwner = 'NOT_LEAD_LIST_OWNER',
  InvalidExport = 'INVALID_LEAD_EXPORT',
  ExportTooLarge = 'LEAD_EXPORT_TOO_LARGE',
  TooManyExports = 'TOO_MANY_LEAD_EXPORTS',
}
