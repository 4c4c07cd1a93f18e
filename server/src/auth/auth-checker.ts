import type { GraphQLResolveInfo } from 'graphql';
import type { AuthCheckerFn } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { AuthErrorCode } from './auth.errors';
import { describePrincipal, isRole, isScope, ROLES, type Principal, type Role, type Scope } from './principal';

/** What `@Authorized(...)` lists: user roles and API key scopes; a caller needs any one of them. */
export type Requirement = Role | Scope;

/** Every user role plus the given API key scopes, for what any signed-in user may do. */
export const anyUserOr = (...scopes: Scope[]): Requirement[] => [...ROLES, ...scopes];

/**
 * `@Authorized()`: any authenticated principal. `@Authorized('marketing', 'leads:write')`: a user
 * whose role is listed (admin always is) or an API key holding a listed scope.
 */
export function isAllowed(principal: Principal, required: readonly Requirement[]): boolean {
  if (required.length === 0) return true;
  if (principal.kind === 'user') return roleAllows(principal.role, required);
  return principal.scopes.some((scope) => required.includes(scope));
}

/**
 * Whether a user's role meets a role list, for `@Authorized` and for the services that check an
 * actor themselves with the same role table: admin always does; no role (an API key) never does.
 */
export function roleAllows(role: Role | null, required: readonly Requirement[]): boolean {
  return role === 'admin' || (role !== null && required.includes(role));
}

function describeRequirement(required: readonly Requirement[]): string {
  const roles = [...new Set<Role>(['admin', ...required.filter(isRole)])];
  const scopes = required.filter(isScope);
  const needs = [`role ${roles.join(' or ')}`];
  if (scopes.length) needs.push(`an API key with scope ${scopes.join(' or ')}`);
  return needs.join(', or ');
}

export function assertAllowed(principal: Principal | null, required: readonly Requirement[], operation: string): void {
  if (!principal) throw new UnauthenticatedError(AuthErrorCode.NotAuthenticated, 'Sign in or send an API key');
  if (isAllowed(principal, required)) return;
  const caller =
    principal.kind === 'user'
      ? `${describePrincipal(principal)} (role ${principal.role})`
      : `${describePrincipal(principal)} (scopes ${principal.scopes.join(', ') || 'none'})`;
  throw new ForbiddenError(AuthErrorCode.ForbiddenRole, `${operation} needs ${describeRequirement(required)}; ${caller} may not`);
}

const operationOf = (info: GraphQLResolveInfo): string =>
  `${info.parentType.name === 'Mutation' ? 'mutation' : info.parentType.name === 'Query' ? 'query' : info.parentType.name} ${info.fieldName}`;

// An arrow function on purpose: type-graphql treats anything with a prototype as an AuthChecker class.
export const authChecker: AuthCheckerFn<GraphQLContext, Requirement> = ({ context, info }, required) => {
  assertAllowed(context.principal, required, operationOf(info));
  return true;
};
