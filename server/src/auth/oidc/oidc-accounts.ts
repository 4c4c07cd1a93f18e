import type { EntityManager } from 'typeorm';
import type { AuditService } from '../../audit/audit.service';
import { USER_LIMITS } from '../credentials';
import type { Role } from '../principal';
import { UserEntity } from '../user.entity';
import type { OidcIdentity } from './oidc-client';
import type { OidcConfig } from './oidc-config';
import { OidcErrorCode, OidcSignInError } from './oidc.errors';

/** When a user has several mapped groups, the role that may do the most wins. */
const ROLE_PRECEDENCE: readonly Role[] = ['admin', 'marketing', 'sales', 'viewer'];

/** The role the provider's groups give, else the default role, else null (refused). */
export function mappedRole(config: OidcConfig, roleValues: string[]): Role | null {
  const roles = new Set(roleValues.flatMap((value) => config.roleMap.get(value) ?? []));
  return ROLE_PRECEDENCE.find((role) => roles.has(role)) ?? config.defaultRole;
}

/**
 * The user an identity signs in as, inside the caller's transaction: the user linked to this issuer
 * and subject; else the user with the same verified e-mail, linked now; else, with OIDC_JIT=true, a
 * new user without a password. The role comes from the provider at every sign-in (a change in the
 * IdP applies at the next one). Each change (creation, link, role) is audited.
 */
export async function resolveOidcUser(
  manager: EntityManager,
  audit: AuditService,
  config: OidcConfig,
  identity: OidcIdentity,
): Promise<UserEntity> {
  const role = mappedRole(config, identity.roleValues);
  const shownGroups = identity.roleValues.slice(0, 20).join(', ') || 'none';
  if (!role) {
    throw new OidcSignInError(
      OidcErrorCode.RoleNotMapped,
      `None of the groups in ${config.roleClaim ?? 'the role claim'} (${shownGroups}) is mapped to a role (OIDC_ROLE_MAP) and there is no OIDC_DEFAULT_ROLE`,
    );
  }
  const verifiedEmail = identity.email && identity.emailVerified ? identity.email : null;
  if (config.allowedDomains.length > 0 && identity.email && !verifiedEmail) throw emailNotVerified(identity.email);
  if (config.allowedDomains.length > 0) {
    const domain = verifiedEmail?.split('@').pop() ?? null;
    if (!domain || !config.allowedDomains.includes(domain)) {
      throw new OidcSignInError(
        OidcErrorCode.DomainNotAllowed,
        `Sign-on needs a verified e-mail in ${config.allowedDomains.join(', ')}; got ${verifiedEmail ?? 'none verified'}`,
      );
    }
  }
  const actor = `user:${verifiedEmail ?? identity.email ?? identity.subject}`;
  const users = manager.getRepository(UserEntity);
  let user = await users.findOne({
    where: { oidcIssuer: identity.issuer, oidcSubject: identity.subject },
    lock: { mode: 'pessimistic_write' },
  });
  if (!user) {
    if (!verifiedEmail) throw emailNotVerified(identity.email);
    user = await users.findOne({ where: { email: verifiedEmail }, lock: { mode: 'pessimistic_write' } });
    if (user?.oidcSubject) {
      throw new OidcSignInError(
        OidcErrorCode.IdentityConflict,
        `${verifiedEmail} is already linked to another identity at ${user.oidcIssuer}; an admin must unlink it first`,
      );
    }
    if (user) {
      await manager.query(`UPDATE app_user SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1`, [
        user.id,
        identity.issuer,
        identity.subject,
      ]);
      await audit.record(manager, {
        actor,
        action: 'user.sso_linked',
        entityType: 'user',
        entityId: user.id,
        summary: `Linked ${user.email} to single sign-on at ${identity.issuer}`,
        after: { issuer: identity.issuer, subject: identity.subject },
      });
    } else if (config.jit) {
      user = await createUser(manager, audit, identity, verifiedEmail, role, actor);
    } else {
      throw new OidcSignInError(
        OidcErrorCode.UnknownUser,
        `No user with e-mail ${verifiedEmail}; users are not created on sign-in (OIDC_JIT=false): ask an admin to create it`,
      );
    }
  }
  if (user.disabledAt) throw new OidcSignInError(OidcErrorCode.UserDisabled, `${user.email} is disabled here`);
  if (user.role !== role) {
    await manager.query(`UPDATE app_user SET role = $2 WHERE id = $1`, [user.id, role]);
    await audit.record(manager, {
      actor,
      action: 'user.role_changed',
      entityType: 'user',
      entityId: user.id,
      summary: `Set the role of ${user.email} to ${role} from the identity provider's groups (${shownGroups})`,
      before: { role: user.role },
      after: { role },
    });
    user.role = role;
  }
  return user;
}

function emailNotVerified(email: string | null): OidcSignInError {
  return new OidcSignInError(
    OidcErrorCode.EmailNotVerified,
    email
      ? `The provider has not verified ${email}, so it cannot be matched to a user`
      : 'The provider gave no e-mail address (ask for the email scope), so the user cannot be matched',
  );
}

async function createUser(
  manager: EntityManager,
  audit: AuditService,
  identity: OidcIdentity,
  email: string,
  role: Role,
  actor: string,
): Promise<UserEntity> {
  if (email.length > USER_LIMITS.email) {
    throw new OidcSignInError(OidcErrorCode.EmailNotVerified, `The e-mail is longer than ${USER_LIMITS.email} characters`);
  }
  const name = (identity.name ?? email).slice(0, USER_LIMITS.name);
  const user = await manager.save(
    UserEntity,
    manager.create(UserEntity, {
      email,
      name,
      role,
      passwordHash: null,
      disabledAt: null,
      oidcIssuer: identity.issuer,
      oidcSubject: identity.subject,
    }),
  );
  await audit.record(manager, {
    actor,
    action: 'user.created',
    entityType: 'user',
    entityId: user.id,
    summary: `Created user ${email} (${role}) at their first single sign-on`,
    after: { email, name, role, issuer: identity.issuer },
  });
  return user;
}
