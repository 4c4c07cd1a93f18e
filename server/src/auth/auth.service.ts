import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { ConflictError, InvalidInputError, NotFoundError, UnauthenticatedError, type Problem } from '../common/errors';
import { retryOnConnectionLoss } from '../db/connection-loss';
import { queryPreparedRead } from '../db/prepared';
import { ApiKeyEntity } from './api-key.entity';
import { AuthErrorCode } from './auth.errors';
import { hashPassword, verifyPassword } from './passwords';
import { isRole, isScope, ROLES, SCOPES, type Principal, type Role, type Scope } from './principal';
import { UserEntity } from './user.entity';
import { UserSessionEntity } from './user-session.entity';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** last_used_at is a hint for admins, not an access log: written at most once a minute per key. */
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
const DEMO_USERS: Array<{ email: string; name: string; role: Role }> = [
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

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

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
  private readonly apiKeyCache = new Map<string, { row: ApiKeyEntity; readAt: number }>();

  constructor(private readonly dataSource: DataSource) {
    this.users = dataSource.getRepository(UserEntity);
    this.sessions = dataSource.getRepository(UserSessionEntity);
    this.apiKeys = dataSource.getRepository(ApiKeyEntity);
  }

  async createUser(input: CreateUserData): Promise<UserEntity> {
    const email = input.email.trim().toLowerCase();
    const name = input.name.trim();
    const problems: Problem[] = [];
    if (email.length > USER_LIMITS.email) problems.push({ path: 'input.email', message: `at most ${USER_LIMITS.email} characters` });
    else if (!EMAIL.test(email)) problems.push({ path: 'input.email', message: `"${input.email.slice(0, 60)}" is not an email address` });
    if (!name || name.length > USER_LIMITS.name) problems.push({ path: 'input.name', message: `must be 1 to ${USER_LIMITS.name} characters` });
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
    const passwordHash = await hashPassword(input.password);
    return this.users.save(this.users.create({ email, name, role: input.role as Role, passwordHash, disabledAt: null }));
  }

  listUsers(): Promise<UserEntity[]> {
    return this.users.find({ order: { id: 'ASC' } });
  }

  findUser(id: string): Promise<UserEntity | null> {
    return /^\d{1,18}$/.test(id) ? this.users.findOneBy({ id }) : Promise.resolve(null); // beyond bigint: no such user
  }

  /** Opens a 12-hour session; the token is returned once and stored only as its SHA-256. */
  async signIn(email: string, password: string): Promise<SignInResult> {
    const user = await this.users.findOneBy({ email: email.trim().toLowerCase() });
    this.decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const passwordMatches = await verifyPassword(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !passwordMatches || user.disabledAt) {
      throw new UnauthenticatedError(AuthErrorCode.InvalidCredentials, 'Email or password is wrong');
    }
    const token = `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.sessions.insert({ userId: user.id, tokenHash: sha256(token), expiresAt, revokedAt: null });
    return { token, expiresAt, user };
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
      `SELECT s.id::text AS "sessionId", s.expires_at AS "expiresAt", s.revoked_at AS "revokedAt",
              u.id::text AS "userId", u.email, u.name, u.role, u.disabled_at AS "disabledAt"
         FROM user_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.token_hash = $1`,
      [sha256(token)],
    )) as Array<{ sessionId: string; expiresAt: Date; revokedAt: Date | null; userId: string; email: string; name: string; role: Role; disabledAt: Date | null }>;
    if (!row) throw new UnauthenticatedError(AuthErrorCode.SessionExpired, 'Unknown session token; sign in again');
    if (row.revokedAt || row.disabledAt) throw new UnauthenticatedError(AuthErrorCode.SessionExpired, 'This session was signed out; sign in again');
    if (new Date(row.expiresAt).getTime() <= Date.now()) {
      throw new UnauthenticatedError(AuthErrorCode.SessionExpired, 'This session has expired; sign in again');
    }
    return { kind: 'user', userId: row.userId, email: row.email, name: row.name, role: row.role, sessionId: row.sessionId };
  }

  private async authenticateApiKey(key: string): Promise<Principal> {
    const match = API_KEY_FORMAT.exec(key);
    const row = match ? await this.apiKeyByPrefix(match[1]) : null;
    // The secret is checked before anything else is said about the key.
    if (!match || !row || !sameHash(row.secretHash, sha256(match[2]))) {
      throw new UnauthenticatedError(AuthErrorCode.InvalidApiKey, 'API key not recognised');
    }
    const label = `API key "${row.name}" (${row.prefix})`;
    if (row.revokedAt) throw new UnauthenticatedError(AuthErrorCode.ApiKeyRevoked, `${label} was revoked on ${row.revokedAt.toISOString()}`);
    const now = Date.now();
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

  private async apiKeyByPrefix(prefix: string): Promise<ApiKeyEntity | null> {
    const now = Date.now();
    const cached = this.apiKeyCache.get(prefix);
    if (cached && now - cached.readAt < API_KEY_CACHE_MS) return cached.row;
    const row = await retryOnConnectionLoss(() => this.apiKeys.findOneBy({ prefix }));
    // Only keys that exist are kept, so that unknown prefixes cannot fill the cache.
    if (row) {
      if (this.apiKeyCache.size >= API_KEY_CACHE_MAX) this.apiKeyCache.clear();
      this.apiKeyCache.set(prefix, { row, readAt: now });
    } else {
      this.apiKeyCache.delete(prefix);
    }
    return row;
  }

  async createApiKey(input: CreateApiKeyData, createdBy: string | null = null): Promise<CreatedApiKey> {
    const name = input.name.trim();
    const problems: Problem[] = [];
    if (!name || name.length > USER_LIMITS.apiKeyName) problems.push({ path: 'input.name', message: `must be 1 to ${USER_LIMITS.apiKeyName} characters` });
    if (!input.scopes.length) problems.push({ path: 'input.scopes', message: `give at least one of ${SCOPES.join(', ')}` });
    input.scopes.forEach((scope, index) => {
      if (!isScope(scope)) problems.push({ path: `input.scopes[${index}]`, message: `"${scope}" is not one of ${SCOPES.join(', ')}` });
    });
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) problems.push({ path: 'input.expiresAt', message: 'must be in the future' });
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
    await this.dataSource.query(`UPDATE api_key SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
    this.apiKeyCache.delete(apiKey.prefix);
    return (await this.findApiKey(id)) as ApiKeyEntity;
  }

  listApiKeys(): Promise<ApiKeyEntity[]> {
    return this.apiKeys.find({ order: { id: 'ASC' } });
  }

  findApiKey(id: string): Promise<ApiKeyEntity | null> {
    return /^\d{1,18}$/.test(id) ? this.apiKeys.findOneBy({ id }) : Promise.resolve(null); // beyond bigint: no such key
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
