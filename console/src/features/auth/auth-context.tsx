'use client';

import { usePathname, useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { onUnauthenticated, request } from '@/lib/graphql-client';
import { readSession, writeSession, type Role, type Session } from '@/lib/session';
import { SignInMutation, SignOutMutation } from './operations';

interface AuthState {
  /** False until the stored session was read (first render in the browser). */
  ready: boolean;
  session: Session | null;
  signIn(email: string, password: string): Promise<Session>;
  signOut(): Promise<void>;
  hasRole(...roles: Role[]): boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [ready, setReady] = useState(false);
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    setSession(readSession());
    setReady(true);
  }, []);

  useEffect(
    () =>
      onUnauthenticated(() => {
        writeSession(null);
        setSession(null);
      }),
    [],
  );

  // Every page but sign-in needs a session.
  useEffect(() => {
    if (ready && !session && pathname !== '/sign-in') {
      router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
    }
  }, [ready, session, pathname, router]);

  const signIn = useCallback(async (email: string, password: string) => {
    const { signIn: payload } = await request(SignInMutation, { email, password });
    const next: Session = { token: payload.token, expiresAt: payload.expiresAt, user: payload.user };
    writeSession(next);
    setSession(next);
    return next;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await request(SignOutMutation);
    } finally {
      writeSession(null);
      setSession(null);
    }
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      ready,
      session,
      signIn,
      signOut,
      hasRole: (...roles) => !!session && (session.user.role === 'ADMIN' || roles.includes(session.user.role)),
    }),
    [ready, session, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth needs an AuthProvider');
  return state;
}
