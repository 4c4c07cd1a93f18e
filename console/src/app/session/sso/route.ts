import { type NextRequest, NextResponse } from 'next/server';
import { ExchangeSsoCodeMutation } from '@/features/auth/operations';
import { apiGraphqlUrl } from '@/lib/api-url';
import { homeOf, type SessionUser, safeNext } from '@/lib/session';
import { SESSION_COOKIE, sessionCookieSettings } from '@/lib/session-cookie';

/**
 * The end of a single sign-on: the API's callback sends the browser here with a one-time code (or
 * an error code). The code is exchanged server-side for the session token, which goes into the
 * same httpOnly cookie as a password sign-in; the browser never sees the token.
 */
export const dynamic = 'force-dynamic';

interface ExchangeAnswer {
  data?: { exchangeSsoCode: { token: string; expiresAt: string; user: SessionUser } } | null;
  errors?: Array<{ extensions?: { reason?: string; code?: string } }>;
}

function backToSignIn(request: NextRequest, reason: string, next: string | null): Response {
  const target = new URL('/sign-in', request.url);
  target.searchParams.set('sso_error', reason.slice(0, 60));
  if (next) target.searchParams.set('next', next);
  return NextResponse.redirect(target, 303);
}

export async function GET(request: NextRequest): Promise<Response> {
  const params = request.nextUrl.searchParams;
  const next = safeNext(params.get('returnTo'));
  const error = params.get('error');
  const code = params.get('code');
  if (error || !code) return backToSignIn(request, error ?? 'SSO_INVALID_CODE', next);
  let answer: ExchangeAnswer;
  try {
    const upstream = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: ExchangeSsoCodeMutation.toString(), variables: { code } }),
      cache: 'no-store',
    });
    answer = (await upstream.json().catch(() => ({}))) as ExchangeAnswer;
  } catch {
    return backToSignIn(request, 'API_UNREACHABLE', next);
  }
  const session = answer.data?.exchangeSsoCode;
  if (!session) return backToSignIn(request, answer.errors?.[0]?.extensions?.reason ?? 'SSO_INVALID_CODE', next);
  const response = NextResponse.redirect(new URL(next ?? homeOf(session.user.role), request.url), 303);
  response.headers.set('cache-control', 'no-store');
  response.cookies.set(SESSION_COOKIE, session.token, sessionCookieSettings(request, new Date(session.expiresAt)));
  return response;
}
