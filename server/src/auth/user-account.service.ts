import type { DataSource, Repository } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../common/clock';
import { ConflictError, InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import type { ApiKeyService } from './api-key.service';
import { AuthErrorCode } from './auth.errors';
import { type AuthActor, ID, LOCAL_ADDRESS, passwordProblem, USER_LIMITS } from './credentials';
import { DEMO_PASSWORD, DEMO_USERS, type DemoUser } from './demo-users';
import type { PasswordChecks } from './password-checks';
import { hashPassword } from './passwords';
import { isRole, ROLES, type Role, type UserPrincipal } from './principal';
import type { SessionService } from './session.service';
import { UserEntity } from './user.entity';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface CreateUserData {
  email: string;
  name: string;
  role: string;
  password: string;
}

/** Users and their passwords: created, listed, disabled and enabled, passwords changed and set. */
export class UserAccountService {
  private readonly users: Repository<UserEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly checks: PasswordChecks,
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyService,
    private readonly clock: Clock,
  ) {
    this.users = dataSource.getRepository(UserEntity);
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
    const passwordHash = await this.checks.hashed(actor?.userId ?? LOCAL_ADDRESS, () => hashPassword(input.password));
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
    this.checks.refuseIfThrottled(email, clientAddress);
    const passwordHash = await this.checks.hashed(clientAddress, async () => {
      this.checks.refuseIfThrottled(email, clientAddress);
      const user = await this.findUser(principal.userId);
      if (!user || !(await this.checks.verify(currentPassword, user.passwordHash))) return null;
      return hashPassword(newPassword);
    });
    if (!passwordHash) {
      this.checks.recordFailure(email, clientAddress);
      throw InvalidInputError.field(AuthErrorCode.WrongPassword, 'currentPassword', 'is not your current password');
    }
    this.checks.recordSuccess(email, clientAddress);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE app_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, [
        principal.userId,
        passwordHash,
        this.clock.now(),
      ]);
      const ended = await this.sessions.endSessions(manager, principal.userId, principal.sessionId ?? null);
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
    const passwordHash = await this.checks.hashed(actor.userId ?? LOCAL_ADDRESS, () => hashPassword(newPassword));
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE app_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, [
        user.id,
        passwordHash,
        this.clock.now(),
      ]);
      const ended = await this.sessions.endSessions(manager, user.id, null);
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
              WHERE id = $1 OR (role = 'admin' AND disabled_at IS NULL) ORDER BY app_user.id FOR UPDATE`,
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
      const ended = await this.sessions.endSessions(manager, id, null);
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
    if (user) this.apiKeys.forgetKeysOf(id);
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
    if (changed) this.apiKeys.forgetKeysOf(id);
    return (await this.findUser(id)) as UserEntity;
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

  private userNotFound(id: string): NotFoundError {
    return new NotFoundError(AuthErrorCode.UserNotFound, `No user with id ${id.slice(0, 40)}`, [{ path: 'id', message: 'no such user' }]);
  }
}
