import type { NextRequest } from 'next/server';
import { apiBase, apiUnreachable } from '@/lib/api-url';
import { bearerOf, SESSION_COOKIE } from '@/lib/session-cookie';

/**
 * Forwards a leads CSV export (GET /export/leads.csv?list=<id> or ?filter=<JSON>&order=...) to the
 * API with the session cookie as the Authorization header, streamed through: the browser downloads
 * it from the console's own origin, and the token never reaches page scripts.
 */
export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest): Promise<Response> {
  const headers = new Headers();
  const authorization = bearerOf(request.cookies.get(SESSION_COOKIE)?.value);
  if (authorization) headers.set('authorization', authorization);
  try {
    // The client leaving aborts the upstream request too, which stops the API's export.
    const upstream = await fetch(`${apiBase()}/export/leads.csv${request.nextUrl.search}`, {
      headers,
      cache: 'no-store',
      signal: request.signal,
    });
    const forwarded = new Headers({ 'cache-control': 'no-store' });
    for (const name of ['content-type', 'content-disposition', 'x-content-type-options', 'x-lead-count', 'retry-after']) {
      const value = upstream.headers.get(name);
      if (value) forwarded.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: forwarded });
  } catch {
    return apiUnreachable();
  }
}
