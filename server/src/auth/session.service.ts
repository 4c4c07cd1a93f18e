import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../common/clock';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors';
import { retryOnConnectionLoss } from '../db/connection-loss';
import { queryPreparedRead } from '../db/prepared';
import { AuthErrorCode } from './auth.errors';
import { type AuthActor, ID, LAST_USED_RESOLUTION_MS, LOCAL_ADDRESS, SESSION_TOKEN_PREFIX, sha256, toDate } from './credentials';
import type { PasswordChecks } from './password-checks';
import type { Principal, Role } from './principal';
import { UserEntity } from './user.entity';
import { UserSessionEntity } from './user-session.entity';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SignInResult {
  token: string;
  expiresAt: Date;
  user: UserEntity;
}

/** A session as listed to its user or an admin (never its token). */
export interface SessionRow {
  id: string;
  userId: string;
  userEmail: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  clientAddress: string | null;
}

/** Signing in and out, sessions and their tokens. */
export class SessionService {
  private readonly users: Repository<UserEntity>;
  private readonly sessions: Repository<UserSessionEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly checks: PasswordChecks,
    private readonly clock: Clock,
  ) {
    this.users = dataSource.getRepository(UserEntity);
    this.sessions = dataSource.getRepository(UserSessionEntity);
  }

  /**
   * Opens a 12-hour session; the token is returned once and stored only as its SHA-256. Failed
   * attempts are throttled per account, per address and per both (SignInThrottle); a refused
   * attempt computes no hash. Unknown emails are verified against a decoy hash and counted like
   * known ones, so neither timing nor throttling tells which emails exist.
   */
  async signIn(email: string, password: string, clientAddress: string = LOCAL_ADDRESS): Promise<SignInResult> {
    const normalised = email.trim().toLowerCase();
    this.checks.refuseIfThrottled(normalised, clientAddress);
    const user = await this.checks.hashed(clientAddress, async () => {
      // Again: a lock may have been set while this attempt waited for its turn.
      this.checks.refuseIfThrottled(normalised, clientAddress);
      const found = await this.users.findOneBy({ email: normalised });
      const matches = await this.checks.verify(password, found?.passwordHash);
      return found && matches && !found.disabledAt ? found : null;
    });
    if (!user) {
      this.checks.recordFailure(normalised, clientAddress);
      throw new UnauthenticatedError(AuthErrorCode.InvalidCredentials, 'Email or password is wrong');
    }
    this.checks.recordSuccess(normalised, clientAddress);
    return this.openSession(this.dataSource.manager, user, clientAddress);
  }

  /**
   * Opens a 12-hour session for a user already proven to be who they say (a password checked, or a
   * single sign-on completed); the token is returned once and stored only as its SHA-256.
   */
  async openSession(manager: EntityManager, user: UserEntity, clientAddress: string = LOCAL_ADDRESS): Promise<SignInResult> {
    const token = `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_TTL_MS);
    await manager.getRepository(UserSessionEntity).insert({
      userId: user.id,
      tokenHash: sha256(token),
      createdAt: this.clock.now(),
      expiresAt,
      revokedAt: null,
      clientAddress: clientAddress === LOCAL_ADDRESS ? null : clientAddress,
    });
    return { token, expiresAt, user };
  }

  /** Ends a session; false when it was already ended. */
  async signOut(sessionId: string): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now() })
      .where('id = :sessionId AND revoked_at IS NULL', { sessionId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Active sessions (neither ended nor expired), newest first; of one user, or of everyone. */
  async listSessions(userId: string | null): Promise<SessionRow[]> {
    if (userId !== null && !ID.test(userId)) return [];
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT s.id::text AS id, s.user_id::text AS "userId", u.email AS "userEmail", s.created_at AS "createdAt",
              s.last_used_at AS "lastUsedAt", s.expires_at AS "expiresAt", s.client_address AS "clientAddress"
         FROM user_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.revoked_at IS NULL AND s.expires_at > $1 AND ($2::bigint IS NULL OR s.user_id = $2::bigint)
        ORDER BY s.id DESC`,
      [this.clock.now(), userId],
    );
    return rows.map((row) => ({
      ...row,
      createdAt: toDate(row.createdAt)!,
      lastUsedAt: toDate(row.lastUsedAt),
      expiresAt: toDate(row.expiresAt)!,
    }));
  }

  /**
   * Ends a session: one's own, or anyone's for an admin. Ending an ended or expired session
   * changes nothing.
   */
  async revokeSession(actor: AuthActor & { isAdmin: boolean }, id: string): Promise<SessionRow & { revoked: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const [row]: SessionRow[] = ID.test(id)
        ? await manager.query(
            `SELECT s.id::text AS id, s.user_id::text AS "userId", u.email AS "userEmail", s.created_at AS "createdAt",
                    s.last_used_at AS "lastUsedAt", s.expires_at AS "expiresAt", s.client_address AS "clientAddress"
               FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE s.id = $1 FOR UPDATE OF s`,
            [id],
          )
        : [];
      if (!row)
        throw new NotFoundError(AuthErrorCode.SessionNotFound, `No session with id ${id.slice(0, 40)}`, [
          { path: 'id', message: 'no such session' },
        ]);
      if (!actor.isAdmin && row.userId !== actor.userId) {
        throw new ForbiddenError(AuthErrorCode.ForbiddenRole, `revokeSession of another user's session needs role admin`);
      }
      const ended: unknown[] = await manager.query(
        `WITH ended AS (UPDATE user_session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id) SELECT id FROM ended`,
        [id, this.clock.now()],
      );
      if (ended.length) {
        await this.audit.record(manager, {
          actor: actor.name,
          action: 'session.revoked',
          entityType: 'user_session',
          entityId: id,
          summary: `Ended session ${id} of ${row.userEmail}`,
          requestId: actor.requestId,
        });
      }
      return {
        ...row,
        createdAt: toDate(row.createdAt)!,
        lastUsedAt: toDate(row.lastUsedAt),
        expiresAt: toDate(row.expiresAt)!,
        revoked: ended.length > 0,
      };
    });
  }

  /** Ends a user's active sessions but `keep`; returns how many. */
  async endSessions(manager: EntityManager, userId: string, keep: string | null): Promise<number> {
    const ended: unknown[] = await manager.query(
      `WITH ended AS (UPDATE user_session SET revoked_at = $3 WHERE user_id = $1 AND revoked_at IS NULL AND ($2::bigint IS NULL OR id <> $2::bigint) RETURNING id)
       SELECT id FROM ended`,
      [userId, keep, this.clock.now()],
    );
    return ended.length;
  }

  /** The user a session token belongs to; UnauthenticatedError saying why when it does not hold. */
  async authenticateSession(token: string): Promise<Principal> {
    // A prepared read, retried on a fresh connection if the pool handed out one the server had just closed.
    const [row] = (await queryPreparedRead(
      this.dataSource,
      `SELECT s.id::text AS "sessionId", s.expires_at AS "expiresAt", s.revoked_at AS "revokedAt", s.last_used_at AS "lastUsedAt",
              u.id::text AS "userId", u.email, u.name, u.role, u.disabled_at AS "disabledAt"
         FROM user_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.token_hash = $1`,
      [sha256(token)],
    )) as Array<{
      sessionId: string;
      expiresAt: Date;
      revokedAt: Date | null;
      lastUsedAt: Date | null;
      userId: string;
      email: string;
      name: string;
      role: Role;
      disabledAt: Date | null;
    }>;
    if (!row) throw new UnauthenticatedError(AuthErrorCode.SessionExpired, 'Unknown session token; sign in again');
    if (row.revokedAt || row.disabledAt)
      throw new UnauthenticatedError(AuthErrorCode.SessionExpired, 'This session was signed out; sign in again');
    const now = this.clock.now();
    if (new Date(row.expiresAt).getTime() <= now.getTime()) {
      throw new UnauthenticatedError(AuthErrorCode.SessionExpired, 'This session has expired; sign in again');
    }
    if (!row.lastUsedAt || now.getTime() - new Date(row.lastUsedAt).getTime() >= LAST_USED_RESOLUTION_MS) {
      await retryOnConnectionLoss(() =>
        this.dataSource.query(`UPDATE user_session SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $3)`, [
          row.sessionId,
          now,
          new Date(now.getTime() - LAST_USED_RESOLUTION_MS),
        ]),
      );
    }
    return { kind: 'user', userId: row.userId, email: row.email, name: row.name, role: row.role, sessionId: row.sessionId };
  }
}
