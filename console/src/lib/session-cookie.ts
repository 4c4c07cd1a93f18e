/** The session cookie: the API's session token, readable only by the console's server (httpOnly). */
export const SESSION_COOKIE = 'ls_session';

export interface CookieSettings {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: string;
  expires?: Date;
}

/**
 * SameSite=Lax rather than Strict: a link to a lead from a CRM or an e-mail must open the page signed
 * in, and Lax already keeps the cookie off cross-site POSTs, the only way /graphql is called.
 */
export function sessionCookieSettings(request: Request, expires?: Date): CookieSettings {
  const forwarded = request.headers.get('x-forwarded-proto');
  const https = (forwarded ?? new URL(request.url).protocol.replace(':', '')) === 'https';
  return { httpOnly: true, sameSite: 'lax', secure: https, path: '/', ...(expires ? { expires } : {}) };
}

/** The Authorization header for the API, from the session cookie of a request. */
export function bearerOf(token: string | undefined): string | null {
  return token ? `Bearer ${token}` : null;
}
