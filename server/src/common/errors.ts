/**
 * Base of every typed error a domain throws. `kind` says what sort of failure it is; the single
 * mapping to GraphQL `extensions.code` lives in graphql/format-error.ts.
 */
export type ErrorKind = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'RATE_LIMITED';

/** One thing wrong with an input, located by its path (`input.attributes.companySize`, `rules[3].conditions.all[1].value`). */
export interface Problem {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(
    /** The domain's own code, e.g. LEAD_NOT_FOUND. */
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly kind = 'BAD_USER_INPUT' as const;

  static of(code: string, problems: Problem[]): InvalidInputError {
    const message = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    return new InvalidInputError(code, message, problems);
  }

  static field(code: string, path: string, message: string): InvalidInputError {
    return InvalidInputError.of(code, [{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'NOT_FOUND' as const;
}

export class ConflictError extends DomainError {
  readonly kind = 'CONFLICT' as const;
}

export class ForbiddenError extends DomainError {
  readonly kind = 'FORBIDDEN' as const;
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'UNAUTHENTICATED' as const;
}

/** Refused for now: the same request may succeed after `retryAfterSeconds` (HTTP 429 with Retry-After). */
export class RateLimitedError extends DomainError {
  readonly kind = 'RATE_LIMITED' as const;
  /**
   * graphql-js copies an original error's `extensions` onto the GraphQL error, and Apollo takes the
   * HTTP status and headers from there (the error formatter runs too late to set them).
   */
  readonly extensions: { http: { status: number; headers: Map<string, string> } };

  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
    this.extensions = { http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } };
  }
}
