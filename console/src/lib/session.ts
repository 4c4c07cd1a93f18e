/** The signed-in user's session, kept in localStorage so that it survives reloads (12 hours at most). */
export interface Session {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; name: string; role: Role };
}

export type Role = 'ADMIN' | 'MARKETING' | 'SALES' | 'VIEWER';

const KEY = 'lead-scoring.session';

export function readSession(): Session | null {
  if (typeof window === 'undefined') return null;
  try {
    const raw = window.localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (new Date(session.expiresAt).getTime() <= Date.now()) {
      window.localStorage.removeItem(KEY);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export function writeSession(session: Session | null): void {
  if (session) window.localStorage.setItem(KEY, JSON.stringify(session));
  else window.localStorage.removeItem(KEY);
}
