import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuthService } from '../auth/auth.service';
import { sha256 } from '../auth/credentials';
import type { Principal } from '../auth/principal';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import { LiveErrorCode } from './live.errors';
import { LIVE_LIMITS } from './live-limits';

/** Who a live connection is, and until when its credential holds (null: no expiry). */
export interface LiveIdentity {
  principal: Principal;
  expiresAt: Date | null;
}

const TICKET_PREFIX = 'lst_';

/**
 * Credentials on the live endpoint: a bearer token (session or API key, as over HTTP) or a one-use
 * ticket. A browser keeps its session token in an httpOnly cookie that script cannot read, and a
 * WebSocket cannot go through the console's HTTP routes; so the console's server asks for a ticket
 * with the session (createLiveTicket), hands the browser only the ticket, and the browser opens the
 * socket with it. A ticket is bound to that session or key, lives LIVE_LIMITS.ticketTtlMs and is
 * deleted when redeemed; kept in the database so that any API process may redeem it.
 */
export class LiveCredentials {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auth: AuthService,
  ) {}

  async createTicket(principal: Principal): Promise<{ ticket: string; expiresAt: Date }> {
    if (principal.kind === 'user' && !principal.sessionId) {
      throw new ForbiddenError(LiveErrorCode.InvalidTicket, 'createLiveTicket needs a signed-in session or an API key');
    }
    const ticket = `${TICKET_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + LIVE_LIMITS.ticketTtlMs);
    // Tickets never redeemed are removed by the next ticket's request (the index keeps this cheap).
    await this.dataSource.query(`DELETE FROM live_ticket WHERE expires_at < now()`);
    await this.dataSource.query(
      `INSERT INTO live_ticket (ticket_hash, user_id, session_id, api_key_id, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      principal.kind === 'user'
        ? [sha256(ticket), principal.userId, principal.sessionId, null, expiresAt]
        : [sha256(ticket), null, null, principal.keyId, expiresAt],
    );
    return { ticket, expiresAt };
  }

  /** The identity of connection parameters `{ ticket }` or `{ authorization: 'Bearer ...' }`; UnauthenticatedError saying why. */
  async identify(params: Record<string, unknown> | undefined): Promise<LiveIdentity> {
    const ticket = typeof params?.ticket === 'string' ? params.ticket : null;
    if (ticket) return this.redeem(ticket);
    const authorization = typeof params?.authorization === 'string' ? params.authorization : undefined;
    const principal = await this.auth.authenticate({ authorization });
    if (!principal) {
      throw new UnauthenticatedError(
        LiveErrorCode.InvalidTicket,
        'Send connectionParams { authorization: "Bearer <session token or API key>" } or { ticket }',
      );
    }
    return { principal, expiresAt: await this.expiryOf(principal) };
  }

  private async redeem(ticket: string): Promise<LiveIdentity> {
    const [row]: Array<{ userId: string | null; sessionId: string | null; apiKeyId: string | null; expiresAt: Date | string }> =
      await this.dataSource.query(
        // A SELECT around the DELETE: TypeORM's pg driver returns [rows, count] for a bare DELETE.
        `WITH redeemed AS (DELETE FROM live_ticket WHERE ticket_hash = $1 RETURNING user_id, session_id, api_key_id, expires_at)
         SELECT user_id::text AS "userId", session_id::text AS "sessionId", api_key_id::text AS "apiKeyId", expires_at AS "expiresAt" FROM redeemed`,
        [sha256(ticket)],
      );
    const refused = (why: string) => new UnauthenticatedError(LiveErrorCode.InvalidTicket, `${why}; ask for a new live ticket`);
    if (!row) throw refused('Unknown or already used live ticket');
    if (new Date(row.expiresAt).getTime() <= Date.now()) throw refused('This live ticket has expired');
    if (row.apiKeyId) {
      const key = await this.auth.findApiKey(row.apiKeyId);
      if (!key || !this.auth.isApiKeyActive(key)) throw refused('The API key of this ticket is revoked or expired');
      return { principal: { kind: 'apiKey', keyId: key.id, name: key.name, scopes: key.scopes }, expiresAt: key.expiresAt };
    }
    const userId = row.userId as string;
    const [sessions, user] = await Promise.all([this.auth.listSessions(userId), this.auth.findUser(userId)]);
    const session = sessions.find((candidate) => candidate.id === row.sessionId);
    if (!session || !user || user.disabledAt) throw refused('The session of this ticket has ended');
    return {
      principal: { kind: 'user', userId, email: user.email, name: user.name, role: user.role, sessionId: session.id },
      expiresAt: session.expiresAt,
    };
  }

  /** The identity again after its credential changed (null: revoked, ended, disabled, or the role changed). */
  async stillHolds(identity: LiveIdentity): Promise<LiveIdentity | null> {
    const { principal } = identity;
    if (principal.kind === 'apiKey') {
      const key = await this.auth.findApiKey(principal.keyId);
      if (!key || !this.auth.isApiKeyActive(key)) return null;
      // A key stops working while the user who created it is disabled.
      const creator = key.createdBy ? await this.auth.findUser(key.createdBy) : null;
      return creator?.disabledAt ? null : { principal, expiresAt: key.expiresAt };
    }
    const [sessions, user] = await Promise.all([this.auth.listSessions(principal.userId), this.auth.findUser(principal.userId)]);
    if (!user || user.disabledAt || user.role !== principal.role) return null;
    if (!principal.sessionId) return identity;
    const session = sessions.find((candidate) => candidate.id === principal.sessionId);
    return session ? { principal, expiresAt: session.expiresAt } : null;
  }

  /** When the credential stops holding by itself (revocations arrive as events). */
  private async expiryOf(principal: Principal): Promise<Date | null> {
    if (principal.kind === 'apiKey') return (await this.auth.findApiKey(principal.keyId))?.expiresAt ?? null;
    if (!principal.sessionId) return null;
    const sessions = await this.auth.listSessions(principal.userId);
    return sessions.find((session) => session.id === principal.sessionId)?.expiresAt ?? null;
  }
}
