/**
 * Who may read the audit log: the resolver's `@Authorized(...)` list reads this table. (audit/ sits
 * below auth/, so the roles are plain strings here; auth-checker.ts interprets them.)
 */
export const AUDIT_ROLES = {
  read: ['admin'],
} as const;
