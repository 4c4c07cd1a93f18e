import { anyUserOr, type Requirement } from '../auth/auth-checker';

/**
 * Who may do what with leads: the resolvers' `@Authorized(...)` lists read this table (the lead
 * services check no role themselves). User roles and API key scopes; admin always may, as everywhere.
 */
export const LEAD_ROLES = {
  /** Read leads, their scores, history and activities, and the attribute catalog: any user, or a key with scores:read. */
  read: anyUserOr('scores:read'),
  /** Create and update leads, record their activities, set their outcomes: a key with leads:write (a client app). */
  write: ['admin', 'leads:write'],
  /** Change the attribute catalog. */
  defineAttribute: ['admin'],
  /** Erase a lead and everything about it. */
  erase: ['admin'],
} as const satisfies Record<string, readonly Requirement[]>;
