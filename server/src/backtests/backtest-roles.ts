import type { Actor } from '../auth/actor';
import { roleAllows } from '../auth/auth-checker';
import type { Role } from '../auth/principal';
import { ForbiddenError } from '../common/errors';
import { BacktestErrorCode } from './backtest.errors';

/**
 * Who may do what with backtests: the resolvers' `@Authorized(...)` lists, the CSV export route and
 * the services' own checks all read this table. Admin always may, as everywhere.
 */
export const BACKTEST_ROLES = {
  /** Read runs, cohorts and their results; export a run's leads as CSV. */
  view: ['marketing', 'sales', 'viewer'],
  /** Run backtests and prepare cohorts. */
  run: ['marketing', 'sales'],
  /** Turn a run's suggestions into a new draft (editing rule sets). */
  applySuggestions: ['marketing'],
} as const satisfies Record<string, readonly Role[]>;

/** FORBIDDEN_ROLE unless the actor's role is one of `roles` (or admin); `action` says what needs it. */
export function requireRole(actor: Actor, roles: readonly Role[], action: string): void {
  if (roleAllows(actor.role, roles)) return;
  throw new ForbiddenError(
    BacktestErrorCode.ForbiddenRole,
    `${action}: it needs the role ${[...new Set(['admin', ...roles])].join(' or ')}; you are ${actor.role ?? 'not a user'}`,
  );
}
