import { anyUserOr, type Requirement } from '../auth/auth-checker';

/**
 * Who may do what with owners and routing: the resolvers' `@Authorized(...)` lists read this table,
 * the owner service reads `assignAny` (sales may assign only to themselves). Admin always may.
 */
export const OWNER_ROLES = {
  /** List owners and routing rules, and see a lead's owner: anyone who may read leads. */
  read: anyUserOr('scores:read'),
  /** Define, update and deactivate owners; set the routing rules. */
  manage: ['admin', 'marketing'],
  /** Assign or unassign leads: sales only to and from themselves, admin any owner. */
  assign: ['admin', 'sales'],
  /** Assign any lead to any owner and take leads from anyone. */
  assignAny: ['admin'],
} as const satisfies Record<string, readonly Requirement[]>;
