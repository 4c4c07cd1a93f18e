import { Field, GraphQLISODateTime, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum RoleEnum {
  ADMIN = 'admin',
  MARKETING = 'marketing',
  SALES = 'sales',
  VIEWER = 'viewer',
}
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'What a user may do. Admin may do everything.',
  valuesConfig: {
    ADMIN: { description: 'Manages users and API keys, and everything else.' },
    MARKETING: { description: 'Authors and reviews rule sets.' },
    SALES: { description: 'Reads leads and scores; reviews rule sets for sales.' },
    VIEWER: { description: 'Reads leads and scores.' },
  },
});

export enum ApiKeyScopeEnum {
  SCORES_READ = 'scores:read',
  LEADS_WRITE = 'leads:write',
}
registerEnumType(ApiKeyScopeEnum, {
  name: 'ApiKeyScope',
  description: 'What a client app may do with its API key.',
  valuesConfig: {
    SCORES_READ: { description: 'Read leads and their scores (scores:read).' },
    LEADS_WRITE: { description: 'Upsert leads and record activities (leads:write).' },
  },
});

@ObjectType({ description: 'A person who signs in.' })
export class User {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'Lower-case; unique.' }) email: string;
  @Field(() => String) name: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) disabledAt: Date | null;
}

@ObjectType({ description: 'A signed-in session (never its token).' })
export class Session {
  @Field(() => ID) id: string;
  @Field(() => ID) userId: string;
  @Field(() => String) userEmail: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last request made with it (to the minute).' }) lastUsedAt: Date | null;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
  @Field(() => String, { nullable: true, description: 'The address it was opened from.' }) clientAddress: string | null;
  @Field(() => Boolean, { description: 'The session this request was made with.' }) current: boolean;
  @Field(() => Boolean, { description: 'Ended (signed out, revoked, password changed or user disabled).' }) revoked: boolean;
}

@ObjectType({ description: "A client app's credential. Its secret is shown only once, when it is created." })
export class ApiKey {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String, { description: 'The public start of the key (`lsk_...`), to tell keys apart.' }) prefix: string;
  @Field(() => [ApiKeyScopeEnum]) scopes: ApiKeyScopeEnum[];
  @Field(() => ID, { nullable: true, description: 'The user who created it.' }) createdBy: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) expiresAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last request made with it (to the minute).' }) lastUsedAt: Date | null;
  @Field(() => Boolean, { description: 'Neither revoked nor expired.' }) active: boolean;
}

@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKey) apiKey: ApiKey;

  @Field(() => String, {
    description:
      'The whole key (`lsk_<prefix>_<secret>`), shown this once: only its hash is stored. Send it as `Authorization: Bearer <key>` or `X-Api-Key: <key>`.',
  })
  secret: string;
}

@ObjectType()
export class SignInPayload {
  @Field(() => String, { description: 'Send it as `Authorization: Bearer <token>`.' }) token: string;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
  @Field(() => User) user: User;
}

@ObjectType({ description: 'Who is calling: a user or an API key.' })
export class Me {
  @Field(() => String, { description: 'As recorded in audit logs: `user:<email>` or `apiKey:<name>`.' }) actor: string;
  @Field(() => User, { nullable: true }) user: User | null;
  @Field(() => ApiKey, { nullable: true }) apiKey: ApiKey | null;
}

@InputType()
export class CreateUserInput {
  @Field(() => String) email: string;
  @Field(() => String) name: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => String, { description: '12 to 200 characters.' }) password: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { description: 'Which client app it is for, e.g. crm-sync.' }) name: string;
  @Field(() => [ApiKeyScopeEnum]) scopes: ApiKeyScopeEnum[];
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it stops working; never when omitted.' }) expiresAt?: Date | null;
}
