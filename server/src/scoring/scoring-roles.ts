import { anyUserOr, type Requirement } from '../auth/auth-checker';

/**
 * Who may do what with scores beyond reading a lead's (which is LEAD_ROLES.read): the resolvers'
 * `@Authorized(...)` lists read this table. Admin always may, as everywhere.
 */
export const SCORING_ROLES = {
  /** Run the daily decay pass now. */
  runDecayPass: ['admin'],
  /** See what a decay pass would change, writing nothing: any user, or a key with scores:read. */
  previewDecay: anyUserOr('scores:read'),
} as const satisfies Record<string, readonly Requirement[]>;
