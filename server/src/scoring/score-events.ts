import type { EntityManager } from 'typeorm';

/** A lead's score changed in what it shows: the payload of the score-change event. */
export interface ScoreTransition {
  leadId: string;
  /** Null for a lead's first score. */
  before: { qualified: boolean; action: string; total: number; cell: string; band: string } | null;
  after: { qualified: boolean; action: string; total: number; cell: string; band: string; ruleSetKey: string; ruleSetVersion: number };
}

/**
 * Subscribes to score changes (ScoringService.addChangeListener; webhooks do, wired in app.ts).
 * Called inside the scoring transaction, so what a listener writes (the webhook outbox) commits or
 * rolls back with the scores.
 */
export interface ScoreChangeListener {
  recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<unknown>;
}
