import { type Request, type Response, Router } from 'express';
import type { App } from '../app';
import { OIDC_CALLBACK_PATH, OIDC_LOGIN_PATH } from '../auth/oidc/oidc-config';
import type { OidcSignInService } from '../auth/oidc/oidc-sign-in.service';
import { OidcErrorCode } from '../auth/oidc/oidc.errors';
import { DomainError, RateLimitedError } from '../common/errors';

/** The cookie binding a sign-in to the browser that started it (login CSRF): the state, httpOnly, 10 minutes. */
const STATE_COOKIE = 'ls_oidc_state';

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

function stateCookie(oidc: OidcSignInService, value: string, maxAgeSeconds: number): string {
  const secure = oidc.config.redirectUri.protocol === 'https:' ? '; Secure' : '';
  // Lax: the callback is a top-level GET navigation from the provider's site, which Lax lets through.
  const path = oidc.config.redirectUri.pathname.replace(/\/callback$/, '');
  return `${STATE_COOKIE}=${encodeURIComponent(value)}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res
    .status(status)
    .set('cache-control', 'no-store')
    .json({ errors: [{ message, extensions: { code } }] });
}

/**
 * GET /auth/oidc/login?returnTo=/path sends the browser to the provider; GET /auth/oidc/callback
 * takes it back and sends it to the console's sign-on route (OIDC_POST_LOGIN_URL) with a one-time
 * code, or an error code. Without OIDC_ISSUER both answer 404.
 */
export function oidcRoutes(app: App): Router {
  const router = Router();
  const oidc = app.services.oidc;

  router.get(OIDC_LOGIN_PATH, async (req: Request, res: Response) => {
    if (!oidc) return refuse(res, 404, OidcErrorCode.NotConfigured, 'Single sign-on is not configured (OIDC_ISSUER is unset)');
    const returnTo = typeof req.query.returnTo === 'string' && req.query.returnTo !== '' ? req.query.returnTo : null;
    try {
      const { redirectTo, state } = await oidc.start(returnTo);
      res
        .set('cache-control', 'no-store')
        .set('set-cookie', stateCookie(oidc, state, 600))
        .redirect(303, redirectTo.href);
    } catch (error) {
      if (error instanceof RateLimitedError) res.set('retry-after', String(error.retryAfterSeconds));
      if (!(error instanceof DomainError)) throw error;
      const status = error.kind === 'BAD_USER_INPUT' ? 400 : error.kind === 'RATE_LIMITED' ? 429 : 503;
      refuse(res, status, error.code, error.message);
    }
  });

  router.get(OIDC_CALLBACK_PATH, async (req: Request, res: Response) => {
    if (!oidc) return refuse(res, 404, OidcErrorCode.NotConfigured, 'Single sign-on is not configured (OIDC_ISSUER is unset)');
    // The URL the provider redirected to, rebuilt from the configured redirect URI: the Host header is not trusted.
    const callbackUrl = new URL(oidc.config.redirectUri.href);
    callbackUrl.search = new URL(req.originalUrl, 'http://callback.invalid').search;
    const target = await oidc.finish(callbackUrl, readCookie(req, STATE_COOKIE));
    res
      .set('cache-control', 'no-store')
      .set('set-cookie', stateCookie(oidc, '', 0))
      .redirect(303, target.href);
  });
  return router;
}
