import type { Role } from '../auth/principal';

/** Who may read and change the tracking configuration (event and trait mappings). Admin always may. */
export const INGESTION_ROLES = {
  configure: ['admin', 'marketing'],
} as const satisfies Record<string, readonly Role[]>;

/** The API key scope a write key must hold to send events. */
export const WRITE_KEY_SCOPE = 'leads:write';
