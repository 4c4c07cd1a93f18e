import { anyUserOr, type Requirement } from '../auth/auth-checker';

/**
 * Who may do what with saved lead lists and exports: the resolver's `@Authorized(...)` lists and the
 * export route read this table. Editing and deleting a list is further limited to its creator
 * (admins: any list), checked by the service since it depends on the list.
 */
export const LIST_ROLES = {
  /** See every team's lists, their leads, and export a list or a filter as CSV: whoever may read leads. */
  read: anyUserOr('scores:read'),
  /** Save a list (and change or delete one's own): any user but a viewer, who only reads; an API key owns no list. */
  create: ['admin', 'marketing', 'sales'],
} as const satisfies Record<string, readonly Requirement[]>;
