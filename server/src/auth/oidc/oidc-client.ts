import * as client from 'openid-client';
import type { OidcConfig } from './oidc-config';
import { OidcErrorCode, OidcSignInError } from './oidc.errors';

/** Seconds allowed for each request to the provider (discovery, token, userinfo). */
export const OIDC_REQUEST_TIMEOUT_SECONDS = 10;

/** What the provider says about the person who signed in (ID token, completed by userinfo). */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** Lower-case; null when the provider gave none. */
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** The values of the role claim (OIDC_ROLE_CLAIM), at most OIDC_MAX_ROLE_VALUES of them. */
  roleValues: string[];
}

/** A role claim with more values than this is read only up to it (an IdP group list can be long). */
export const OIDC_MAX_ROLE_VALUES = 1000;

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * The provider as openid-client sees it: discovered on first use (not at start, so the API starts
 * while the provider is down), again after a failed discovery. Authorization code flow with PKCE
 * (S256), state and nonce.
 */
export class OidcClient {
  private configuration: Promise<client.Configuration> | null = null;

  constructor(private readonly config: OidcConfig) {}

  private discovered(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        this.config.issuer,
        this.config.clientId,
        this.config.clientSecret ?? undefined,
        this.config.clientSecret ? client.ClientSecretBasic(this.config.clientSecret) : client.None(),
        {
          timeout: OIDC_REQUEST_TIMEOUT_SECONDS,
          // oidc-config.ts allows plain http only for a provider on this machine outside production.
          execute: this.config.issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        },
      )
      .catch((error: unknown) => {
        this.configuration = null;
        throw new OidcSignInError(
          OidcErrorCode.ProviderUnavailable,
          `The identity provider ${this.config.issuer.href} could not be reached: ${errorText(error)}`,
        );
      });
    return this.configuration;
  }

  async authorizationRequest(): Promise<AuthorizationRequest> {
    const configuration = await this.discovered();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri.href,
      scope: this.config.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Exchanges the callback's code (PKCE verifier, state and nonce checked) and reads who signed in. */
  async identify(callbackUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<OidcIdentity> {
    const configuration = await this.discovered();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw this.failure(error, 'the code exchange or ID token was refused');
    }
    const idToken = tokens.claims();
    if (!idToken) throw new OidcSignInError(OidcErrorCode.InvalidResponse, 'The provider returned no ID token');
    let claims: Record<string, unknown> = { ...idToken };
    const roleClaim = this.config.roleClaim;
    const missing = claims.email === undefined || (roleClaim !== null && claims[roleClaim] === undefined);
    // Many providers put e-mail and groups only in userinfo (oidc-provider does for the code flow).
    if (missing && configuration.serverMetadata().userinfo_endpoint) {
      try {
        const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
        claims = { ...userinfo, ...claims, ...Object.fromEntries(Object.entries(userinfo).filter(([key]) => claims[key] === undefined)) };
      } catch (error) {
        throw this.failure(error, 'userinfo was refused');
      }
    }
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      email: typeof claims.email === 'string' && claims.email.trim() ? claims.email.trim().toLowerCase() : null,
      emailVerified: claims.email_verified === true || claims.email_verified === 'true',
      name: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : null,
      roleValues: roleClaim === null ? [] : claimValues(claims[roleClaim]),
    };
  }

  private failure(error: unknown, what: string): OidcSignInError {
    // A response body error is the provider refusing; anything else (network, timeout) is it being unreachable.
    const refused =
      error instanceof client.ResponseBodyError ||
      error instanceof client.ClientError ||
      error instanceof client.AuthorizationResponseError;
    return new OidcSignInError(
      refused ? OidcErrorCode.InvalidResponse : OidcErrorCode.ProviderUnavailable,
      `Single sign-on failed, ${what}: ${errorText(error)}`,
    );
  }
}

/** A role claim as a list of strings: an array, a space- or comma-separated string, or one value. */
function claimValues(value: unknown): string[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return values.filter((item): item is string => typeof item === 'string' && item.length > 0).slice(0, OIDC_MAX_ROLE_VALUES);
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  if (error instanceof client.ResponseBodyError || error instanceof client.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`.slice(0, 300);
  }
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`.slice(0, 300);
}
