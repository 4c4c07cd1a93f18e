import { type NextRequest, NextResponse } from 'next/server';
import { SESSION_COOKIE } from '@/lib/session-cookie';

/**
 * Server-side guard: a page requested without a session cookie is redirected to sign in before
 * anything renders. Whether the cookie is still valid is checked by the layout with the API.
 */
export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const headers = new Headers(request.headers);
  headers.set('x-console-path', `${pathname}${search}`);
  if (pathname !== '/sign-in' && !request.cookies.has(SESSION_COOKIE)) {
    const target = new URL('/sign-in', request.url);
    if (pathname !== '/') target.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(target);
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // Pages only: not the console's API routes (they answer for themselves), nor static files.
  matcher: ['/((?!graphql|session|backtests/[^/]+/leads\\.csv|_next/|icon\\.svg|favicon\\.ico).*)'],
};
