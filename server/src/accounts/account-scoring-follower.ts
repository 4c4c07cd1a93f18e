import type { EntityManager } from 'typeorm';
import type { ScoreFollower } from '../scoring/models/score-follower';
import type { SubjectScorer } from '../scoring/models/subject-scorer';
import type { ScoreCause } from '../scoring/score-history.entity';
import { ACCOUNT_SCORING_LIMITS, type AccountScoringService } from './account-scoring.service';
import { listAccountIds } from './account-scoring-store';

/**
 * After leads are scored (in their transaction, their rows locked): recomputes their accounts, and
 * the accounts the same transaction made stale otherwise (a contact left), in every account model. Accounts another
 * transaction holds, and big ones, go to the worker, so a request neither waits on an account nor
 * reads an unbounded number of contacts. A re-score caused by an account's change
 * ('account_changed') does not recompute the account again.
 */
export class AccountScoringFollower implements ScoreFollower {
  constructor(private readonly accounts: AccountScoringService) {}

  async afterScoring(manager: EntityManager, leadIds: readonly string[], cause: ScoreCause, asOf: Date): Promise<void> {
    if (cause === 'account_changed' || leadIds.length === 0) return;
    // Without an account model nothing is recomputed; the worker still collects the accounts contacts left.
    await this.accounts.recomputeForLeads(manager, leadIds, {
      cause,
      asOf,
      bigAccounts: 'defer',
      contactBudget: ACCOUNT_SCORING_LIMITS.followerContacts,
    });
  }
}

/** How a re-score job of an account model walks and scores accounts (registered for subject 'account' by app.ts). */
export class AccountSubjectScorer implements SubjectScorer {
  readonly subject = 'account' as const;

  constructor(private readonly accounts: AccountScoringService) {}

  listIds(manager: EntityManager, afterId: string | null, limit: number): Promise<string[]> {
    return listAccountIds(manager, afterId, limit);
  }

  async scoreModel(
    manager: EntityManager,
    model: string,
    ids: readonly string[],
    cause: ScoreCause,
    asOf: Date,
    options: { carryTo?: string } = {},
  ): Promise<{ changed: number }> {
    const { changed } = await this.accounts.scoreAccounts(manager, model, ids, cause, asOf, options.carryTo);
    return { changed };
  }
}
