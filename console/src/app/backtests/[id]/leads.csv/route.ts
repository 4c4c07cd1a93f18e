import type { NextRequest } from 'next/server';
import { apiBase, apiUnreachable } from '@/lib/api-url';
import { bearerOf, SESSION_COOKIE } from '@/lib/session-cookie';

/**
 * Forwards a backtest's CSV export to the API (GET /backtests/:id/leads.csv), streamed, so the
 * browser downloads it from the console's own origin with the signed link of BacktestRun.exportUrl.
 */
export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const target = `${apiBase()}/backtests/${encodeURIComponent(id)}/leads.csv${request.nextUrl.search}`;
  const headers = new Headers();
  const authorization = bearerOf(request.cookies.get(SESSION_COOKIE)?.value);
  if (authorization) headers.set('authorization', authorization);
  try {
    // The client leaving aborts the upstream request too, which stops the API's export.
    const upstream = await fetch(target, { headers, cache: 'no-store', signal: request.signal });
    const forwarded = new Headers({ 'cache-control': 'no-store' });
    for (const name of ['content-type', 'content-disposition', 'x-content-type-options']) {
      const value = upstream.headers.get(name);
      if (value) forwarded.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: forwarded });
  } catch {
    return apiUnreachable();
  }
}
