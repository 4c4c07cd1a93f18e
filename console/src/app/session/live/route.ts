import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { CreateLiveTicketMutation } from '@/lib/live-operations';
import { apiGraphqlUrl, apiUnreachable } from '@/lib/api-url';
import { bearerOf, SESSION_COOKIE } from '@/lib/session-cookie';

/**
 * A ticket for the live WebSocket. Next routes cannot carry a WebSocket, and the session token
 * stays in its httpOnly cookie; so this route asks the API for a one-use, 60-second ticket bound to
 * the session, and the browser opens the socket to the API itself with that ticket (never the token).
 */
export const dynamic = 'force-dynamic';

/** Where browsers open the live socket: API_WS_URL, else the API's GraphQL URL with ws(s). */
function liveUrl(): string {
  return process.env.API_WS_URL ?? apiGraphqlUrl().replace(/^http/, 'ws');
}

export async function POST(request: NextRequest): Promise<Response> {
  const authorization = bearerOf(request.cookies.get(SESSION_COOKIE)?.value);
  if (!authorization) {
    return NextResponse.json({ errors: [{ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } }] }, { status: 401 });
  }
  let upstream: Response;
  try {
    upstream = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ query: CreateLiveTicketMutation.toString(), variables: {} }),
      cache: 'no-store',
    });
  } catch {
    return apiUnreachable();
  }
  const answer = (await upstream.json().catch(() => ({}))) as {
    data?: { createLiveTicket: { ticket: string } } | null;
    errors?: unknown[];
  };
  const ticket = answer.data?.createLiveTicket.ticket;
  if (!ticket) return NextResponse.json({ errors: answer.errors ?? [] }, { status: upstream.ok ? 401 : upstream.status });
  return NextResponse.json({ ticket, url: liveUrl() }, { headers: { 'cache-control': 'no-store' } });
}
