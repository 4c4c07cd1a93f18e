import type { EntityManager } from 'typeorm';

/** The leads a re-score job covers, as a publish or a segment change asks for it. */
export interface RescoreJobRequest {
  ruleSetId: string;
  versionId: string;
  createdBy: string;
  isDefault: boolean;
  segments: string[];
  /** Segments other active rule sets score (the default rule set scores every other lead). */
  claimedSegments: string[];
  /** Only the leads of these segments, each by the rule set that now scores it (a segment change). */
  movedSegments?: string[];
  /** A rule set of a non-default score model: the job re-scores that model over every subject of its kind. */
  model?: string;
  subject?: 'lead' | 'account';
}

/**
 * Re-scoring as publishing needs it: the job is created in the publish's transaction (it commits
 * with the publish or not at all) and dispatched to the workers after the commit. Re-scoring lives in
 * scoring/rescore/, above rulesets/, so app.ts passes its RescoreService in.
 */
export interface RescoreScheduler {
  createJob(manager: EntityManager, request: RescoreJobRequest): Promise<string>;
  dispatch(jobId: string): Promise<void>;
}
