import { cookies } from 'next/headers';
import { cache } from 'react';
import { apiGraphqlUrl } from './api-url';
import type { SessionUser } from './session';
import { SESSION_COOKIE } from './session-cookie';

const ME = 'query ConsoleMe { me { user { id email name role } } }';

/** This request's session: none (no cookie), the user, or rejected (the API no longer accepts the token). */
export type ServerSession = { kind: 'none' } | { kind: 'user'; user: SessionUser } | { kind: 'rejected' } | { kind: 'unknown' };

/** The signed-in user of this request, asked of the API with the session cookie (once per render). */
export const serverSession = cache(async (): Promise<ServerSession> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return { kind: 'none' };
  try {
    const response = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: ME }),
      cache: 'no-store',
    });
    const body = (await response.json()) as {
      data?: { me: { user: SessionUser | null } } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    const user = body.data?.me.user;
    if (user) return { kind: 'user', user };
    return body.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED') ? { kind: 'rejected' } : { kind: 'unknown' };
  } catch {
    // The API does not answer: the page loads and says so on its first request.
    return { kind: 'unknown' };
  }
});
