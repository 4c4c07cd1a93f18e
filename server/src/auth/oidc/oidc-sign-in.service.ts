import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../../audit/audit.service';
import type { Clock } from '../../common/clock';
import { InvalidInputError, RateLimitedError } from '../../common/errors';
import { LOCAL_ADDRESS, sameHash, sha256 } from '../credentials';
import type { SignInResult } from '../session.service';
import { UserEntity } from '../user.entity';
import { OidcClient } from './oidc-client';
import { resolveOidcUser } from './oidc-accounts';
import { OIDC_LOGIN_PATH, type OidcConfig } from './oidc-config';
import { OidcErrorCode, OidcSignInError } from './oidc.errors';

/** The bounds of single sign-on: a request never does unbounded work, nothing lingers. */
export const OIDC_LIMITS = {
  /** A sign-in must come back from the provider within this time. */
  signInTtlMs: 10 * 60 * 1000,
  /** Sign-ins started and not finished at once, across the service; more wait (429). */
  pendingSignIns: 10_000,
  /** The one-time code the console exchanges for a session is valid this long, once. */
  handoffTtlMs: 60 * 1000,
  returnTo: 500,
} as const;

/** What opening a session needs from the auth service (AuthService.openSession). */
export type OpenSession = (manager: EntityManager, user: UserEntity, clientAddress?: string) => Promise<SignInResult>;

/** The provider as the console shows it. */
export interface AuthProviderInfo {
  id: string;
  name: string;
  loginUrl: string;
}

/** A return path inside the console: one leading slash, at most OIDC_LIMITS.returnTo characters. */
export function returnToProblem(returnTo: string): string | null {
  if (returnTo.length > OIDC_LIMITS.returnTo) return `at most ${OIDC_LIMITS.returnTo} characters`;
  if (!returnTo.startsWith('/') || returnTo.startsWith('//') || /[\\\s]/.test(returnTo)) {
    return 'must be a path of the console starting with one "/" (e.g. /leads)';
  }
  return null;
}

/**
 * Single sign-on with an OpenID provider, in three steps. `start` keeps the state, nonce and PKCE
 * verifier server-side (keyed by the state's hash) and sends the browser to the provider; `finish`
 * takes the callback, which must come with the state this browser was given (its cookie), exchanges
 * the code, maps the role, finds, links or creates the user, and answers with a one-time code;
 * `exchange` turns that code into a session exactly as a password sign-in opens one.
 */
export class OidcSignInService {
  private readonly client: OidcClient;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly openSession: OpenSession,
    readonly config: OidcConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.client = new OidcClient(config);
  }

  provider(): AuthProviderInfo {
    const loginUrl = new URL(this.config.redirectUri.href);
    loginUrl.pathname = loginUrl.pathname.replace(/\/auth\/oidc\/callback$/, OIDC_LOGIN_PATH);
    loginUrl.search = '';
    return { id: 'oidc', name: this.config.providerName, loginUrl: loginUrl.href };
  }

  /** Starts a sign-in: the provider's authorization URL and the state the browser must bring back. */
  async start(returnTo: string | null): Promise<{ redirectTo: URL; state: string }> {
    const problem = returnTo === null ? null : returnToProblem(returnTo);
    if (problem) throw InvalidInputError.field(OidcErrorCode.InvalidReturnTo, 'returnTo', problem);
    const request = await this.client.authorizationRequest();
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM oidc_sign_in WHERE expires_at <= $1`, [now]);
      const [{ pending }] = await manager.query(`SELECT count(*)::int AS pending FROM oidc_sign_in`);
      if (pending >= OIDC_LIMITS.pendingSignIns) {
        throw new RateLimitedError(OidcErrorCode.TooManyPending, 'Too many sign-ins in progress; try again in a minute', 60);
      }
      await manager.query(
        `INSERT INTO oidc_sign_in (state_hash, code_verifier, nonce, return_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [sha256(request.state), request.codeVerifier, request.nonce, returnTo, now, new Date(now.getTime() + OIDC_LIMITS.signInTtlMs)],
      );
    });
    return { redirectTo: request.url, state: request.state };
  }

  /**
   * Finishes a sign-in from the provider's callback (`callbackUrl`: the redirect URI with the query
   * the provider sent) and `browserState` (the state cookie). Answers where the browser goes next:
   * the console's sign-on route with a one-time `code` and `returnTo`, or with `error` (a code of
   * OidcErrorCode) when refused; nothing is written for a refused sign-in.
   */
  async finish(callbackUrl: URL, browserState: string | undefined): Promise<URL> {
    const target = new URL(this.config.postLoginUrl.href);
    try {
      const { code, returnTo } = await this.complete(callbackUrl, browserState);
      target.searchParams.set('code', code);
      if (returnTo) target.searchParams.set('returnTo', returnTo);
    } catch (error) {
      if (!(error instanceof OidcSignInError)) throw error;
      this.logger.warn({ reason: error.code, detail: error.message }, 'single sign-on refused');
      target.searchParams.set('error', error.code);
    }
    return target;
  }

  private async complete(callbackUrl: URL, browserState: string | undefined): Promise<{ code: string; returnTo: string | null }> {
    const params = callbackUrl.searchParams;
    const state = params.get('state');
    if (!state || !browserState || !sameHash(sha256(state), sha256(browserState))) {
      throw new OidcSignInError(
        OidcErrorCode.BadState,
        !state ? 'The callback has no state' : 'The callback state is not the one this browser started with (cookie missing or different)',
      );
    }
    const [pending]: Array<{ codeVerifier: string; nonce: string; returnTo: string | null; expiresAt: Date }> = await this.dataSource.query(
      // A CTE, so both drivers return rows (TypeORM's pg driver answers a bare DELETE with [rows, count]).
      `WITH taken AS (DELETE FROM oidc_sign_in WHERE state_hash = $1 RETURNING code_verifier, nonce, return_to, expires_at)
       SELECT code_verifier AS "codeVerifier", nonce, return_to AS "returnTo", expires_at AS "expiresAt" FROM taken`,
      [sha256(state)],
    );
    if (!pending || new Date(pending.expiresAt).getTime() <= this.clock.now().getTime()) {
      throw new OidcSignInError(OidcErrorCode.BadState, 'This sign-in is unknown, already finished or older than 10 minutes');
    }
    const providerError = params.get('error');
    if (providerError) {
      const description = params.get('error_description')?.slice(0, 300) ?? '';
      throw new OidcSignInError(
        providerError === 'access_denied' ? OidcErrorCode.ConsentDenied : OidcErrorCode.ProviderError,
        `The provider answered ${providerError.slice(0, 100)}${description ? `: ${description}` : ''}`,
      );
    }
    const identity = await this.client.identify(callbackUrl, { state, nonce: pending.nonce, codeVerifier: pending.codeVerifier });
    const code = randomBytes(32).toString('base64url');
    const handOff = () =>
      this.dataSource.transaction(async (manager) => {
        const user = await resolveOidcUser(manager, this.audit, this.config, identity);
        const now = this.clock.now();
        await manager.query(`DELETE FROM oidc_handoff WHERE expires_at <= $1`, [now]);
        await manager.query(`INSERT INTO oidc_handoff (code_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`, [
          sha256(code),
          user.id,
          now,
          new Date(now.getTime() + OIDC_LIMITS.handoffTtlMs),
        ]);
      });
    try {
      await handOff();
    } catch (error) {
      // Two first sign-ins of one person at once both create the user: the loser finds it on a second try.
      if ((error as { code?: string }).code !== '23505') throw error;
      await handOff();
    }
    return { code, returnTo: pending.returnTo };
  }

  /** The session a finished sign-in's one-time code stands for; the code works once, for OIDC_LIMITS.handoffTtlMs. */
  async exchange(code: string, clientAddress: string = LOCAL_ADDRESS, requestId?: string): Promise<SignInResult> {
    const invalid = () =>
      new OidcSignInError(OidcErrorCode.InvalidCode, 'This sign-on code is unknown, already used or expired; sign in again');
    if (code.length === 0 || code.length > 200) throw invalid();
    return this.dataSource.transaction(async (manager) => {
      const [handoff]: Array<{ userId: string; expiresAt: Date }> = await manager.query(
        `WITH taken AS (DELETE FROM oidc_handoff WHERE code_hash = $1 RETURNING user_id, expires_at)
         SELECT user_id::text AS "userId", expires_at AS "expiresAt" FROM taken`,
        [sha256(code)],
      );
      if (!handoff || new Date(handoff.expiresAt).getTime() <= this.clock.now().getTime()) throw invalid();
      const user = await manager.getRepository(UserEntity).findOneBy({ id: handoff.userId });
      if (!user || user.disabledAt) throw new OidcSignInError(OidcErrorCode.UserDisabled, 'This user is disabled here');
      const session = await this.openSession(manager, user, clientAddress);
      await this.audit.record(manager, {
        actor: `user:${user.email}`,
        action: 'user.signed_in',
        entityType: 'user',
        entityId: user.id,
        summary: `Signed in with single sign-on (${this.config.providerName}) as ${user.role}`,
        after: { method: 'sso', issuer: user.oidcIssuer ?? null, role: user.role },
        requestId,
      });
      return session;
    });
  }
}
