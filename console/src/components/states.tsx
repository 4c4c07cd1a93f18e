import type { ReactNode } from 'react';
import type { ApiError, Problem } from '@/lib/api-error';
import { describeError, problemPlace } from '@/lib/error-messages';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/**
 * An API error for people: a sentence for its code, the server's explanation when it adds one, and
 * each problem once. Problems the form already shows on their field are left out (`shownOnFields`).
 */
export function ErrorMessage({
  error,
  id,
  title,
  shownOnFields,
}: {
  error: ApiError;
  id?: string;
  title?: string;
  shownOnFields?: (problem: Problem) => boolean;
}) {
  const { sentence, detail } = describeError(error);
  const problems = shownOnFields ? error.problems.filter((problem) => !shownOnFields(problem)) : error.problems;
  const onFields = error.problems.length - problems.length;
  return (
    <div className="state error" role="alert" id={id}>
      {title && <strong>{title}: </strong>}
      {sentence}
      {detail && <p>{detail}</p>}
      {onFields > 0 && <p>{onFields === 1 ? 'The problem is shown on its field.' : `${onFields} problems are shown on their fields.`}</p>}
      {problems.length > 0 && (
        <ul>
          {problems.map((problem) => (
            <li key={`${problem.path}:${problem.message}`}>
              {problem.message} <span className="muted small">({problemPlace(problem)})</span>
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
