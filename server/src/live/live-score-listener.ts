import type { EntityManager } from 'typeorm';
import type { ScoreChangeListener, ScoreTransition } from '../scoring/score-events';
import { encodeScoreChanges } from './live-events';
import { LIVE_CHANNEL } from './live-limits';

/**
 * Tells every process's subscribers that scores changed: NOTIFY in the scoring transaction, so it
 * is delivered at commit and never for a rolled-back change, and heard by an API process when a
 * worker process re-scored. One statement whatever the number of payloads (batches under 8000 bytes).
 */
export class LiveScoreNotifier implements ScoreChangeListener {
  async recordTransitions(manager: EntityManager, transitions: ScoreTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    const payloads = encodeScoreChanges(transitions);
    await manager.query(`SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload`, [LIVE_CHANNEL, payloads]);
  }
}
