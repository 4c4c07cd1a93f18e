/**
 * Forwards the console's GraphQL requests to the API, so the browser talks to one origin (no CORS)
 * and the API address is chosen when the console starts (API_URL), not when it is built.
 */
export const dynamic = 'force-dynamic';

function apiUrl(): string {
  return process.env.API_URL ?? process.env.NEXT_PUBLIC_API_URL ?? 'http://127.0.0.1:4000/graphql';
}

export async function POST(request: Request): Promise<Response> {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
  const authorization = request.headers.get('authorization');
  if (authorization) headers.set('authorization', authorization);
  const requestId = request.headers.get('x-request-id');
  if (requestId) headers.set('x-request-id', requestId);
  const target = apiUrl();
  try {
    const upstream = await fetch(target, { method: 'POST', headers, body: await request.text(), cache: 'no-store' });
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' },
    });
  } catch {
    return Response.json(
      {
        errors: [
          {
            message: `The lead scoring API at ${target} does not answer. Is it running (npm run demo)?`,
            extensions: { code: 'API_UNREACHABLE' },
          },
        ],
      },
      { status: 502 },
    );
  }
}
