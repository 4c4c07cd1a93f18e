import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { type Clock, systemClock } from '../common/clock';
import { UnauthenticatedError } from '../common/errors';
import { ApiKeyService } from './api-key.service';
import { AuthErrorCode } from './auth.errors';
import { API_KEY_PREFIX, type Credentials } from './credentials';
import type { HashingGateOptions } from './hashing-gate';
import { PasswordChecks } from './password-checks';
import type { Principal } from './principal';
import { SessionService } from './session.service';
import { UserAccountService } from './user-account.service';

export type { AuthActor, Credentials } from './credentials';
export type { SessionRow, SignInResult } from './session.service';

export interface AuthServiceOptions {
  /** Where sessions, keys and the sign-in throttle read the time; the system clock by default. */
  clock?: Clock;
  hashing?: HashingGateOptions;
}

/**
 * Who may call the API, and who a request comes from: the one auth API the other domains, the
 * resolver and the users CLI see. The work is done by the user accounts, sessions and API keys
 * services it builds, which share one clock and one set of password checks.
 */
export class AuthService {
  private readonly users: UserAccountService;
  private readonly sessions: SessionService;
  private readonly apiKeys: ApiKeyService;

  constructor(dataSource: DataSource, audit: AuditService, options: AuthServiceOptions = {}) {
    const clock = options.clock ?? systemClock;
    const checks = new PasswordChecks(clock, options.hashing);
    this.sessions = new SessionService(dataSource, audit, checks, clock);
    this.apiKeys = new ApiKeyService(dataSource, clock);
    this.users = new UserAccountService(dataSource, audit, checks, this.sessions, this.apiKeys, clock);
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
      return match[1].startsWith(API_KEY_PREFIX) ? this.apiKeys.authenticateApiKey(match[1]) : this.sessions.authenticateSession(match[1]);
    }
    const apiKey = credentials.apiKey?.trim();
    return apiKey ? this.apiKeys.authenticateApiKey(apiKey) : null;
  }

  // Users and passwords (user-account.service.ts)
  createUser(...args: Parameters<UserAccountService['createUser']>): ReturnType<UserAccountService['createUser']> {
    return this.users.createUser(...args);
  }

  listUsers(...args: Parameters<UserAccountService['listUsers']>): ReturnType<UserAccountService['listUsers']> {
    return this.users.listUsers(...args);
  }

  findUser(...args: Parameters<UserAccountService['findUser']>): ReturnType<UserAccountService['findUser']> {
    return this.users.findUser(...args);
  }

  changePassword(...args: Parameters<UserAccountService['changePassword']>): ReturnType<UserAccountService['changePassword']> {
    return this.users.changePassword(...args);
  }

  setPassword(...args: Parameters<UserAccountService['setPassword']>): ReturnType<UserAccountService['setPassword']> {
    return this.users.setPassword(...args);
  }

  userByEmail(...args: Parameters<UserAccountService['userByEmail']>): ReturnType<UserAccountService['userByEmail']> {
    return this.users.userByEmail(...args);
  }

  disableUser(...args: Parameters<UserAccountService['disableUser']>): ReturnType<UserAccountService['disableUser']> {
    return this.users.disableUser(...args);
  }

  enableUser(...args: Parameters<UserAccountService['enableUser']>): ReturnType<UserAccountService['enableUser']> {
    return this.users.enableUser(...args);
  }

  ensureDemoUsers(...args: Parameters<UserAccountService['ensureDemoUsers']>): ReturnType<UserAccountService['ensureDemoUsers']> {
    return this.users.ensureDemoUsers(...args);
  }

  // Sessions (session.service.ts)
  signIn(...args: Parameters<SessionService['signIn']>): ReturnType<SessionService['signIn']> {
    return this.sessions.signIn(...args);
  }

  openSession(...args: Parameters<SessionService['openSession']>): ReturnType<SessionService['openSession']> {
    return this.sessions.openSession(...args);
  }

  signOut(...args: Parameters<SessionService['signOut']>): ReturnType<SessionService['signOut']> {
    return this.sessions.signOut(...args);
  }

  listSessions(...args: Parameters<SessionService['listSessions']>): ReturnType<SessionService['listSessions']> {
    return this.sessions.listSessions(...args);
  }

  revokeSession(...args: Parameters<SessionService['revokeSession']>): ReturnType<SessionService['revokeSession']> {
    return this.sessions.revokeSession(...args);
  }

  // API keys (api-key.service.ts)
  createApiKey(...args: Parameters<ApiKeyService['createApiKey']>): ReturnType<ApiKeyService['createApiKey']> {
    return this.apiKeys.createApiKey(...args);
  }

  revokeApiKey(...args: Parameters<ApiKeyService['revokeApiKey']>): ReturnType<ApiKeyService['revokeApiKey']> {
    return this.apiKeys.revokeApiKey(...args);
  }

  listApiKeys(...args: Parameters<ApiKeyService['listApiKeys']>): ReturnType<ApiKeyService['listApiKeys']> {
    return this.apiKeys.listApiKeys(...args);
  }

  findApiKey(...args: Parameters<ApiKeyService['findApiKey']>): ReturnType<ApiKeyService['findApiKey']> {
    return this.apiKeys.findApiKey(...args);
  }

  isApiKeyActive(...args: Parameters<ApiKeyService['isActive']>): ReturnType<ApiKeyService['isActive']> {
    return this.apiKeys.isActive(...args);
  }
}
