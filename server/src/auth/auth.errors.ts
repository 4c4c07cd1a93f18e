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
}
