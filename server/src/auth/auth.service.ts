import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { systemClock, type Clock } from '../common/clock';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  type Problem,
} from '../common/errors';
import { retryOnConnectionLoss } from '../db/connection-loss';
import { queryPreparedRead } from '../db/prepared';
import { ApiKeyEntity } from './api-key.entity';
import { AuthErrorCode } from './auth.errors';
import { HASHING_GATE_DEFAULTS, HashingGate, type HashingGateOptions } from './hashing-gate';
import { hashPassword, verifyPassword } from './passwords';
import { isRole, isScope, ROLES, SCOPES, type Principal, type Role, type Scope, type UserPrincipal } from './principal';
import { SignInThrottle } from './sign-in-throttle';
import { UserEntity } from './user.entity';
import { UserSessionEntity } from './user-session.entity';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** last_used_at is a hint for admins, not an access log: written at most once a minute per key or session. */
const LAST_USED_RESOLUTION_MS = 60 * 1000;
/**
 * A recognised API key is looked up at most once per this long per process: client apps send one
 * with every request, and the lookup was a database round trip each time. A revocation takes effect
 * at once in the process that made it and within this time everywhere else; expiry is checked on
 * every request.
 */
export const API_KEY_CACHE_MS = 5 * 1000;
const API_KEY_CACHE_MAX = 10_000;
/** Session tokens and API keys look different, so one Authorization header can carry either. */
const SESSION_TOKEN_PREFIX = 'lss_';
export const API_KEY_PREFIX = 'lsk_';
const API_KEY_FORMAT = /^(lsk_[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const USER_LIMITS = { email: 320, name: 200, passwordMin: 12, passwordMax: 200, apiKeyName: 100 } as const;

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; role: Role }> = [
  { email: 'admin@demo.local', name: 'Ada Admin', role: 'admin' },
  { email: 'marketing@demo.local', name: 'Mia Marketing', role: 'marketing' },
  // A second marketer, so the rule that an author cannot approve their own change can be shown.
  { email: 'marketing2@demo.local', name: 'Max Marketing', role: 'marketing' },
  { email: 'sales@demo.local', name: 'Sam Sales', role: 'sales' },
  { email: 'viewer@demo.local', name: 'Vic Viewer', role: 'viewer' },
];

export interface CreateUserData {
  email: string;
  name: string;
  role: string;
  password: string;
}

export interface CreateApiKeyData {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
}

/** The credential headers of a request: `Authorization: Bearer ...` and `X-Api-Key`. */
export interface Credentials {
  authorization?: string | null;
  apiKey?: string | null;
}

export interface SignInResult {
  token: string;
  expiresAt: Date;
  user: UserEntity;
}

export interface CreatedApiKey {
  apiKey: ApiKeyEntity;
  /** The whole key (`lsk_<prefix>_<secret>`); only its hash is kept, so this is the one time it is shown. */
  secret: string;
}

/** Who makes a change, as recorded in the audit log. `userId` is null for the CLI. */
export interface AuthActor {
  name: string;
  userId: string | null;
  requestId?: string;
}

export interface AuthServiceOptions {
  clock?: Clock;
  hashing?: HashingGateOptions;
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

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** The address sign-ins are counted under when a caller has none (in-process calls, the CLI). */
const LOCAL_ADDRESS = 'local';
const ID = /^\d{1,18}$/;
const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

function passwordProblem(password: string): string | null {
  return password.length < USER_LIMITS.passwordMin || password.length > USER_LIMITS.passwordMax
    ? `must be ${USER_LIMITS.passwordMin} to ${USER_LIMITS.passwordMax} characters`
    : null;
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Users, sessions and API keys: who may call the API, and who a request comes from. */
export class AuthService {
  private readonly users: Repository<UserEntity>;
  private readonly sessions: Repository<UserSessionEntity>;
  private readonly apiKeys: Repository<ApiKeyEntity>;
  /** Verified against when the email is unknown, so a wrong email costs as long as a wrong password. */
  private decoyHash: Promise<string> | null = null;
  /** Recognised API keys by prefix, with when they were read (see API_KEY_CACHE_MS). */
  private readonly apiKeyCache = new Map<string, { row: ApiKeyEntity; creatorDisabledAt: Date | null; readAt: number }>();
  private readonly clock: Clock;
  private readonly throttle: SignInThrottle;
  private readonly hashing: HashingGate;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    options: AuthServiceOptions = {},
  ) {
    this.users = dataSource.getRepository(UserEntity);
    this.sessions = dataSource.getRepository(UserSessionEntity);
    this.apiKeys = dataSource.getRepository(ApiKeyEntity);
    this.clock = options.clock ?? systemClock;
    this.throttle = new SignInThrottle(this.clock);
    this.hashing = new HashingGate(options.hashing ?? HASHING_GATE_DEFAULTS);
  }

  /** Hashing through the gate; refused at once (nothing computed) when this source or the queue is full. */
  private async hashed<T>(source: string, work: () => Promise<T>): Promise<T> {
    const result = await this.hashing.tryRun(source, work);
    if (!result)
      throw new RateLimitedError(
        AuthErrorCode.TooManyAttempts,
        'Too many password checks in progress from this address; try again in 1 s',
        1,
      );
    return result.value;
  }

  private refuseIfThrottled(email: string, address: string): void {
    const { retryAfterSeconds } = this.throttle.check(email, address);
    if (retryAfterSeconds > 0) {
      const at = new Date(this.clock.now().getTime() + retryAfterSeconds * 1000).toISOString();
      throw new RateLimitedError(
        AuthErrorCode.TooManyAttempts,
        `Too many failed sign-ins; try again in ${retryAfterSeconds} s (at ${at})`,
        retryAfterSeconds,
      );
    }
  }

  /** With an actor (GraphQL, the CLI) the creation is audited. */
  async createUser(input: CreateUserData, actor?: AuthActor): Promise<UserEntity> {
    const email = input.email.trim().toLowerCase();
    const name = input.name.trim();
    const problems: Problem[] = [];
    if (email.length > USER_LIMITS.email) problems.push({ path: 'input.email', message: `at most ${USER_LIMITS.email} characters` });
    else if (!EMAIL.test(email)) problems.push({ path: 'input.email', message: `"${input.email.slice(0, 60)}" is not an email address` });
    if (!name || name.length > USER_LIMITS.name)
      problems.push({ path: 'input.name', message: `must be 1 to ${USER_LIMITS.name} characters` });
    if (!isRole(input.role)) problems.push({ path: 'input.role', message: `must be one of ${ROLES.join(', ')}` });
    if (input.password.length < USER_LIMITS.passwordMin || input.password.length > USER_LIMITS.passwordMax) {
      problems.push({ path: 'input.password', message: `must be ${USER_LIMITS.passwordMin} to ${USER_LIMITS.passwordMax} characters` });
    }
    if (problems.length) throw InvalidInputError.of(AuthErrorCode.InvalidUser, problems);
    if (await this.users.existsBy({ email })) {
      throw new ConflictError(AuthErrorCode.EmailTaken, `A user with email ${email} already exists`, [
        { path: 'input.email', message: 'already used by another user' },
      ]);
    }
    const passwordHash = await this.hashed(actor?.userId ?? LOCAL_ADDRESS, () => hashPassword(input.password));
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.save(
        UserEntity,
        manager.create(UserEntity, { email, name, role: input.role as Role, passwordHash, disabledAt: null }),
      );
      if (actor) {
        await this.audit.record(manager, {
          actor: actor.name,
          action: 'user.created',
          entityType: 'user',
          entityId: user.id,
          summary: `Created user ${email} (${user.role})`,
          after: { email, name, role: user.role },
          requestId: actor.requestId,
        });
      }
      return user;
    });
  }

  listUsers(): Promise<UserEntity[]> {
    return this.users.find({ order: { id: 'ASC' } });
  }

  findUser(id: string): Promise<UserEntity | null> {
    return ID.test(id) ? this.users.findOneBy({ id }) : Promise.resolve(null); // beyond bigint: no such user
  }

  /**
   * Opens a 12-hour session; the token is returned once and stored only as its SHA-256. Failed
   * attempts are throttled per account, per address and per both (SignInThrottle); a refused
   * attempt computes no hash. Unknown emails are verified against a decoy hash and counted like
   * known ones, so neither timing nor throttling tells which emails exist.
   */
  async signIn(email: string, password: string, clientAddress: string = LOCAL_ADDRESS): Promise<SignInResult> {
    const normalised = email.trim().toLowerCase();
    this.refuseIfThrottled(normalised, clientAddress);
    const user = await this.hashed(clientAddress, async () => {
      // Again: a lock may have been set while this attempt waited for its turn.
      this.refuseIfThrottled(normalised, clientAddress);
      const found = await this.users.findOneBy({ email: normalised });
      const matches = await this.verify(password, found?.passwordHash);
      return found && matches && !found.disabledAt ? found : null;
    });
    if (!user) {
      this.throttle.recordFailure(normalised, clientAddress);
      throw new UnauthenticatedError(AuthErrorCode.InvalidCredentials, 'Email or password is wrong');
    }
    this.throttle.recordSuccess(normalised, clientAddress);
    const token = `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_TTL_MS);
    await this.sessions.insert({
      userId: user.id,
      tokenHash: sha256(token),
      createdAt: this.clock.now(),
      expiresAt,
      revokedAt: null,
      clientAddress: clientAddress === LOCAL_ADDRESS ? null : clientAddress,
    });
    return { token, expiresAt, user };
  }

  private async verify(password: string, stored: string | undefined): Promise<boolean> {
    this.decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const matches = await verifyPassword(password, stored ?? (await this.decoyHash));
    return matches && stored !== undefined;
  }

  /**
   * Changes the caller's own password after checking the current one (throttled like a sign-in),
   * and ends the caller's other sessions.
   */
  async changePassword(
    principal: UserPrincipal,
    currentPassword: string,
    newPassword: string,
    clientAddress: string = LOCAL_ADDRESS,
    requestId?: string,
  ): Promise<UserEntity> {
    const problem = passwordProblem(newPassword);
    if (problem) throw InvalidInputError.field(AuthErrorCode.InvalidUser, 'newPassword', problem);
    const email = principal.email.toLowerCase();
    this.refuseIfThrottled(email, clientAddress);
    const passwordHash = await this.hashed(clientAddress, async () => {
      this.refuseIfThrottled(email, clientAddress);
      const user = await this.findUser(principal.userId);
      if (!user || !(await this.verify(currentPassword, user.passwordHash))) return null;
      return hashPassword(newPassword);
    });
    if (!passwordHash) {
      this.throttle.recordFailure(email, clientAddress);
      throw InvalidInputError.field(AuthErrorCode.WrongPassword, 'currentPassword', 'is not your current password');
    }
    this.throttle.recordSuccess(email, clientAddress);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE app_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, [
        principal.userId,
        passwordHash,
        this.clock.now(),
      ]);
      const ended = await this.endSessions(manager, principal.userId, principal.sessionId ?? null);
      await this.audit.record(manager, {
        actor: `user:${principal.email}`,
        action: 'user.password_changed',
        entityType: 'user',
        entityId: principal.userId,
        summary: `Changed own password; ${ended} other session(s) ended`,
        requestId,
      });
    });
    return (await this.findUser(principal.userId)) as UserEntity;
  }

  /** Sets a user's password without the current one (the CLI, for an administrator); ends all their sessions. */
  async setPassword(actor: AuthActor, email: string, newPassword: string): Promise<UserEntity> {
    const problem = passwordProblem(newPassword);
    if (problem) throw InvalidInputError.field(AuthErrorCode.InvalidUser, 'password', problem);
    const user = await this.userByEmail(email);
    const passwordHash = await this.hashed(actor.userId ?? LOCAL_ADDRESS, () => hashPassword(newPassword));
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE app_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, [
        user.id,
        passwordHash,
        this.clock.now(),
      ]);
      const ended = await this.endSessions(manager, user.id, null);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'user.password_set',
        entityType: 'user',
        entityId: user.id,
        summary: `Set the password of ${user.email}; ${ended} session(s) ended`,
        requestId: actor.requestId,
      });
    });
    return (await this.findUser(user.id)) as UserEntity;
  }

  async userByEmail(email: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ email: email.trim().toLowerCase() });
    if (!user)
      throw new NotFoundError(AuthErrorCode.UserNotFound, `No user with email ${email.trim().toLowerCase()}`, [
        { path: 'email', message: 'no such user' },
      ]);
    return user;
  }

  /**
   * Disables a user: their sessions end and the API keys they created stop working at once in this
   * process (within API_KEY_CACHE_MS in others). An admin cannot disable themselves, and the last
   * active admin cannot be disabled.
   */
  async disableUser(actor: AuthActor, id: string): Promise<UserEntity> {
    if (actor.userId !== null && actor.userId === id) {
      throw new ConflictError(AuthErrorCode.CannotDisableSelf, 'You cannot disable yourself; ask another admin', [
        { path: 'id', message: 'is you' },
      ]);
    }
    const user = await this.dataSource.transaction(async (manager) => {
      // The target and every active admin, locked in id order: two admins disabling each other at
      // once are serialised (the second sees the first's change), without a deadlock.
      const rows: Array<{ id: string; role: Role; disabledAt: Date | null }> = ID.test(id)
        ? await manager.query(
            `SELECT id::text AS id, role, disabled_at AS "disabledAt" FROM app_user
              WHERE id = $1 OR (role = 'admin' AND disabled_at IS NULL) ORDER BY id FOR UPDATE`,
            [id],
          )
        : [];
      const target = rows.find((row) => row.id === id);
      if (!target) throw this.userNotFound(id);
      if (target.disabledAt) return null;
      if (target.role === 'admin' && !rows.some((row) => row.id !== id && row.role === 'admin' && !row.disabledAt)) {
        throw new ConflictError(AuthErrorCode.LastAdmin, 'This is the last active admin: enable or create another admin first', [
          { path: 'id', message: 'is the last active admin' },
        ]);
      }
      await manager.query(`UPDATE app_user SET disabled_at = $2 WHERE id = $1`, [id, this.clock.now()]);
      const ended = await this.endSessions(manager, id, null);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'user.disabled',
        entityType: 'user',
        entityId: id,
        summary: `Disabled user ${id}; ${ended} session(s) ended, API keys they created stopped`,
        before: { disabledAt: null },
        requestId: actor.requestId,
      });
      return id;
    });
    if (user) this.forgetApiKeysOf(id);
    return (await this.findUser(id)) as UserEntity;
  }

  async enableUser(actor: AuthActor, id: string): Promise<UserEntity> {
    const changed = await this.dataSource.transaction(async (manager) => {
      const [row]: Array<{ disabledAt: Date | null }> = ID.test(id)
        ? await manager.query(`SELECT disabled_at AS "disabledAt" FROM app_user WHERE id = $1 FOR UPDATE`, [id])
        : [];
      if (!row) throw this.userNotFound(id);
      if (!row.disabledAt) return false;
      await manager.query(`UPDATE app_user SET disabled_at = NULL WHERE id = $1`, [id]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'user.enabled',
        entityType: 'user',
        entityId: id,
        summary: `Enabled user ${id} (sessions ended when disabled stay ended)`,
        before: { disabledAt: row.disabledAt },
        after: { disabledAt: null },
        requestId: actor.requestId,
      });
      return true;
    });
    if (changed) this.forgetApiKeysOf(id);
    return (await this.findUser(id)) as UserEntity;
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
  private async endSessions(manager: EntityManager, userId: string, keep: string | null): Promise<number> {
    const ended: unknown[] = await manager.query(
      `WITH ended AS (UPDATE user_session SET revoked_at = $3 WHERE user_id = $1 AND revoked_at IS NULL AND ($2::bigint IS NULL OR id <> $2::bigint) RETURNING id)
       SELECT id FROM ended`,
      [userId, keep, this.clock.now()],
    );
    return ended.length;
  }

  private forgetApiKeysOf(userId: string): void {
    for (const [prefix, cached] of this.apiKeyCache) if (cached.row.createdBy === userId) this.apiKeyCache.delete(prefix);
  }

  private userNotFound(id: string): NotFoundError {
    return new NotFoundError(AuthErrorCode.UserNotFound, `No user with id ${id.slice(0, 40)}`, [{ path: 'id', message: 'no such user' }]);
  }

  /** Ends a session; false when it was already ended. */
  async signOut(sessionId: string): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :sessionId AND revoked_at IS NULL', { sessionId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Who the credentials belong to: null when there are none; UnauthenticatedError, saying why, when
   * they do not hold (unknown, expired or revoked). `Authorization: Bearer` carries a session token
   * or an API key; `X-Api-Key` an API key.
   */
  async authenticate(credentials: Credentials): Promise<Principal | null> {
    const authorization = credentials.authorization?.trim();
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) {
        throw new UnauthenticatedError(
          AuthErrorCode.MalformedCredentials,
          'The Authorization header must be "Bearer <session token or API key>"',
        );
      }
      return match[1].startsWith(API_KEY_PREFIX) ? this.authenticateApiKey(match[1]) : this.authenticateSession(match[1]);
    }
    const apiKey = credentials.apiKey?.trim();
    return apiKey ? this.authenticateApiKey(apiKey) : null;
  }

  private async authenticateSession(token: string): Promise<Principal> {
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

  private async authenticateApiKey(key: string): Promise<Principal> {
    const match = API_KEY_FORMAT.exec(key);
    const found = match ? await this.apiKeyByPrefix(match[1]) : null;
    // The secret is checked before anything else is said about the key.
    if (!match || !found || !sameHash(found.row.secretHash, sha256(match[2]))) {
      throw new UnauthenticatedError(AuthErrorCode.InvalidApiKey, 'API key not recognised');
    }
    const row = found.row;
    const label = `API key "${row.name}" (${row.prefix})`;
    if (row.revokedAt)
      throw new UnauthenticatedError(AuthErrorCode.ApiKeyRevoked, `${label} was revoked on ${row.revokedAt.toISOString()}`);
    if (found.creatorDisabledAt) {
      throw new UnauthenticatedError(
        AuthErrorCode.ApiKeyCreatorDisabled,
        `${label} was created by a user who is disabled; an admin can enable that user or create a new key`,
      );
    }
    const now = this.clock.now().getTime();
    if (row.expiresAt && row.expiresAt.getTime() <= now) {
      throw new UnauthenticatedError(AuthErrorCode.ApiKeyExpired, `${label} expired on ${row.expiresAt.toISOString()}`);
    }
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      row.lastUsedAt = new Date(now);
      await retryOnConnectionLoss(() =>
        this.dataSource.query(
          `UPDATE api_key SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
          [row.id],
        ),
      );
    }
    return { kind: 'apiKey', keyId: row.id, name: row.name, scopes: row.scopes.filter(isScope) };
  }

  /** A key with whether its creator is disabled now (such keys stop working until the user is enabled). */
  private async apiKeyByPrefix(prefix: string): Promise<{ row: ApiKeyEntity; creatorDisabledAt: Date | null } | null> {
    // Real time, not the injectable clock: this bounds how stale a lookup may be.
    const now = Date.now();
    const cached = this.apiKeyCache.get(prefix);
    if (cached && now - cached.readAt < API_KEY_CACHE_MS) return cached;
    const [row] = await retryOnConnectionLoss(() =>
      this.apiKeys
        .createQueryBuilder('k')
        .leftJoin(UserEntity, 'u', 'u.id = k.created_by')
        .addSelect('u.disabled_at', 'creator_disabled_at')
        .where('k.prefix = :prefix', { prefix })
        .getRawAndEntities()
        .then(({ entities, raw }: { entities: ApiKeyEntity[]; raw: Array<{ creator_disabled_at: Date | string | null }> }) =>
          entities.map((entity, index) => ({ row: entity, creatorDisabledAt: toDate(raw[index]?.creator_disabled_at ?? null) })),
        ),
    );
    // Only keys that exist are kept, so that unknown prefixes cannot fill the cache.
    if (row) {
      if (this.apiKeyCache.size >= API_KEY_CACHE_MAX) this.apiKeyCache.clear();
      this.apiKeyCache.set(prefix, { ...row, readAt: now });
    } else {
      this.apiKeyCache.delete(prefix);
    }
    return row ?? null;
  }

  async createApiKey(input: CreateApiKeyData, createdBy: string | null = null): Promise<CreatedApiKey> {
    const name = input.name.trim();
    const problems: Problem[] = [];
    if (!name || name.length > USER_LIMITS.apiKeyName)
      problems.push({ path: 'input.name', message: `must be 1 to ${USER_LIMITS.apiKeyName} characters` });
    if (!input.scopes.length) problems.push({ path: 'input.scopes', message: `give at least one of ${SCOPES.join(', ')}` });
    input.scopes.forEach((scope, index) => {
      if (!isScope(scope)) problems.push({ path: `input.scopes[${index}]`, message: `"${scope}" is not one of ${SCOPES.join(', ')}` });
    });
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime())
      problems.push({ path: 'input.expiresAt', message: 'must be in the future' });
    if (problems.length) throw InvalidInputError.of(AuthErrorCode.InvalidApiKeyInput, problems);

    const prefix = `${API_KEY_PREFIX}${randomBytes(6).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    const apiKey = await this.apiKeys.save(
      this.apiKeys.create({
        name,
        prefix,
        secretHash: sha256(secret),
        scopes: [...new Set(input.scopes)] as Scope[],
        createdBy,
        expiresAt: input.expiresAt ?? null,
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
    return { apiKey, secret: `${prefix}_${secret}` };
  }

  /** Revokes a key for good; revoking it again changes nothing. */
  async revokeApiKey(id: string): Promise<ApiKeyEntity> {
    const apiKey = await this.findApiKey(id);
    if (!apiKey) throw new NotFoundError(AuthErrorCode.ApiKeyNotFound, `No API key with id ${id}`);
    if (apiKey.revokedAt) return apiKey;
    await this.dataSource.query(`UPDATE api_key SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, this.clock.now()]);
    this.apiKeyCache.delete(apiKey.prefix);
    return (await this.findApiKey(id)) as ApiKeyEntity;
  }

  listApiKeys(): Promise<ApiKeyEntity[]> {
    return this.apiKeys.find({ order: { id: 'ASC' } });
  }

  findApiKey(id: string): Promise<ApiKeyEntity | null> {
    return ID.test(id) ? this.apiKeys.findOneBy({ id }) : Promise.resolve(null); // beyond bigint: no such key
  }

  /**
   * Demo only: on a database without users, creates one user per role (and a second marketer), all
   * with the password "demo-password". Returns the demo users present, so the demo can say how to sign in.
   */
  async ensureDemoUsers(): Promise<DemoUser[]> {
    if ((await this.users.count()) === 0) {
      for (const user of DEMO_USERS) await this.createUser({ ...user, password: DEMO_PASSWORD });
    }
    const existing = new Set((await this.listUsers()).map((user) => user.email));
    return DEMO_USERS.filter((user) => existing.has(user.email)).map((user) => ({ ...user, password: DEMO_PASSWORD }));
  }
}
