import type { ApiError, Problem } from './api-error';

/**
 * The one place where the console turns error codes and reasons into sentences for people.
 * `detail` is the server's own message when it adds something a person can act on.
 */
export interface ErrorText {
  sentence: string;
  detail?: string;
}

const BY_REASON: Record<string, string> = {
  INVALID_CREDENTIALS: 'The e-mail address or the password is not right. Check both and try again.',
  SESSION_EXPIRED: 'Your session has ended. Sign in again to go on.',
  SESSION_NOT_FOUND: 'Your session has ended. Sign in again to go on.',
  NOT_AUTHENTICATED: 'You are not signed in. Sign in to go on.',
  MALFORMED_CREDENTIALS: 'You are not signed in. Sign in to go on.',
  FORBIDDEN_ROLE: 'Your role does not allow this. Ask an admin if you need it.',
  STALE_REVISION: 'Someone else saved this in the meantime.',
  OUTCOME_UNKNOWN:
    'The connection to the database was lost while saving: it may or may not have been saved. Reload to check before trying again.',
};

const BY_CODE: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again to go on.',
  FORBIDDEN: 'This is not allowed for you.',
  NOT_FOUND: 'This does not exist (any more): it may have been removed, or the link is wrong.',
  CONFLICT: 'This clashes with a change made in the meantime.',
  BAD_USER_INPUT: 'Some of what was entered is not accepted.',
  QUERY_TIMEOUT: 'This took too long and was stopped. Narrow the filters or ask for fewer items, then try again.',
  QUERY_TOO_COMPLEX: 'This asks for too much at once. Narrow the filters or ask for fewer items.',
  NETWORK_ERROR: 'The console could not reach the server. Check your connection and try again.',
  API_UNREACHABLE: 'The lead scoring service does not answer. Try again in a moment; if it keeps happening, tell your administrator.',
  SERVICE_UNAVAILABLE: 'The service is briefly unavailable (its database is reconnecting). Try again in a moment.',
  BAD_RESPONSE: 'The server answered in a way the console does not understand. Try again in a moment.',
  GRAPHQL_VALIDATION_FAILED: 'The console and the service do not match (different versions?). Reload the page.',
  GRAPHQL_PARSE_FAILED: 'The console and the service do not match (different versions?). Reload the page.',
  CLIENT_CLOSED_REQUEST: 'The request was cancelled before it finished.',
};

/** Reasons whose sentence says everything: the server's message would only repeat it in other words. */
const SELF_CONTAINED = new Set([
  'INVALID_CREDENTIALS',
  'SESSION_EXPIRED',
  'SESSION_NOT_FOUND',
  'NOT_AUTHENTICATED',
  'MALFORMED_CREDENTIALS',
]);

function waitSentence(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function retryAfter(error: ApiError): number | undefined {
  if (error.retryAfterSeconds !== undefined) return error.retryAfterSeconds;
  const match = /(?:retry|try again) in (\d+) ?s\b/i.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

function internalId(error: ApiError): string | undefined {
  return /\(id ([0-9a-f-]{8,})\)/i.exec(error.message)?.[1];
}

export function describeError(error: ApiError): ErrorText {
  const wait = retryAfter(error);
  if (error.code === 'RATE_LIMITED' || error.reason === 'TOO_MANY_ATTEMPTS') {
    const what = error.reason === 'TOO_MANY_ATTEMPTS' ? 'Too many failed sign-ins' : 'Too many requests in a short time';
    return {
      sentence: wait !== undefined ? `${what}: wait ${waitSentence(wait)}, then try again.` : `${what}: wait a moment, then try again.`,
    };
  }
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    const id = internalId(error);
    if (id)
      return {
        sentence: `Something failed on the server; it has been logged. Try again, and if it keeps happening give your administrator this id: ${id}.`,
      };
    return {
      sentence: 'Something failed. Try again, and if it keeps happening tell your administrator.',
      detail: error.message || undefined,
    };
  }
  const sentence = (error.reason && BY_REASON[error.reason]) ?? BY_CODE[error.code] ?? 'Something went wrong. Try again in a moment.';
  // A domain error's message names what is wrong ("someone else on the marketing side must approve");
  // problems, when there are any, say it field by field instead.
  const detail =
    error.reason && !SELF_CONTAINED.has(error.reason) && error.problems.length === 0 && error.message !== sentence
      ? error.message
      : undefined;
  return { sentence, detail };
}

/** A problem's place in words, for the list under a form ("rules[3].event.params.points" → "rule 4, points"). */
export function problemPlace(problem: Problem): string {
  const path = problem.path.replace(/^input\.(definition\.)?/, '');
  return path
    .replace(/\[(\d+)\]/g, (_, index: string) => ` ${Number(index) + 1}`)
    .replace(/\b(rules|conditions|segments|values)\b/g, (word) => word.replace(/s$/, ''))
    .replace(/\.(event\.params\.|event\.)?/g, ', ')
    .trim();
}
