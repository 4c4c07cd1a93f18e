import type { Role } from '../auth/principal';

/**
 * Who may do what with webhooks: the resolver's `@Authorized(...)` lists read this table. Admin
 * always may, as everywhere.
 */
export const WEBHOOK_ROLES = {
  /** List, create, activate and deactivate endpoints, rotate secrets, ping, read and redeliver deliveries. */
  manage: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
