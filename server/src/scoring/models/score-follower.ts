import type { EntityManager } from 'typeorm';
import type { ScoreCause } from '../score-history.entity';

/**
 * Scores that follow the default model's: ScoringService calls every follower, in registration
 * order, inside its transaction, after it stored the default model's scores of these leads (which it
 * holds locked): at the end of scoreAfterWrite and scoreLeads (every cause), and of rescoreWithCarry
 * only for cause 'decay' (a publish of the default model re-scores that model alone).
 */
export interface ScoreFollower {
  afterScoring(manager: EntityManager, leadIds: readonly string[], cause: ScoreCause, asOf: Date): Promise<void>;
}
