'use client';

import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { AuthProvider } from '@/features/auth/auth-context';
import type { SessionUser } from '@/lib/session';
import { getQueryClient } from '@/lib/query-client';

/** The browser-side context every page runs in: the query cache and the signed-in user. */
export function Providers({ user, children }: { user: SessionUser | null; children: ReactNode }) {
  return (
    <QueryClientProvider client={getQueryClient()}>
      <AuthProvider initialUser={user}>{children}</AuthProvider>
    </QueryClientProvider>
  );
}
