import { UnauthenticatedError } from '../common/errors';
import { AuthErrorCode } from './auth.errors';
import { describePrincipal, type Principal } from './principal';

/** Who is acting, as the domains record it: a stable name for records, and the user's role. */
export interface Actor {
  /** e.g. `user:ana@acme.io`; recorded as author, reviewer, publisher and in the audit log. */
  name: string;
  role: 'admin' | 'marketing' | 'sales' | 'viewer' | null;
  requestId?: string;
}

export const SYSTEM_ACTOR: Actor = { name: 'system', role: 'admin' };

export function actorOf(principal: Principal | null, requestId?: string): Actor {
  if (!principal) throw new UnauthenticatedError(AuthErrorCode.NotAuthenticated, 'Sign in or send an API key');
  return { name: describePrincipal(principal), role: principal.kind === 'user' ? principal.role : null, requestId };
}
