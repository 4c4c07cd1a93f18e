'use client';

import { useEffect, useState } from 'react';
import { stableStringify, type RuleSetDefinition } from './definition';
import { useProblems } from './problems';

interface JsonEditorProps {
  definition: RuleSetDefinition;
  onChange(definition: RuleSetDefinition): void;
  readOnly: boolean;
  onShowInForm(path: string): void;
}

function parse(text: string): { value?: RuleSetDefinition; error?: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'The document must be a JSON object ({ ... }).' };
    return { value: value as RuleSetDefinition };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** The whole document as JSON; every parseable edit goes to the form state (and so to validation). */
export function JsonEditor({ definition, onChange, readOnly, onShowInForm }: JsonEditorProps) {
  const [text, setText] = useState(() => JSON.stringify(definition, null, 2));
  const [parseError, setParseError] = useState<string>();
  const problems = useProblems().all;

  // Follow changes made elsewhere (the form, a reload, a merge) unless the text already says the same.
  useEffect(() => {
    setText((current) => {
      const parsed = parse(current).value;
      return parsed && stableStringify(parsed) === stableStringify(definition) ? current : JSON.stringify(definition, null, 2);
    });
  }, [definition]);

  return (
    <div className="stack">
      <p className="muted small">
        The rule set document (rules/ruleset.schema.json, guide in docs/ruleset-format.md). Changes here update the form; the API validates
        each change.
      </p>
      <label htmlFor="json-definition" className="field-label">
        Rule set JSON
      </label>
      <textarea
        id="json-definition"
        className="json"
        spellCheck={false}
        value={text}
        readOnly={readOnly}
        aria-invalid={parseError ? true : undefined}
        aria-describedby={parseError ? 'json-parse-error' : 'json-problems'}
        onChange={(event) => {
          setText(event.target.value);
          const result = parse(event.target.value);
          setParseError(result.error);
          if (result.value) onChange(result.value);
        }}
      />
      {parseError && (
        <p className="field-error" id="json-parse-error" role="alert">
          Not valid JSON: {parseError}. The form keeps the last valid document.
        </p>
      )}
      <div id="json-problems" aria-live="polite">
        {problems.length > 0 && (
          <>
            <h3>Validation problems</h3>
            <ul className="problem-list">
              {problems.map((problem) => (
                <li key={`${problem.path}:${problem.message}`}>
                  <code>{problem.path}</code>: {problem.message}{' '}
                  <button type="button" onClick={() => onShowInForm(problem.path)}>
                    show in form
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}
