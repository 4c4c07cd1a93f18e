import { isRole, ROLES, type Role } from '../principal';

/** Where the callback must be mounted on the API (http/oidc-routes.ts). */
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';
export const OIDC_LOGIN_PATH = '/auth/oidc/login';

/** The console route that receives a finished sign-in (a one-time code) or its failure. */
const DEFAULT_POST_LOGIN_URL = 'http://127.0.0.1:3000/session/sso';

/** Single sign-on with the company's OpenID provider, read from OIDC_* (see README, "Single sign-on"). */
export interface OidcConfig {
  issuer: URL;
  clientId: string;
  /** Null: a public client (PKCE only, no client authentication). */
  clientSecret: string | null;
  /** This API's callback, exactly as registered at the provider. */
  redirectUri: URL;
  scopes: string[];
  /** The ID token or userinfo claim holding the user's groups or roles (`groups`, `roles`); null: every user gets defaultRole. */
  roleClaim: string | null;
  /** Claim value (group name) to role. */
  roleMap: Map<string, Role>;
  /** The role of a user none of whose groups is mapped; null refuses them. */
  defaultRole: Role | null;
  /** Create users on their first sign-in (true) or only let existing users in (false). */
  jit: boolean;
  /** Lower-case e-mail domains allowed to sign in; empty: any. */
  allowedDomains: string[];
  /** Shown on the console's button: "Sign in with <providerName>". */
  providerName: string;
  /** Where the browser goes after the callback, with `code` or `error`. */
  postLoginUrl: URL;
}

/** The OIDC_* settings are wrong: every problem, each naming its variable. */
export class OidcConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`single sign-on (OIDC_*) is misconfigured: ${problems.join('; ')}`);
    this.name = 'OidcConfigError';
  }
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

type Env = Record<string, string | undefined>;

/**
 * The single sign-on configuration, or null when OIDC_ISSUER is unset (password sign-in only).
 * Throws OidcConfigError listing every wrong variable, so a start fails once with the whole story.
 * Plain http is accepted only for a provider and callback on this machine, and never in production.
 */
export function oidcConfigFromEnv(env: Env, options: { production?: boolean } = {}): OidcConfig | null {
  const text = (name: string) => env[name]?.trim() || undefined;
  if (!text('OIDC_ISSUER')) return null;
  const problems: string[] = [];
  const url = (name: string, fallback?: string): URL | null => {
    const value = text(name) ?? fallback;
    if (!value) {
      problems.push(`${name} is required`);
      return null;
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      problems.push(`${name} must be an absolute URL, got "${value.slice(0, 200)}"`);
      return null;
    }
    const plainAllowed = isLoopback(parsed) && !options.production;
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && plainAllowed)) {
      problems.push(`${name} must use https (plain http only for 127.0.0.1/localhost outside production), got "${value.slice(0, 200)}"`);
    }
    return parsed;
  };
  const issuer = url('OIDC_ISSUER');
  const redirectUri = url('OIDC_REDIRECT_URI');
  if (redirectUri && !redirectUri.pathname.endsWith(OIDC_CALLBACK_PATH)) {
    problems.push(`OIDC_REDIRECT_URI must end with ${OIDC_CALLBACK_PATH} (the API's callback), got "${redirectUri.pathname}"`);
  }
  const postLoginUrl = url('OIDC_POST_LOGIN_URL', DEFAULT_POST_LOGIN_URL);
  const clientId = text('OIDC_CLIENT_ID');
  if (!clientId) problems.push('OIDC_CLIENT_ID is required');

  const scopes = (text('OIDC_SCOPES') ?? 'openid email profile').split(/[\s,]+/).filter(Boolean);
  if (!scopes.includes('openid')) problems.push(`OIDC_SCOPES must include "openid", got "${scopes.join(' ')}"`);

  const roleClaim = text('OIDC_ROLE_CLAIM') ?? null;
  const roleMap = new Map<string, Role>();
  for (const entry of (text('OIDC_ROLE_MAP') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const group = at > 0 ? entry.slice(0, at).trim() : '';
    const role = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!group || !isRole(role)) {
      problems.push(`OIDC_ROLE_MAP entry "${entry.slice(0, 100)}" must be <group>=<role> with a role among ${ROLES.join(', ')}`);
    } else roleMap.set(group, role);
  }
  if (roleMap.size > 0 && !roleClaim) problems.push('OIDC_ROLE_MAP needs OIDC_ROLE_CLAIM (the claim holding the groups, e.g. groups)');

  const defaultText = text('OIDC_DEFAULT_ROLE');
  let defaultRole: Role | null = null;
  if (defaultText && defaultText !== 'none') {
    if (isRole(defaultText)) defaultRole = defaultText;
    else problems.push(`OIDC_DEFAULT_ROLE must be one of ${ROLES.join(', ')} or none, got "${defaultText.slice(0, 100)}"`);
  }
  if (roleMap.size === 0 && !defaultRole && !defaultText) {
    problems.push('set OIDC_ROLE_CLAIM with OIDC_ROLE_MAP, or OIDC_DEFAULT_ROLE: otherwise nobody could be given a role');
  }

  const jitText = (text('OIDC_JIT') ?? 'false').toLowerCase();
  if (jitText !== 'true' && jitText !== 'false') problems.push(`OIDC_JIT must be true or false, got "${jitText.slice(0, 100)}"`);

  const allowedDomains = (text('OIDC_ALLOWED_DOMAINS') ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean);
  for (const domain of allowedDomains) {
    if (!/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain)) problems.push(`OIDC_ALLOWED_DOMAINS: "${domain.slice(0, 100)}" is not a domain`);
  }

  if (problems.length > 0 || !issuer || !redirectUri || !postLoginUrl || !clientId) throw new OidcConfigError(problems);
  return {
    issuer,
    clientId,
    clientSecret: text('OIDC_CLIENT_SECRET') ?? null,
    redirectUri,
    scopes,
    roleClaim,
    roleMap,
    defaultRole,
    jit: jitText === 'true',
    allowedDomains,
    providerName: text('OIDC_PROVIDER_NAME') ?? issuer.hostname,
    postLoginUrl,
  };
}
