import { createHash, timingSafeEqual } from 'node:crypto';

/* What sessions, API keys and user accounts share: token formats, limits, hashing of secrets. */

/** Session tokens and API keys look different, so one Authorization header can carry either. */
export const SESSION_TOKEN_PREFIX = 'lss_';
export const API_KEY_PREFIX = 'lsk_';
export const API_KEY_FORMAT = /^(lsk_[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** last_used_at is a hint for admins, not an access log: written at most once a minute per key or session. */
export const LAST_USED_RESOLUTION_MS = 60 * 1000;

export const USER_LIMITS = { email: 320, name: 200, passwordMin: 12, passwordMax: 200, apiKeyName: 100 } as const;

/** The address sign-ins are counted under when a caller has none (in-process calls, the CLI). */
export const LOCAL_ADDRESS = 'local';

/** Ids are bigint: anything else (or beyond it) names no row. */
export const ID = /^\d{1,18}$/;

/** Who makes a change, as recorded in the audit log. `userId` is null for the CLI. */
export interface AuthActor {
  name: string;
  userId: string | null;
  requestId?: string;
}

/** The credential headers of a request: `Authorization: Bearer ...` and `X-Api-Key`. */
export interface Credentials {
  authorization?: string | null;
  apiKey?: string | null;
}

export const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Why a new password is refused, or null. */
export function passwordProblem(password: string): string | null {
  return password.length < USER_LIMITS.passwordMin || password.length > USER_LIMITS.passwordMax
    ? `must be ${USER_LIMITS.passwordMin} to ${USER_LIMITS.passwordMax} characters`
    : null;
}
