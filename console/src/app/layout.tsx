import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import { Shell } from '@/components/shell';
import { serverSession } from '@/lib/server-session';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Lead scoring console', template: '%s · Lead scoring' },
  description: 'Rule sets, reviews, backtests and leads of the lead scoring service',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await serverSession();
  if (session.kind === 'rejected') {
    // The cookie is there but the API no longer takes it (expired, signed out elsewhere): clear it.
    const path = (await headers()).get('x-console-path') ?? '/';
    if (!path.startsWith('/sign-in')) redirect(`/session/end?next=${encodeURIComponent(path)}`);
  }
  return (
    <html lang="en">
      <body>
        <Providers user={session.kind === 'user' ? session.user : null}>
          <Shell>{children}</Shell>
        </Providers>
      </body>
    </html>
  );
}
