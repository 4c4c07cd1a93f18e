'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useAuth } from '@/features/auth/auth-context';

/** Start page: authors and admins land on rule sets, sales and viewers on their leads. */
export default function HomePage() {
  const { session } = useAuth();
  const router = useRouter();
  useEffect(() => {
    if (!session) return;
    const role = session.user.role;
    router.replace(role === 'SALES' || role === 'VIEWER' ? '/leads' : '/rule-sets');
  }, [session, router]);
  return (
    <p className="state loading" role="status">
      Loading…
    </p>
  );
}
