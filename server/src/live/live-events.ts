import type { ScoreTransition } from '../scoring/score-events';
import { NOTIFY_PAYLOAD_BYTES } from './live-limits';

/*
 * What travels on the NOTIFY channel, as text: `s:<json>` score changes (batched), `r:<job id>`
 * re-score progress, `a:<apiKey|session|user>:<id>` an ended or changed credential. Pure.
 */

/** A lead whose score changed, with what it showed before (null for its first score); the new score is read after. */
export interface ScoreChange {
  leadId: string;
  before: { total: number; cell: string; qualified: boolean } | null;
}

export type CredentialKind = 'apiKey' | 'session' | 'user';

export type LiveNotification =
  | { kind: 'scores'; changes: ScoreChange[] }
  | { kind: 'rescore'; jobId: string }
  | { kind: 'credential'; credential: CredentialKind; id: string };

type CompactChange = [string, number, string, boolean] | [string];

/** Score transitions as NOTIFY payloads, each under PostgreSQL's 8000-byte limit. */
export function encodeScoreChanges(transitions: readonly ScoreTransition[], maxBytes: number = NOTIFY_PAYLOAD_BYTES): string[] {
  const payloads: string[] = [];
  let items: string[] = [];
  let size = 4; // "s:[" and "]"
  for (const transition of transitions) {
    const { before } = transition;
    const compact: CompactChange = before ? [transition.leadId, before.total, before.cell, before.qualified] : [transition.leadId];
    const item = JSON.stringify(compact);
    // Lead ids, cells and numbers are ASCII: characters are bytes.
    if (items.length && size + item.length + 1 > maxBytes) {
      payloads.push(`s:[${items.join(',')}]`);
      items = [];
      size = 4;
    }
    items.push(item);
    size += item.length + 1;
  }
  if (items.length) payloads.push(`s:[${items.join(',')}]`);
  return payloads;
}

/** A payload back to what it says; null for anything else (a newer process's message, noise). */
export function decodeNotification(payload: string): LiveNotification | null {
  if (payload.startsWith('s:')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.slice(2));
    } catch {
      return null;
    }
    if (!Array.isArray(parsed)) return null;
    const changes: ScoreChange[] = [];
    for (const entry of parsed as CompactChange[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
      changes.push({
        leadId: entry[0],
        before: entry.length === 4 ? { total: Number(entry[1]), cell: String(entry[2]), qualified: entry[3] === true } : null,
      });
    }
    return { kind: 'scores', changes };
  }
  if (payload.startsWith('r:')) return { kind: 'rescore', jobId: payload.slice(2) };
  const credential = /^a:(apiKey|session|user):(\d+)$/.exec(payload);
  if (credential) return { kind: 'credential', credential: credential[1] as CredentialKind, id: credential[2] };
  return null;
}
