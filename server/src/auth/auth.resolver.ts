import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ForbiddenError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import type { ApiKeyEntity } from './api-key.entity';
import { AUTH_ROLES, mayManageAccounts } from './auth-roles';
import { AuthErrorCode } from './auth.errors';
import type { AuthActor, AuthService, SessionRow } from './auth.service';
import {
  ApiKey,
  type ApiKeyScopeEnum,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  CreateUserInput,
  Me,
  type RoleEnum,
  Session,
  SignInPayload,
  User,
} from './auth.types';
import { describePrincipal, type UserPrincipal } from './principal';
import type { UserEntity } from './user.entity';

// Mapped field by field so a password or secret hash can never reach a response.
export const toUser = (user: UserEntity): User => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role as RoleEnum,
  createdAt: user.createdAt,
  disabledAt: user.disabledAt,
});

const toApiKey = (key: ApiKeyEntity, active: boolean): ApiKey => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes as ApiKeyScopeEnum[],
  createdBy: key.createdBy,
  createdAt: key.createdAt,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
  lastUsedAt: key.lastUsedAt,
  active,
});

const toSession = (row: SessionRow, ctx: GraphQLContext, revoked = false): Session => ({
  ...row,
  current: ctx.principal?.kind === 'user' && ctx.principal.sessionId === row.id,
  revoked,
});

/** Operations on one's own account need a signed-in user; `@Authorized(...AUTH_ROLES.ownAccount)` already refuses API keys. */
const userOf = (ctx: GraphQLContext): UserPrincipal => {
  if (ctx.principal?.kind !== 'user') throw new ForbiddenError(AuthErrorCode.ForbiddenRole, 'Only a signed-in user may do this');
  return ctx.principal;
};

const actorOf = (ctx: GraphQLContext): AuthActor => {
  const user = userOf(ctx);
  return { name: describePrincipal(user), userId: user.userId, requestId: ctx.requestId };
};

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  private toApiKey(key: ApiKeyEntity): ApiKey {
    return toApiKey(key, this.auth.isApiKeyActive(key));
  }

  @Mutation(() => SignInPayload, { description: 'Needs no credentials. Opens a 12-hour session for a user and returns its bearer token.' })
  async signIn(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SignInPayload> {
    const { token, expiresAt, user } = await this.auth.signIn(email, password, ctx.clientAddress);
    return { token, expiresAt, user: toUser(user) };
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Ends the session this request was made with; false when there is none (API keys).' })
  signOut(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    const principal = ctx.principal;
    return principal?.kind === 'user' && principal.sessionId ? this.auth.signOut(principal.sessionId) : Promise.resolve(false);
  }

  @Authorized()
  @Query(() => Me, { description: 'Who is calling.' })
  async me(@Ctx() ctx: GraphQLContext): Promise<Me> {
    const principal = ctx.principal!; // @Authorized() guarantees one
    const user = principal.kind === 'user' ? await this.auth.findUser(principal.userId) : null;
    const apiKey = principal.kind === 'apiKey' ? await this.auth.findApiKey(principal.keyId) : null;
    return { actor: describePrincipal(principal), user: user && toUser(user), apiKey: apiKey && this.toApiKey(apiKey) };
  }

  @Authorized(...AUTH_ROLES.manage)
  @Query(() => [User], { description: 'Every user. Admin only.' })
  async users(): Promise<User[]> {
    return (await this.auth.listUsers()).map(toUser);
  }

  @Authorized(...AUTH_ROLES.manage)
  @Mutation(() => User, { description: 'Adds a user. Admin only.' })
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<User> {
    return toUser(await this.auth.createUser(input, actorOf(ctx)));
  }

  @Authorized(...AUTH_ROLES.ownAccount)
  @Mutation(() => User, {
    description:
      "Changes the caller's password (12 to 200 characters) and ends the caller's other sessions. A wrong currentPassword is throttled like a sign-in.",
  })
  async changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return toUser(await this.auth.changePassword(userOf(ctx), currentPassword, newPassword, ctx.clientAddress, ctx.requestId));
  }

  @Authorized(...AUTH_ROLES.manage)
  @Mutation(() => User, {
    description:
      'Disables a user: they cannot sign in, their sessions end, and the API keys they created stop working (at once in this process, within 5 s in others) until they are enabled. Not oneself, nor the last active admin. Admin only.',
  })
  async disableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return toUser(await this.auth.disableUser(actorOf(ctx), id));
  }

  @Authorized(...AUTH_ROLES.manage)
  @Mutation(() => User, { description: 'Enables a disabled user again (their ended sessions stay ended). Admin only.' })
  async enableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return toUser(await this.auth.enableUser(actorOf(ctx), id));
  }

  @Authorized(...AUTH_ROLES.ownAccount)
  @Query(() => [Session], { description: "Active sessions, newest first: the caller's own; an admin may give any userId." })
  async sessions(
    @Arg('userId', () => ID, { nullable: true }) userId: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Session[]> {
    const user = userOf(ctx);
    if (userId != null && userId !== user.userId && !mayManageAccounts(user.role)) {
      throw new ForbiddenError(AuthErrorCode.ForbiddenRole, 'query sessions of another user needs role admin');
    }
    return (await this.auth.listSessions(userId ?? user.userId)).map((row) => toSession(row, ctx));
  }

  @Authorized(...AUTH_ROLES.ownAccount)
  @Mutation(() => Session, { description: "Ends a session: one's own, or any user's for an admin." })
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Session> {
    const actor = actorOf(ctx);
    // Ended now or before: either way it is ended.
    const { revoked: _endedNow, ...row } = await this.auth.revokeSession({ ...actor, isAdmin: mayManageAccounts(userOf(ctx).role) }, id);
    return toSession(row, ctx, true);
  }

  @Authorized(...AUTH_ROLES.manage)
  @Query(() => [ApiKey], { description: 'Every API key, revoked and expired ones included (never their secrets). Admin only.' })
  async apiKeys(): Promise<ApiKey[]> {
    return (await this.auth.listApiKeys()).map((key) => this.toApiKey(key));
  }

  @Authorized(...AUTH_ROLES.manage)
  @Mutation(() => CreateApiKeyPayload, {
    description: 'Creates an API key for a client app and returns its secret, this once. Admin only.',
  })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateApiKeyPayload> {
    const createdBy = ctx.principal?.kind === 'user' ? ctx.principal.userId : null;
    const { apiKey, secret } = await this.auth.createApiKey(input, createdBy);
    return { apiKey: this.toApiKey(apiKey), secret };
  }

  @Authorized(...AUTH_ROLES.manage)
  @Mutation(() => ApiKey, { description: 'Revokes an API key for good: requests with it are refused from now on. Admin only.' })
  async revokeApiKey(@Arg('id', () => ID) id: string): Promise<ApiKey> {
    return this.toApiKey(await this.auth.revokeApiKey(id));
  }
}
