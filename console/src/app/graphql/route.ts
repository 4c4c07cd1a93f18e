import { type NextRequest, NextResponse } from 'next/server';
import { apiGraphqlUrl, apiUnreachable } from '@/lib/api-url';
import { bearerOf, SESSION_COOKIE } from '@/lib/session-cookie';

/**
 * Forwards the console's GraphQL requests to the API, so the browser talks to one origin (no CORS),
 * with the session cookie as the Authorization header: the token never reaches page scripts.
 */
export const dynamic = 'force-dynamic';

export async function POST(request: NextRequest): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
  const authorization = bearerOf(request.cookies.get(SESSION_COOKIE)?.value);
  if (authorization) headers.set('authorization', authorization);
  const requestId = request.headers.get('x-request-id');
  if (requestId) headers.set('x-request-id', requestId);
  try {
    const upstream = await fetch(apiGraphqlUrl(), { method: 'POST', headers, body: await request.text(), cache: 'no-store' });
    const forwarded = new Headers({
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    });
    const retryAfter = upstream.headers.get('retry-after');
    if (retryAfter) forwarded.set('retry-after', retryAfter);
    return new NextResponse(upstream.body, { status: upstream.status, headers: forwarded });
  } catch {
    return apiUnreachable();
  }
}
