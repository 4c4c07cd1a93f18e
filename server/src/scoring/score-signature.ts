import type { ActivityValues } from '../engine/facts';
import type { ScoreTransition } from './score-events';
import type { StoredScore } from './stored-score';

/*
 * The text forms scoring stores beside a score: its signature (lead_score.signature) and its cached
 * activity aggregates (lead_score.facts). Pure: no database, tested on its own.
 */

/** What a signature is made of: what a lead sees of its score. */
export type SignedScore = Pick<StoredScore, 'fit' | 'engagement' | 'total' | 'qualified' | 'cell' | 'band' | 'action' | 'actionLabel'> & {
  compact: Pick<StoredScore['compact'], 'firedRules' | 'capFit' | 'capEngagement' | 'decay'>;
};

/**
 * What a lead sees of its score: points, cell, band, qualification, action and explanation (not
 * which version). Two scores with the same signature are the same change-wise (no history entry).
 */
export function scoreSignature(score: SignedScore): string {
  const { firedRules, capFit, capEngagement, decay } = score.compact;
  // Numbers and booleans first, then the strings as JSON (unambiguous whatever they contain); see beforeOf.
  const strings = [score.cell, score.band, score.action, score.actionLabel].map((text) => JSON.stringify(text)).join(',');
  return `${score.fit}|${score.engagement}|${score.total}|${score.qualified}|${capFit}|${capEngagement}|${decay}|${firedRules.join(',')}|${strings}`;
}

/** What a score change's listeners see of the score before it, read back from its signature. */
export function beforeOf(signature: string): NonNullable<ScoreTransition['before']> {
  const parts = signature.split('|');
  const [cell, band, action] = JSON.parse(`[${parts.slice(8).join('|')}]`) as string[];
  return { total: Number(parts[2]), qualified: parts[3] === 'true', action, cell, band };
}

/**
 * The fired rule indexes a signature lists (its 8th field; written with lead_score.fired_rules and
 * always equal to it). Read from there because it is cheaper than converting the array column.
 */
export function firedOf(signature: string): number[] {
  let start = 0;
  for (let field = 0; field < 7; field++) start = signature.indexOf('|', start) + 1;
  const end = signature.indexOf('|', start);
  if (end === start) return [];
  return signature.slice(start, end).split(',').map(Number);
}

/** lead_score.facts: the activity aggregates comma-separated, `n` for null (JS number formatting round-trips exactly). */
export function formatFacts(values: ActivityValues): string {
  return values.map((value) => (value === null ? 'n' : String(value))).join(',');
}

/** One aggregate of lead_score.facts text (formatFacts), without splitting the rest; null past the end. */
export function factAt(text: string, index: number): number | null {
  let start = 0;
  for (let i = 0; i < index && start > -1; i++) start = text.indexOf(',', start) + 1 || -1;
  if (start < 0) return null;
  const end = text.indexOf(',', start);
  const value = end < 0 ? text.slice(start) : text.slice(start, end);
  return value === 'n' || value === '' ? null : Number(value);
}

/** lead_score.facts text (formatFacts) back to the aggregates. */
export function parseFacts(text: string): ActivityValues {
  if (text === '') return [];
  return text.split(',').map((value) => (value === 'n' ? null : Number(value)));
}
