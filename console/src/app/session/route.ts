import { type NextRequest, NextResponse } from 'next/server';
import { SignInMutation, SignOutMutation } from '@/features/auth/operations';
import { apiGraphqlUrl, apiUnreachable } from '@/lib/api-url';
import { bearerOf, SESSION_COOKIE, sessionCookieSettings } from '@/lib/session-cookie';

/**
 * Signing in and out. POST signs in with the API and keeps the session token in an httpOnly cookie
 * (the page gets only the user); DELETE ends the session at the API and clears the cookie.
 */
export const dynamic = 'force-dynamic';

interface SignInAnswer {
  data?: { signIn: { token: string; expiresAt: string; user: unknown } } | null;
  errors?: unknown[];
}

export async function POST(request: NextRequest): Promise<Response> {
  let credentials: { email?: unknown; password?: unknown };
  try {
    credentials = await request.json();
  } catch {
    credentials = {};
  }
  let upstream: Response;
  try {
    upstream = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: SignInMutation.toString(),
        variables: { email: String(credentials.email ?? ''), password: String(credentials.password ?? '') },
      }),
      cache: 'no-store',
    });
  } catch {
    return apiUnreachable();
  }
  const answer = (await upstream.json().catch(() => ({}))) as SignInAnswer;
  const signIn = answer.data?.signIn;
  if (!signIn) return NextResponse.json({ errors: answer.errors ?? [] }, { status: upstream.ok ? 401 : upstream.status });
  const response = NextResponse.json(
    { data: { user: signIn.user, expiresAt: signIn.expiresAt } },
    { headers: { 'cache-control': 'no-store' } },
  );
  response.cookies.set(SESSION_COOKIE, signIn.token, sessionCookieSettings(request, new Date(signIn.expiresAt)));
  return response;
}

export async function DELETE(request: NextRequest): Promise<Response> {
  const authorization = bearerOf(request.cookies.get(SESSION_COOKIE)?.value);
  if (authorization) {
    // Ended at the API too, so a copied cookie stops working; the cookie goes even if the API is down.
    await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ query: SignOutMutation.toString(), variables: {} }),
      cache: 'no-store',
    }).catch(() => undefined);
  }
  const response = NextResponse.json({ data: { signedOut: true } }, { headers: { 'cache-control': 'no-store' } });
  response.cookies.set(SESSION_COOKIE, '', { ...sessionCookieSettings(request), expires: new Date(0) });
  return response;
}
