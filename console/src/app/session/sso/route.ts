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

/**
 * A redirect within the console by path: a relative Location keeps the browser on the host it came
 * in by (request.url may name another, e.g. localhost for 127.0.0.1, which would lose the cookie).
 */
function redirectTo(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { location: path, 'cache-control': 'no-store' } });
}

function backToSignIn(reason: string, next: string | null): Response {
  const params = new URLSearchParams({ sso_error: reason.slice(0, 60) });
  if (next) params.set('next', next);
  return redirectTo(`/sign-in?${params}`);
}

export async function GET(request: NextRequest): Promise<Response> {
  const params = request.nextUrl.searchParams;
  const next = safeNext(params.get('returnTo'));
  const error = params.get('error');
  const code = params.get('code');
  if (error || !code) return backToSignIn(error ?? 'SSO_INVALID_CODE', next);
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
    return backToSignIn('API_UNREACHABLE', next);
  }
  const session = answer.data?.exchangeSsoCode;
  if (!session) return backToSignIn(answer.errors?.[0]?.extensions?.reason ?? 'SSO_INVALID_CODE', next);
  const response = redirectTo(next ?? homeOf(session.user.role));
  response.cookies.set(SESSION_COOKIE, session.token, sessionCookieSettings(request, new Date(session.expiresAt)));
  return response;
}
