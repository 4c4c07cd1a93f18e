export const ROLES = ['admin', 'marketing', 'sales', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What a client app's API key may do: `scores:read` reads leads and scores, `leads:write` upserts leads and records activities. */
export const SCOPES = ['scores:read', 'leads:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: a signed-in user or a client app's API key. */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      role: Role;
      /** The session the request was authenticated with (absent for principals built in-process). */
      sessionId?: string;
    }
  | { kind: 'apiKey'; keyId: string; name: string; scopes: Scope[] };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
export type ApiKeyPrincipal = Extract<Principal, { kind: 'apiKey' }>;

/** A stable actor string for audit logs and authorship: `user:ana@x.io`, `apiKey:crm-sync`. */
export function describePrincipal(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.email}` : `apiKey:${principal.name}`;
}

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);
export const isScope = (value: unknown): value is Scope => (SCOPES as readonly unknown[]).includes(value);

declare module '../graphql/context' {
  interface GraphQLContext {
    /** The signed-in user or API key; null without (valid) credentials. */
    principal: Principal | null;
  }
}
