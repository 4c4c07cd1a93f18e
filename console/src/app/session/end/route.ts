import { type NextRequest, NextResponse } from 'next/server';
import { safeNext } from '@/lib/session';
import { SESSION_COOKIE, sessionCookieSettings } from '@/lib/session-cookie';

/** Where a page sends a browser whose session the API no longer accepts: the cookie goes, then sign in. */
export const dynamic = 'force-dynamic';

export function GET(request: NextRequest): Response {
  const next = safeNext(request.nextUrl.searchParams.get('next'));
  const target = new URL('/sign-in', request.url);
  target.searchParams.set('ended', '1');
  if (next) target.searchParams.set('next', next);
  const response = NextResponse.redirect(target);
  response.cookies.set(SESSION_COOKIE, '', { ...sessionCookieSettings(request), expires: new Date(0) });
  return response;
}
