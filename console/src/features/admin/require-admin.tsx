'use client';

import type { ReactNode } from 'react';
import { useAuth } from '@/features/auth/auth-context';

export function RequireAdmin({ children }: { children: ReactNode }) {
  const { hasRole } = useAuth();
  if (!hasRole('ADMIN')) return <p className="state warning">Only admins see this page.</p>;
  return <>{children}</>;
}
