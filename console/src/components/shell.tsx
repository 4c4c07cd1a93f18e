'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useAuth } from '@/features/auth/auth-context';
import type { Role } from '@/lib/session';

interface NavItem {
  href: string;
  label: string;
  roles?: Role[];
}

const NAV: NavItem[] = [
  { href: '/rule-sets', label: 'Rule sets' },
  { href: '/leads', label: 'Leads' },
  { href: '/accounts', label: 'Accounts' },
  { href: '/audit', label: 'Audit log', roles: ['ADMIN'] },
  { href: '/api-keys', label: 'API keys', roles: ['ADMIN'] },
];

/** Header with navigation and the signed-in user; pages render in <main>. */
export function Shell({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
  const pathname = usePathname();
  const signInPage = pathname === '/sign-in';

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="app-header">
        <Link href="/" className="brand">
          <span aria-hidden="true" className="brand-mark">
            ◆
          </span>{' '}
          Lead scoring
        </Link>
        {session && (
          <nav aria-label="Main">
            <ul className="nav-list">
              {NAV.filter((item) => !item.roles || item.roles.includes(session.user.role)).map((item) => {
                const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
                return (
                  <li key={item.href}>
                    <Link href={item.href} aria-current={current ? 'page' : undefined} className="nav-link">
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        {session && (
          <div className="user-box">
            <span className="user-name" data-testid="current-user">
              {session.user.name} <span className="role-badge">{session.user.role.toLowerCase()}</span>
            </span>
            <button type="button" className="button subtle small" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1} className="app-main">
        {signInPage || session ? (
          children
        ) : (
          <p className="state loading" role="status">
            Redirecting to sign in…
          </p>
        )}
      </main>
    </>
  );
}
