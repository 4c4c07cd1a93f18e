import type { Actor } from '../auth/actor';
import { roleAllows } from '../auth/auth-checker';
import type { Role } from '../auth/principal';
import { ForbiddenError } from '../common/errors';
import { RuleSetErrorCode } from './ruleset.errors';

/**
 * Who may do what with rule sets: the resolvers' `@Authorized(...)` lists and the workflow's own
 * checks both read this table. Admin always may, as everywhere.
 */
export const RULE_SET_ROLES = {
  /** Read rule sets, versions, reviews, diffs, simulations and re-score progress. */
  view: ['marketing', 'sales', 'viewer'],
  /** Create rule sets and drafts, edit drafts, submit them for review, set segments. */
  edit: ['marketing'],
  /** The two sides that sign a version off, each for itself; admin is neither side. */
  review: ['marketing', 'sales'],
  /** May ask to publish or roll back; the workflow then requires a role of PUBLISH_ROLES (admin by default). */
  publish: ['marketing', 'sales'],
  archive: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type ReviewSide = (typeof RULE_SET_ROLES.review)[number];

export function isReviewSide(role: Actor['role']): role is ReviewSide {
  return (RULE_SET_ROLES.review as readonly (Role | null)[]).includes(role);
}

/** FORBIDDEN_ROLE unless the actor's role is one of `roles` (or admin). */
export function requireRole(actor: Actor, roles: readonly Role[], action: string): void {
  if (roleAllows(actor.role, roles)) return;
  throw new ForbiddenError(
    RuleSetErrorCode.ForbiddenRole,
    `${action} needs the role ${[...new Set(['admin', ...roles])].join(' or ')}; you are ${actor.role ?? 'not a user'}`,
  );
}
