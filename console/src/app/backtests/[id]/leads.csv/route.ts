/**
 * Forwards a backtest's CSV export to the API (GET /backtests/:id/leads.csv), streamed, so the
 * browser downloads it from the console's own origin with the signed link of BacktestRun.exportUrl.
 */
export const dynamic = 'force-dynamic';

function apiBase(): string {
  const graphqlUrl = process.env.API_URL ?? process.env.NEXT_PUBLIC_API_URL ?? 'http://127.0.0.1:4000/graphql';
  return graphqlUrl.replace(/\/graphql\/?$/, '');
}

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const target = `${apiBase()}/backtests/${encodeURIComponent(id)}/leads.csv${new URL(request.url).search}`;
  const headers = new Headers();
  const authorization = request.headers.get('authorization');
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
    return Response.json(
      { errors: [{ message: `The lead scoring API at ${apiBase()} does not answer.`, extensions: { code: 'API_UNREACHABLE' } }] },
      { status: 502 },
    );
  }
}
