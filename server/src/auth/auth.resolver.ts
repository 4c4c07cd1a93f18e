import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import type { ApiKeyEntity } from './api-key.entity';
import type { AuthService } from './auth.service';
import { ApiKey, ApiKeyScopeEnum, CreateApiKeyInput, CreateApiKeyPayload, CreateUserInput, Me, RoleEnum, SignInPayload, User } from './auth.types';
import { describePrincipal } from './principal';
import type { UserEntity } from './user.entity';

// Mapped field by field so a password or secret hash can never reach a response.
const toUser = (user: UserEntity): User => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role as RoleEnum,
  createdAt: user.createdAt,
  disabledAt: user.disabledAt,
});

const toApiKey = (key: ApiKeyEntity): ApiKey => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes as ApiKeyScopeEnum[],
  createdBy: key.createdBy,
  createdAt: key.createdAt,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
  lastUsedAt: key.lastUsedAt,
  active: !key.revokedAt && (!key.expiresAt || key.expiresAt.getTime() > Date.now()),
});

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Mutation(() => SignInPayload, { description: 'Needs no credentials. Opens a 12-hour session for a user and returns its bearer token.' })
  async signIn(@Arg('email', () => String) email: string, @Arg('password', () => String) password: string): Promise<SignInPayload> {
    const { token, expiresAt, user } = await this.auth.signIn(email, password);
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
    return { actor: describePrincipal(principal), user: user && toUser(user), apiKey: apiKey && toApiKey(apiKey) };
  }

  @Authorized('admin')
  @Query(() => [User], { description: 'Every user. Admin only.' })
  async users(): Promise<User[]> {
    return (await this.auth.listUsers()).map(toUser);
  }

  @Authorized('admin')
  @Mutation(() => User, { description: 'Adds a user. Admin only.' })
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput): Promise<User> {
    return toUser(await this.auth.createUser(input));
  }

  @Authorized('admin')
  @Query(() => [ApiKey], { description: 'Every API key, revoked and expired ones included (never their secrets). Admin only.' })
  async apiKeys(): Promise<ApiKey[]> {
    return (await this.auth.listApiKeys()).map(toApiKey);
  }

  @Authorized('admin')
  @Mutation(() => CreateApiKeyPayload, { description: 'Creates an API key for a client app and returns its secret, this once. Admin only.' })
  async createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: GraphQLContext): Promise<CreateApiKeyPayload> {
    const createdBy = ctx.principal?.kind === 'user' ? ctx.principal.userId : null;
    const { apiKey, secret } = await this.auth.createApiKey(input, createdBy);
    return { apiKey: toApiKey(apiKey), secret };
  }

  @Authorized('admin')
  @Mutation(() => ApiKey, { description: 'Revokes an API key for good: requests with it are refused from now on. Admin only.' })
  async revokeApiKey(@Arg('id', () => ID) id: string): Promise<ApiKey> {
    return toApiKey(await this.auth.revokeApiKey(id));
  }
}
