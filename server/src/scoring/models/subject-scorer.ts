import type { EntityManager } from 'typeorm';
import type { ScoreCause } from '../score-history.entity';

export type ScoreSubjectKind = 'lead' | 'account';

/** How a re-score job of a non-default model scores its subjects, chunked and resumable. */
export interface SubjectScorer {
  subject: ScoreSubjectKind;
  /** ids of every subject of this kind after `afterId` in id order, at most `limit` */
  listIds(manager: EntityManager, afterId: string | null, limit: number): Promise<string[]>;
  /**
   * Scores the subjects in `model`. With `carryTo` (a full job's version), scores that only their
   * version would change are left unwritten: the job's completion carries their rows (migration 27).
   */
  scoreModel(
    manager: EntityManager,
    model: string,
    ids: readonly string[],
    cause: ScoreCause,
    asOf: Date,
    options?: { carryTo?: string },
  ): Promise<{ changed: number }>;
}

/**
 * The scorer of each subject: leads' is scoring's own, accounts' comes from accounts/ (a domain above
 * scoring), so app.ts registers it here instead of scoring importing it.
 */
export class SubjectScorerRegistry {
  private readonly scorers = new Map<ScoreSubjectKind, SubjectScorer>();

  registerSubjectScorer(scorer: SubjectScorer): void {
    this.scorers.set(scorer.subject, scorer);
  }

  /** The scorer of this subject, or null while none is registered (accounts before their scorer is wired). */
  scorerFor(subject: ScoreSubjectKind): SubjectScorer | null {
    return this.scorers.get(subject) ?? null;
  }
}
