export enum ActivityCatalogErrorCode {
  InvalidActivityType = 'INVALID_ACTIVITY_TYPE',
  ActivityTypeNotFound = 'ACTIVITY_TYPE_NOT_FOUND',
  BuiltInActivityType = 'BUILT_IN_ACTIVITY_TYPE',
  ActivityTypeInUse = 'ACTIVITY_TYPE_IN_USE',
  CatalogFull = 'ACTIVITY_CATALOG_FULL',
  InvalidUnknownTypePolicy = 'INVALID_UNKNOWN_TYPE_POLICY',
}
