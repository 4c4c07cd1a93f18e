/** Who is signed in, as the browser knows it. The session token itself stays in an httpOnly cookie. */
export type Role = 'ADMIN' | 'MARKETING' | 'SALES' | 'VIEWER';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
}

/** Where a role lands after signing in or on the start page: authors and admins on rule sets, the others on leads. */
export function homeOf(role: Role): string {
  return role === 'SALES' || role === 'VIEWER' ? '/leads' : '/rule-sets';
}

/** A `next` parameter is followed only within the console. */
export function safeNext(next: string | null | undefined): string | null {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : null;
}
