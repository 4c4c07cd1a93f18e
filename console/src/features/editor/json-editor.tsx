'use client';

import { useState } from 'react';
import { stableStringify, type RuleSetDefinition } from './definition';
import { JsonCodeEditor } from './json-code-editor';
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

/**
 * The whole document in a code editor that checks it against rules/ruleset.schema.json as you type
 * (marks in the text, the message on hover and in the gutter). Every parseable edit goes to the
 * form state, and so to the API's validation, whose problems are listed below.
 */
export function JsonEditor({ definition, onChange, readOnly, onShowInForm }: JsonEditorProps) {
  const [parseError, setParseError] = useState<string>();
  const problems = useProblems().all;

  return (
    <div className="stack">
      <p className="muted small" id="json-help">
        The rule set document (rules/ruleset.schema.json, guide in docs/ruleset-format.md). Mistakes against the schema are marked as you
        type; changes here update the form, and the API validates each change.
      </p>
      <span className="field-label" id="json-definition-label">
        Rule set JSON
      </span>
      <JsonCodeEditor
        text={JSON.stringify(definition, null, 2)}
        // The text follows changes made elsewhere (the form, a reload, a merge) unless it already says the same.
        sameDocument={(text) => {
          const parsed = parse(text).value;
          return parsed !== undefined && stableStringify(parsed) === stableStringify(definition);
        }}
        readOnly={readOnly}
        labelledBy="json-definition-label"
        describedBy={parseError ? 'json-parse-error' : 'json-problems'}
        onText={(text) => {
          const result = parse(text);
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
