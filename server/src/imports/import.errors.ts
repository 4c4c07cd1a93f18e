import { DomainError, type ErrorKind, type Problem } from '../common/errors';

export enum ImportErrorCode {
  /** The mapping file is not valid JSON or breaks its schema or meaning. */
  InvalidMapping = 'INVALID_MAPPING',
  /** The CSV cannot be imported as a whole: unreadable, too big, a header the mapping does not fit, broken quoting. */
  InvalidFile = 'INVALID_FILE',
  /** The mapping disagrees with the attribute catalog (a type differs, a missing attribute has no `define`). */
  CatalogConflict = 'CATALOG_CONFLICT',
  /** More rows than the configured limit. */
  TooManyRows = 'TOO_MANY_ROWS',
  /** More rejected rows than `maxRejected` allows: nothing is kept. */
  TooManyRejected = 'TOO_MANY_REJECTED',
  /** A lead of the file was created by another writer while the import ran (rare): run it again. */
  ConcurrentChange = 'CONCURRENT_CHANGE',
  /** The embedded database directory is open in another process. */
  DatabaseLocked = 'DATABASE_LOCKED',
}

/** A problem that stops the whole import (nothing is written); row problems are reported, not thrown. */
export class ImportError extends DomainError {
  readonly kind: ErrorKind = 'BAD_USER_INPUT';

  static of(code: ImportErrorCode, message: string, problems: Problem[] = []): ImportError {
    return new ImportError(
      code,
      problems.length ? `${message}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}` : message,
      problems,
    );
  }
}

/** Why one CSV row was rejected: the column (null for the row as a whole) and a short, groupable reason. */
export interface RowProblem {
  column: string | null;
  /** Short and value-free so that rows can be grouped by it, e.g. "not a number". */
  reason: string;
  /** The offending value, shortened. */
  value?: string;
}

export function describeRowProblem(problem: RowProblem): string {
  const value = problem.value === undefined ? '' : ` (${JSON.stringify(problem.value)})`;
  return problem.column === null ? `${problem.reason}${value}` : `${problem.column}: ${problem.reason}${value}`;
}
