export enum AuthErrorCode {
  /** Wrong email or password (deliberately not saying which). */
  InvalidCredentials = 'INVALID_CREDENTIALS',
  /** No credentials on a request that needs them. */
  NotAuthenticated = 'NOT_AUTHENTICATED',
  /** The Authorization header is not `Bearer <token>`. */
  MalformedCredentials = 'MALFORMED_CREDENTIALS',
  SessionExpired = 'SESSION_EXPIRED',
  InvalidApiKey = 'INVALID_API_KEY',
  ApiKeyRevoked = 'API_KEY_REVOKED',
  ApiKeyExpired = 'API_KEY_EXPIRED',
  /** Authenticated, but the role or scopes do not allow the operation. */
  ForbiddenRole = 'FORBIDDEN_ROLE',
  InvalidUser = 'INVALID_USER',
  EmailTaken = 'EMAIL_TAKEN',
  InvalidApiKeyInput = 'INVALID_API_KEY_INPUT',
  ApiKeyNotFound = 'API_KEY_NOT_FOUND',
  /** The key's creator is disabled; it works again if they are enabled. */
  ApiKeyCreatorDisabled = 'API_KEY_CREATOR_DISABLED',
  /** Too many failed sign-ins (or password checks waiting) for this account or address: retry after `retryAfterSeconds`. */
  TooManyAttempts = 'TOO_MANY_ATTEMPTS',
  /** changePassword: the current password given is not the caller's. */
  WrongPassword = 'WRONG_PASSWORD',
  UserNotFound = 'USER_NOT_FOUND',
  SessionNotFound = 'SESSION_NOT_FOUND',
  CannotDisableSelf = 'CANNOT_DISABLE_SELF',
  /** Disabling them would leave no active admin. */
  LastAdmin = 'LAST_ADMIN',
}
