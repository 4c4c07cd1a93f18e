import type { ReactNode } from 'react';
import type { ApiError } from '@/lib/graphql-client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

const CODE_HINTS: Record<string, string> = {
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'It does not exist (any more).',
  CONFLICT: 'Someone else changed it in the meantime.',
  UNAUTHENTICATED: 'Your session has ended; sign in again.',
  NETWORK_ERROR: '',
};

/** An API error for people: the message, a hint by error code, and each problem with its path. */
export function ErrorMessage({ error, id, title }: { error: ApiError; id?: string; title?: string }) {
  const hint = CODE_HINTS[error.code];
  return (
    <div className="state error" role="alert" id={id}>
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>
        {error.message}
        {hint ? ` ${hint}` : ''}
      </p>
      {error.problems.length > 0 && (
        <ul>
          {error.problems.map((problem) => (
            <li key={`${problem.path}:${problem.message}`}>
              <code>{problem.path}</code>: {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}
