import { anyUserOr, type Requirement } from '../auth/auth-checker';

/**
 * Who may do what with the activity catalog: the resolver's `@Authorized(...)` lists read this
 * table. Admin always may, as everywhere.
 */
export const ACTIVITY_CATALOG_ROLES = {
  /** Read the catalog and its unknown-type policy: any user, or a client app's key (it records activities). */
  read: anyUserOr('scores:read', 'leads:write'),
  /** Define and retire types, set the unknown-type policy: marketing owns what is tracked. */
  manage: ['admin', 'marketing'],
} as const satisfies Record<string, readonly Requirement[]>;
