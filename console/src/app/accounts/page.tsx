import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AccountsList } from '@/features/accounts/accounts-list';

export const metadata: Metadata = { title: 'Accounts' };

export default function AccountsPage() {
  return (
    <Suspense>
      <AccountsList />
    </Suspense>
  );
}
