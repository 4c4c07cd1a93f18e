import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SignInForm } from '@/features/auth/sign-in-form';
import { SsoSignIn } from '@/features/auth/sso-sign-in';
import { safeNext } from '@/lib/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : null);
  return (
    <Suspense>
      <SignInForm alternative={<SsoSignIn error={one(params.sso_error)} next={safeNext(one(params.next))} />} />
    </Suspense>
  );
}
