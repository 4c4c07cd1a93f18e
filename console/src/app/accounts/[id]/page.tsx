import type { Metadata } from 'next';
import { AccountPage } from '@/features/accounts/account-page';

export const metadata: Metadata = { title: 'Account' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AccountPage accountId={id} />;
}
