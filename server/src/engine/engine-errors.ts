/** One thing wrong with a rule set, located by its JSON path (`definition.rules`, `rules[3].conditions`). */
export interface EngineProblem {
  path: string;
  message: string;
}

/**
 * A rule set the engine refuses to evaluate. The engine imports nothing outside itself, so this is
 * not a DomainError; graphql/format-error.ts maps it the same way, as bad user input.
 */
export class EngineInputError extends Error {
  readonly kind = 'BAD_USER_INPUT' as const;
  readonly problems: EngineProblem[];

  constructor(
    /** RULE_SET_TOO_LARGE */
    readonly code: 'RULE_SET_TOO_LARGE',
    path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = new.target.name;
    this.problems = [{ path, message }];
  }
}
