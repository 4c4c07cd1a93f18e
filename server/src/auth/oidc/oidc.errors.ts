import { UnauthenticatedError } from '../../common/errors';

/**
 * Why a single sign-on was refused. The callback sends the code to the console (`?error=<code>`),
 * which words it for people; the details go to the log.
 */
export enum OidcErrorCode {
  /** The user declined (or cancelled) at the provider. */
  ConsentDenied = 'SSO_CONSENT_DENIED',
  /** The provider answered the sign-in with another error. */
  ProviderError = 'SSO_PROVIDER_ERROR',
  /** The provider could not be reached (discovery, token or userinfo request failed). */
  ProviderUnavailable = 'SSO_PROVIDER_UNAVAILABLE',
  /** The callback's state is missing, unknown, expired, used, or not this browser's. */
  BadState = 'SSO_BAD_STATE',
  /** The code exchange or the ID token failed validation (signature, nonce, audience, PKCE...). */
  InvalidResponse = 'SSO_INVALID_RESPONSE',
  /** No e-mail from the provider for a user not yet linked, or the e-mail is not verified. */
  EmailNotVerified = 'SSO_EMAIL_NOT_VERIFIED',
  /** The e-mail's domain is not in OIDC_ALLOWED_DOMAINS. */
  DomainNotAllowed = 'SSO_DOMAIN_NOT_ALLOWED',
  /** None of the user's groups is mapped to a role and there is no default role. */
  RoleNotMapped = 'SSO_ROLE_NOT_MAPPED',
  /** No user with this identity or e-mail, and users are not created on sign-in (OIDC_JIT=false). */
  UnknownUser = 'SSO_UNKNOWN_USER',
  /** The user is disabled here. */
  UserDisabled = 'SSO_USER_DISABLED',
  /** The e-mail belongs to a user already linked to another identity at the provider. */
  IdentityConflict = 'SSO_IDENTITY_CONFLICT',
  /** exchangeSsoCode: the code is unknown, used or expired. */
  InvalidCode = 'SSO_INVALID_CODE',
  /** Single sign-on is not configured (OIDC_ISSUER unset). */
  NotConfigured = 'SSO_NOT_CONFIGURED',
  /** Too many sign-ins in progress at once (OIDC_LIMITS.pendingSignIns). */
  TooManyPending = 'SSO_TOO_MANY_PENDING',
  /** returnTo is not a path of the console. */
  InvalidReturnTo = 'SSO_INVALID_RETURN_TO',
}

/** A refused sign-on: `code` goes to the console, `message` (which may name groups or e-mails) to the log and the API's answer. */
export class OidcSignInError extends UnauthenticatedError {
  constructor(code: OidcErrorCode, message: string) {
    super(code, message);
  }
}
