'use client';

import { useQueryClient } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { readGraphQLResponse } from '@/lib/api-error';
import { networkError, onUnauthenticated } from '@/lib/graphql-client';
import type { Role, Session, SessionUser } from '@/lib/session';

interface AuthState {
  /** Always true: the server read the session before the page rendered (kept for callers that wait on it). */
  ready: boolean;
  session: Session | null;
  signIn(email: string, password: string): Promise<Session>;
  signOut(): Promise<void>;
  hasRole(...roles: Role[]): boolean;
}

const AuthContext = createContext<AuthState | null>(null);

async function sessionRequest<T>(method: 'POST' | 'DELETE', body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/session', {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw networkError();
  }
  return readGraphQLResponse<T>(response);
}

/** The signed-in user (read on the server from the session cookie), sign-in and sign-out through the console's /session route. */
export function AuthProvider({ initialUser, children }: { initialUser: SessionUser | null; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(initialUser ? { user: initialUser } : null);
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();

  const forget = useCallback(() => {
    setSession(null);
    // The next user must not see this one's cached answers.
    queryClient.clear();
  }, [queryClient]);

  useEffect(
    () =>
      onUnauthenticated(() => {
        void sessionRequest('DELETE').catch(() => undefined);
        forget();
      }),
    [forget],
  );

  // The server redirects pages without a session cookie; this covers a session that ends while a page is open.
  useEffect(() => {
    if (!session && pathname !== '/sign-in') router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
  }, [session, pathname, router]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const { user } = await sessionRequest<{ user: SessionUser }>('POST', { email, password });
      queryClient.clear();
      const next = { user };
      setSession(next);
      return next;
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await sessionRequest('DELETE');
    } finally {
      forget();
    }
  }, [forget]);

  const value = useMemo<AuthState>(
    () => ({
      ready: true,
      session,
      signIn,
      signOut,
      hasRole: (...roles) => !!session && (session.user.role === 'ADMIN' || roles.includes(session.user.role)),
    }),
    [session, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth needs an AuthProvider');
  return state;
}
