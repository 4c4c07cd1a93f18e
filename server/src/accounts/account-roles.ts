import { anyUserOr, type Requirement } from '../auth/auth-checker';

/**
 * Who may do what with accounts: as with leads (leads/lead-roles.ts), since accounts are made of
 * leads. Whoever may read leads may read accounts; whoever may write leads may write accounts.
 */
export const ACCOUNT_ROLES = {
  /** Read accounts, their contacts and scores: any user, or a key with scores:read. */
  read: anyUserOr('scores:read'),
  /** Create, update, merge accounts, move leads between them, set outcomes: a key with leads:write (a client app). */
  write: ['admin', 'leads:write'],
} as const satisfies Record<string, readonly Requirement[]>;
