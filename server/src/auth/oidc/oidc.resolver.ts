import { Arg, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { toUser } from '../auth.resolver';
import { SignInPayload } from '../auth.types';
import type { OidcSignInService } from './oidc-sign-in.service';
import { OidcErrorCode, OidcSignInError } from './oidc.errors';

@ObjectType({ description: 'A way to sign in besides a password: the company OpenID provider.' })
export class AuthProvider {
  @Field(() => ID, { description: 'oidc' }) id: string;
  @Field(() => String, { description: 'Shown as "Sign in with <name>" (OIDC_PROVIDER_NAME, else the issuer host).' }) name: string;
  @Field(() => String, {
    description: 'Where a browser starts the sign-in (GET, on the API); add `?returnTo=/path` to come back to a console page.',
  })
  loginUrl: string;
}

@Resolver()
export class OidcResolver {
  constructor(private readonly oidc: OidcSignInService | null) {}

  @Query(() => [AuthProvider], { description: 'Needs no credentials. Single sign-on providers; empty when only passwords are on.' })
  authProviders(): AuthProvider[] {
    return this.oidc ? [this.oidc.provider()] : [];
  }

  @Mutation(() => SignInPayload, {
    description:
      'Needs no credentials. Turns the one-time code a finished single sign-on sent to the console (valid 60 s, once) into a 12-hour session, as signIn does.',
  })
  async exchangeSsoCode(@Arg('code', () => String) code: string, @Ctx() ctx: GraphQLContext): Promise<SignInPayload> {
    if (!this.oidc) throw new OidcSignInError(OidcErrorCode.NotConfigured, 'Single sign-on is not configured (OIDC_ISSUER is unset)');
    const { token, expiresAt, user } = await this.oidc.exchange(code, ctx.clientAddress, ctx.requestId);
    return { token, expiresAt, user: toUser(user) };
  }
}
