import { describe, expect, it } from 'vitest';
import { OidcConfigError, oidcConfigFromEnv } from './oidc-config';

const BASE = {
  OIDC_ISSUER: 'https://login.acme.test',
  OIDC_CLIENT_ID: 'lead-scoring',
  OIDC_REDIRECT_URI: 'https://scores.acme.test/auth/oidc/callback',
  OIDC_POST_LOGIN_URL: 'https://console.acme.test/session/sso',
  OIDC_ROLE_CLAIM: 'groups',
  OIDC_ROLE_MAP: 'sales-team=sales, marketing=marketing,admins=admin',
};

const problemsOf = (env: Record<string, string>, production = false): string[] => {
  try {
    oidcConfigFromEnv(env, { production });
    return [];
  } catch (error) {
    if (error instanceof OidcConfigError) return error.problems;
    throw error;
  }
};

describe('oidcConfigFromEnv', () => {
  it('is off without OIDC_ISSUER', () => {
    expect(oidcConfigFromEnv({})).toBeNull();
    expect(oidcConfigFromEnv({ OIDC_ISSUER: '  ' })).toBeNull();
  });

  it('reads a complete configuration with its defaults', () => {
    const config = oidcConfigFromEnv(BASE)!;
    expect(config.roleMap).toEqual(
      new Map([
        ['sales-team', 'sales'],
        ['marketing', 'marketing'],
        ['admins', 'admin'],
      ]),
    );
    expect(config).toMatchObject({ scopes: ['openid', 'email', 'profile'], jit: false, defaultRole: null, clientSecret: null });
    expect(config.providerName).toBe('login.acme.test');
  });

  it('names every wrong variable at once', () => {
    const problems = problemsOf({
      OIDC_ISSUER: 'http://login.acme.test',
      OIDC_REDIRECT_URI: 'https://scores.acme.test/callback',
      OIDC_SCOPES: 'email',
      OIDC_ROLE_MAP: 'sales-team=boss',
      OIDC_DEFAULT_ROLE: 'chief',
      OIDC_JIT: 'yes',
      OIDC_ALLOWED_DOMAINS: 'acme',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^OIDC_ISSUER must use https/),
      expect.stringMatching(/^OIDC_REDIRECT_URI must end with \/auth\/oidc\/callback/),
      'OIDC_CLIENT_ID is required',
      expect.stringMatching(/^OIDC_SCOPES must include "openid"/),
      expect.stringMatching(/^OIDC_ROLE_MAP entry "sales-team=boss" must be <group>=<role>/),
      expect.stringMatching(/^OIDC_DEFAULT_ROLE must be one of/),
      expect.stringMatching(/^OIDC_JIT must be true or false/),
      expect.stringMatching(/^OIDC_ALLOWED_DOMAINS: "acme" is not a domain/),
    ]);
  });

  it('needs a way to give a role, and a claim for the map', () => {
    expect(problemsOf({ ...BASE, OIDC_ROLE_MAP: '', OIDC_ROLE_CLAIM: '' })).toEqual([
      expect.stringMatching(/OIDC_DEFAULT_ROLE: otherwise nobody/),
    ]);
    expect(problemsOf({ ...BASE, OIDC_ROLE_CLAIM: '' })).toEqual([expect.stringMatching(/^OIDC_ROLE_MAP needs OIDC_ROLE_CLAIM/)]);
  });

  it('accepts plain http on this machine only outside production', () => {
    const local = { ...BASE, OIDC_ISSUER: 'http://127.0.0.1:9000', OIDC_REDIRECT_URI: 'http://localhost:4000/auth/oidc/callback' };
    expect(problemsOf(local)).toEqual([]);
    expect(problemsOf(local, true)).toHaveLength(2);
  });
});
