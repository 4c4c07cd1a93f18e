import { anyUserOr, type Requirement } from '../auth/auth-checker';
import { ROLES } from '../auth/principal';

/**
 * Who may do what with saved lead lists and exports: the resolver's `@Authorized(...)` lists and the
 * export route read this table. Editing and deleting a list is further limited to its creator
 * (admins: any list), checked by the service since it depends on the list.
 */
export const LIST_ROLES = {
  /** See every team's lists, their leads, and export a list or a filter as CSV: whoever may read leads. */
  read: anyUserOr('scores:read'),
  /** Save a list: any signed-in user (an API key has no person to own the list). */
  create: [...ROLES],
} as const satisfies Record<string, readonly Requirement[]>;
