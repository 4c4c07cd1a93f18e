import { randomBytes } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { Clock } from '../common/clock';
import { InvalidInputError, NotFoundError, type Problem, UnauthenticatedError } from '../common/errors';
import { retryOnConnectionLoss } from '../db/connection-loss';
import { ApiKeyEntity } from './api-key.entity';
import { AuthErrorCode } from './auth.errors';
import { API_KEY_FORMAT, API_KEY_PREFIX, ID, LAST_USED_RESOLUTION_MS, sameHash, sha256, toDate, USER_LIMITS } from './credentials';
import { isScope, type Principal, SCOPES, type Scope } from './principal';
import { UserEntity } from './user.entity';

/**
 * A recognised API key is looked up at most once per this long per process: client apps send one
 * with every request, and the lookup was a database round trip each time. A revocation takes effect
 * at once in the process that made it and within this time everywhere else; expiry is checked on
 * every request.
 */
export const API_KEY_CACHE_MS = 5 * 1000;
const API_KEY_CACHE_MAX = 10_000;

export interface CreateApiKeyData {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
}

export interface CreatedApiKey {
  apiKey: ApiKeyEntity;
  /** The whole key (`lsk_<prefix>_<secret>`); only its hash is kept, so this is the one time it is shown. */
  secret: string;
}

/** Client apps' API keys: created, revoked, and recognised on each request. */
export class ApiKeyService {
  private readonly apiKeys: Repository<ApiKeyEntity>;
  /** Recognised API keys by prefix, with when they were read (see API_KEY_CACHE_MS). */
  private readonly apiKeyCache = new Map<string, { row: ApiKeyEntity; creatorDisabledAt: Date | null; readAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.apiKeys = dataSource.getRepository(ApiKeyEntity);
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

  /** Neither revoked nor expired now. */
  isActive(key: ApiKeyEntity): boolean {
    return !key.revokedAt && (!key.expiresAt || key.expiresAt.getTime() > this.clock.now().getTime());
  }

  /** The client app an API key belongs to; UnauthenticatedError saying why when it does not hold. */
  async authenticateApiKey(key: string): Promise<Principal> {
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
        this.dataSource.query(`UPDATE api_key SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, [
          row.id,
          row.lastUsedAt,
          new Date(now - LAST_USED_RESOLUTION_MS),
        ]),
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

  /** Keys created by the user are read again on their next use (the user was disabled or enabled). */
  forgetKeysOf(userId: string): void {
    for (const [prefix, cached] of this.apiKeyCache) if (cached.row.createdBy === userId) this.apiKeyCache.delete(prefix);
  }
}
