'use client';

import type { Problem } from '@/lib/graphql-client';
import type { RuleSetDefinition } from './definition';

const WORDS: Record<string, string> = {
  grades: 'Grade thresholds',
  levels: 'Level thresholds',
  caps: 'Caps',
  decay: 'Decay',
  bands: 'Band',
  cells: 'Action grid',
  qualification: 'Qualification',
  facts: 'Fact',
  description: 'Description',
  formatVersion: 'Format version',
};
const SKIPPED = new Set(['event', 'params', 'conditions']);

/** Where a problem is, in words: `rules[3].conditions.all[1].value` is 'Rule "Works in a target industry" › condition 2 › value'. */
export function describeProblemPath(path: string, definition: RuleSetDefinition): string {
  const parts: string[] = [];
  let rest = path;
  const rule = /^rules\[(\d+)\]\.?/.exec(rest);
  if (rule) {
    const found = definition.rules[Number(rule[1])];
    parts.push(`Rule “${found?.event?.params?.label || found?.name || Number(rule[1]) + 1}”`);
    rest = rest.slice(rule[0].length);
  }
  const shared = /^sharedConditions\.([^.[]+)\.?/.exec(rest);
  if (shared) {
    parts.push(`Shared condition “${shared[1]}”`);
    rest = rest.slice(shared[0].length);
  }
  for (const segment of rest.split('.').filter(Boolean)) {
    if (SKIPPED.has(segment)) continue;
    const indexed = /^([^[]+)\[(\d+)\]$/.exec(segment);
    if (indexed && (indexed[1] === 'all' || indexed[1] === 'any')) parts.push(`condition ${Number(indexed[2]) + 1}`);
    else if (indexed) parts.push(`${WORDS[indexed[1]] ?? indexed[1]} ${Number(indexed[2]) + 1}`);
    else parts.push(WORDS[segment] ?? segment);
  }
  return parts.join(' › ') || 'The whole document';
}

interface ProblemSummaryProps {
  problems: Problem[];
  definition: RuleSetDefinition;
  /** A save was refused for these problems (rather than the live check finding them). */
  refused: boolean;
  onShow(path: string): void;
}

/** Every problem once, in words, each a button to the field it concerns; the JSON path beside it for tools. */
export function ProblemSummary({ problems, definition, refused, onShow }: ProblemSummaryProps) {
  if (problems.length === 0) return null;
  const count = `${problems.length} validation problem${problems.length === 1 ? '' : 's'}`;
  return (
    <details className="state error" open data-testid="problem-summary">
      <summary>
        <strong>{refused ? `Not saved: ${count}` : count}</strong> — a draft saves only when valid
      </summary>
      <ul className="problem-list">
        {problems.map((problem) => (
          <li key={`${problem.path}:${problem.message}`}>
            <button type="button" onClick={() => onShow(problem.path)}>
              {describeProblemPath(problem.path, definition)}
            </button>
            : {problem.message} <code className="muted small">{problem.path}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}
