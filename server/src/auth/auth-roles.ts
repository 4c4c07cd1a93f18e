import { roleAllows } from './auth-checker';
import { ROLES, type Role } from './principal';

/**
 * Who may do what with users, sessions and API keys: the resolver's `@Authorized(...)` lists and
 * the checks made in code both read this table. Admin always may, as everywhere.
 */
export const AUTH_ROLES = {
  /** List, create, disable and enable users; list, create and revoke API keys; anyone's sessions. */
  manage: ['admin'],
  /** One's own account: change one's password, list and end one's own sessions. */
  ownAccount: ROLES,
} as const satisfies Record<string, readonly Role[]>;

/** Whether a user of this role may manage other users' accounts and sessions. */
export const mayManageAccounts = (role: Role | null): boolean => roleAllows(role, AUTH_ROLES.manage);
